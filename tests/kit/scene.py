"""A small province for end-to-end tests: the sample tree, sandbox people with roles, linked
groups. Built through the same import service the CLI uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.tree import import_members, import_units
from storage import queries
from storage.models import Chat
from tests.kit.harness import Harness
from tests.kit.paths import SAMPLE

# (key, name, unit, role); "m*" are plain members.
PEOPLE = [
    ("admin", "Lê Ngọc Nhung", "BP-BTG", "admin"),
    ("sec_dx", "Hoàng Mỹ Trang", "BP-DX", "secretary"),
    ("sec_dx01", "Đặng Thị Yến", "BP-DX-01", "secretary"),
    ("m1", "Phan Minh Tuấn", "BP-DX-01", "member"),
    ("m2", "Lý Thanh Dung", "BP-DX-01", "member"),
    ("m3", "Vũ Kim Mai", "BP-DX-01", "member"),
    ("m4", "Đỗ Xuân Hải", "BP-DX-02", "member"),
    ("m5", "Dương Bích Lan", "BP-DX-02", "member"),
    ("m6", "Trần Văn Bình", "BP-BL-01", "member"),
    ("plain", "Ngô Thị Hoa", "BP-DX-03", "member"),
]
GROUPS = ["BP-DX-01", "BP-DX-02", "BP-BL-01"]


@dataclass
class Scene:
    users: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Any] = field(default_factory=dict)

    def id(self, key: str) -> int:
        return int(self.users[key].id)


async def build_scene(h: Harness, *, link: bool = True) -> Scene:
    scene = Scene()
    for key, name, _unit, _role in PEOPLE:
        _first, _, last = name.rpartition(" ")
        scene.users[key] = h.user(last, last_name=None, language="vi")
        scene.users[key].full = name
    rows = ["telegram_id,full_name,username,unit_code,role,language"]
    rows += [f"{scene.id(k)},{n},,{u},{r},vi" for k, n, u, r in PEOPLE]
    async with h.db() as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with h.db() as s:
        await import_members(s, "\n".join(rows) + "\n")
    for code in GROUPS:
        group = h.group(f"Nhóm {code}")
        scene.groups[code] = group
        for key, _n, unit, _r in PEOPLE:
            if unit == code:
                h.sandbox.add_chat_member(group.id, scene.id(key))
        h.sandbox.add_chat_member(group.id, scene.id("sec_dx"), status="administrator")
        h.sandbox.add_bot_to_chat(group.id, h.token, by_user_id=scene.id("sec_dx"))
        if link:
            async with h.db() as s:
                unit = await queries.unit_by_code(s, code)
                assert unit is not None
                s.add(
                    Chat(
                        telegram_id=group.id,
                        type=group.type,
                        title=group.title,
                        unit_id=unit.id,
                        active=True,
                    )
                )
    await h.settle()
    return scene
