"""Roster entries for tests: people on a unit's list who may not use Telegram yet (the importer
makes them in production; tests write the rows directly)."""

from __future__ import annotations

from typing import Any

from storage import queries
from storage.models import Member, Membership
from tests.kit.harness import Harness
from tests.kit.scene import Scene

# 15 entries without a Telegram account, chosen to test the Vietnamese order (tones, Ă/Â, Đ, Ư).
OFFLINE = [
    "Nguyễn Văn Ân",
    "Trần Thị Anh",
    "Lê Văn Bình",
    "Phạm Đức",
    "Hoàng Văn Dũng",
    "Vũ Thị Ánh",
    "Lê Duy",
    "Đinh Văn Dung",
    "Trần Văn Uy",
    "Ngô Thị Ưng",
    "Bùi Thị Yến",
    "Lý Văn Anh",
    "Mai Thị Hà",
    "Cao Văn Hải",
    "Tô Thị Ơn",
]
CELL = "BP-DX-01"  # the scene has 4 Telegram users there; with one more and OFFLINE: 20
NEWCOMER = "Trịnh Văn An"  # the fifth Telegram user of the cell


async def add_entries(h: Harness, code: str, names: list[str]) -> dict[str, int]:
    """Roster entries without a Telegram id in unit ``code``; name -> member id."""
    ids: dict[str, int] = {}
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        for name in names:
            member = Member(telegram_id=None, full_name=name)
            s.add(member)
            await s.flush()
            s.add(Membership(member_id=member.id, unit_id=unit.id, role="member"))
            ids[name] = member.id
    return ids


async def add_user(h: Harness, code: str, name: str, role: str = "member") -> Any:
    """A Telegram user on the roster of unit ``code``."""
    user = h.user(name.rsplit(" ", 1)[-1], language="vi")
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        member = Member(telegram_id=user.id, full_name=name)
        s.add(member)
        await s.flush()
        s.add(Membership(member_id=member.id, unit_id=unit.id, role=role))
    return user


async def twenty_in_the_cell(h: Harness, scene: Scene) -> dict[str, int]:
    """BP-DX-01 with 20 roster entries, 5 of them Telegram users; the offline entries' ids."""
    scene.users["m7"] = await add_user(h, CELL, NEWCOMER)
    if scene.groups.get(CELL) is not None:
        h.sandbox.add_chat_member(scene.groups[CELL].id, scene.id("m7"))
    return await add_entries(h, CELL, OFFLINE)
