"""Roles in chat and from the CLI, end to end through the sandbox: who may /grant and /revoke
what where (a permission table, on SQLite and PostgreSQL), naming a person, choosing among
namesakes, the audit log, and each person's command menu read back from the sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram import BotCommandScopeChat

from bot import cli
from bot.services.menus import ADMIN_COMMANDS, DEPUTY_COMMANDS, MEMBER_COMMANDS, SECRETARY_COMMANDS
from sandbox.server import SandboxServer
from storage.models import Member, Membership
from tests.kit.harness import Harness, MakeHarness
from tests.kit.roles_scene import (
    CELL,
    OTHER_CELL,
    Scene,
    add_person,
    audit,
    build,
    button_data,
    menu,
    pressed,
    role_of,
    set_role,
)

ACTORS = ("member", "deputy", "secretary", "admin", "config")
ANSWERS = {
    "done": ("Đã giao", "Đã thu hồi"),
    "refused": ("Đồng chí không có quyền",),
    "no-unit": ("Không có đơn vị mã",),
}
N, R, D = "no-unit", "refused", "done"
# command, person acted on, their role before, their role after a change,
# and the answer for each actor: member, deputy, secretary, admin, configured admin.
TABLE: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (f"/grant pho {CELL} Trần Văn Tâm", "target", "member", "deputy", (N, R, D, D, D)),
    (f"/grant pho {OTHER_CELL} Lê Thị Hoa", "outsider", "member", "deputy", (N, N, N, D, D)),
    (f"/grant bithu {CELL} tran van tam", "target", "member", "secretary", (N, R, R, D, D)),
    (f"/grant bithu {OTHER_CELL} Lê Thị Hoa", "outsider", "member", "secretary", (N, N, N, D, D)),
    (f"/grant quantri {CELL} @tam_tran", "target", "member", "admin", (N, R, R, D, D)),
    (f"/revoke pho {CELL} 0912 345 678", "target", "deputy", "member", (N, R, D, D, D)),
    (f"/revoke pho {OTHER_CELL} Hoa", "outsider", "deputy", "member", (N, N, N, D, D)),
    (f"/revoke bithu {CELL} Tâm", "target", "secretary", "member", (N, R, R, D, D)),
    # A secretary cannot demote their unit's administrator by making them a deputy.
    (f"/grant pho {CELL} Trần Văn Tâm", "target", "admin", "deputy", (N, R, R, D, D)),
]


@pytest.fixture
def config_admin(sandbox: SandboxServer) -> Any:
    return sandbox.create_user(first_name="Config", language_code="vi")


async def _run_table(h: Harness, scene: Scene) -> list[str]:
    """Every row for every actor; the mismatches, described."""
    wrong = []
    for command, whom, before, after, answers in TABLE:
        person = getattr(scene, whom)
        code = command.split()[2]
        for actor, expected in zip(ACTORS, answers, strict=True):
            await set_role(h, person, code, before)
            [reply] = await h.send(scene.users[actor], command)
            role = await role_of(h, person, code)
            got_answer = reply["text"].startswith(ANSWERS[expected])
            want_role = after if expected == "done" else before
            if not got_answer or role != want_role:
                wrong.append(f"{actor}: {command!r} -> {reply['text'][:60]!r}, role {role}")
    return wrong


async def test_who_may_grant_and_revoke_what_where(
    make_harness: MakeHarness, db_url: str, config_admin: Any
) -> None:
    async with make_harness(db_url=db_url, bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        assert await _run_table(h, scene) == []
        # Each change is in the audit log by ids, with who made it.
        grants = await audit(h, "role.grant")
        revokes = await audit(h, "role.revoke")
        assert len(grants) == 13 and len(revokes) == 7
        assert {g.actor for g in grants} == {
            str(scene.users[a].id) for a in ("secretary", "admin", "config")
        }
        assert grants[0].subject.startswith("member:")
        assert grants[0].detail == {"unit": CELL, "role": "deputy", "previous": "member"}
        assert "Tâm" not in str([g.detail for g in grants])


async def test_the_menu_follows_the_role(make_harness: MakeHarness, config_admin: Any) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        secretary, admin, target = scene.users["secretary"], scene.users["admin"], scene.target
        # A member who starts the bot keeps everyone's menu: no menu of their own is set.
        assert await menu(h, target) == []
        default = [c.command for c in await h.app.bot.get_my_commands()]
        assert tuple(default) == MEMBER_COMMANDS
        # Managers who start the bot get theirs.
        assert tuple(await menu(h, secretary)) == SECRETARY_COMMANDS
        assert tuple(await menu(h, scene.users["deputy"])) == DEPUTY_COMMANDS
        assert tuple(await menu(h, admin)) == ADMIN_COMMANDS
        assert tuple(await menu(h, config_admin)) == ADMIN_COMMANDS

        await h.send(secretary, f"/grant pho {CELL} Trần Văn Tâm")
        assert tuple(await menu(h, target)) == DEPUTY_COMMANDS
        english = await h.app.bot.get_my_commands(
            scope=BotCommandScopeChat(target.id), language_code="en"
        )
        assert [c.description for c in english][:2] == ["Start", "Help"]
        await h.send(admin, f"/grant quantri {CELL} Trần Văn Tâm")
        assert tuple(await menu(h, target)) == ADMIN_COMMANDS
        await h.send(admin, f"/revoke quantri {CELL} Trần Văn Tâm")
        assert tuple(await menu(h, target)) == MEMBER_COMMANDS


async def test_a_namesake_is_picked_with_a_button(
    make_harness: MakeHarness, config_admin: Any
) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        first = await add_person(h, CELL, "Nguyễn Văn An", phone="0901000001")
        second = await add_person(h, CELL, "Nguyễn Văn An", phone="0901000002")
        await add_person(h, OTHER_CELL, "Nguyễn Văn An", phone="0901000003")  # not in scope
        secretary = scene.users["secretary"]
        [reply] = await h.send(secretary, f"/grant pho {CELL} nguyen van an")
        assert reply["text"].startswith("Có 2 người khớp")
        data = button_data(reply)
        assert len(data) == 2
        # Forged data (another unit's person) is refused and changes nothing.
        forged = h.sandbox.press_button(
            h.token, secretary.id, secretary.id, reply["message_id"], "rl:g:deputy:4:1", forged=True
        )
        await h.sandbox.wait_for(lambda: forged in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[forged]["text"] == "Nút này không còn hợp lệ."
        chosen = next(d for d in data if d.endswith(f":{second}"))
        done = await pressed(h, secretary, reply, chosen)
        assert done["text"].startswith("Đã giao vai trò phó bí thư")
        async with h.db() as s:
            roles = dict(
                (
                    await s.execute(
                        select(Membership.member_id, Membership.role).where(
                            Membership.member_id.in_([first, second])
                        )
                    )
                ).all()
            )
        assert roles == {first: "member", second: "deputy"}


async def test_bad_input_is_explained(harness: Harness) -> None:
    lan = harness.user("Lan")
    [usage] = await harness.send(lan, "/grant pho")
    assert usage["text"].startswith("Cách dùng: /grant vai-trò mã-đơn-vị người")
    [bad] = await harness.send(lan, "/grant chutich BP-DX-01 Lan")
    assert bad["text"].startswith("Không có vai trò «chutich»")
    [nobody] = await harness.send(lan, "/revoke pho BP-DX-01 Lan")
    assert nobody["text"].startswith('Không có đơn vị mã "BP-DX-01" trong các đơn vị')


async def test_nobody_found_on_the_list(make_harness: MakeHarness, config_admin: Any) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        [reply] = await h.send(scene.users["secretary"], f"/grant pho {CELL} Lê Thị Hoa")
        assert reply["text"].startswith("Không tìm thấy người này trong danh sách")
        assert await role_of(h, scene.outsider, CELL) is None


async def _cli(h: Harness, tmp_path: Path, *argv: str, capsys: Any) -> tuple[int, str, str]:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{h.settings.database.url}"\n'
        f'[bot]\ntoken = "{h.token}"\nbase_url = "{h.sandbox.base_url}"\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, ["--config", str(config), "roles", *argv])
    out, err = capsys.readouterr()
    return code, out, err


async def test_cli_grants_revokes_and_lists(
    make_harness: MakeHarness, config_admin: Any, tmp_path: Path, capsys: Any
) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        code, out, _ = await _cli(
            h, tmp_path, "grant", "secretary", CELL, "Trần", "Văn", "Tâm", capsys=capsys
        )
        assert code == 0 and "Đã giao vai trò bí thư ở BP-DX-01 cho Trần Văn Tâm" in out
        assert await role_of(h, scene.target, CELL) == "secretary"
        assert tuple(await menu(h, scene.target)) == SECRETARY_COMMANDS
        [event] = await audit(h, "role.grant")
        assert event.actor == "cli"

        code, out, _ = await _cli(h, tmp_path, "list", CELL, capsys=capsys)
        assert code == 0
        lines = out.splitlines()
        assert any(line.startswith(f"{CELL}\tbí thư") and "Trần Văn Tâm" in line for line in lines)
        assert lines[-1] == "3 người giữ vai trò."

        code, out, _ = await _cli(h, tmp_path, "revoke", "bithu", CELL, "0912345678", capsys=capsys)
        assert code == 0 and "Đã thu hồi" in out
        assert await role_of(h, scene.target, CELL) == "member"

        code, _, err = await _cli(h, tmp_path, "grant", "pho", "XX-99", "Tâm", capsys=capsys)
        assert code == 1 and "Không có đơn vị mã «XX-99»" in err


async def test_revoking_a_district_role_takes_the_person_off_its_list(
    make_harness: MakeHarness, config_admin: Any
) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        await h.send(config_admin, "/grant bithu BP-DX Trần Văn Tâm")
        assert await role_of(h, scene.target, "BP-DX") == "secretary"
        await h.send(config_admin, "/revoke bithu BP-DX Trần Văn Tâm")
        # Still on the cell's list, no longer on the district's.
        assert await role_of(h, scene.target, "BP-DX") is None
        assert await role_of(h, scene.target, CELL) == "member"
        async with h.db() as s:
            tam = await s.scalar(select(Member).where(Member.telegram_id == scene.target.id))
            assert tam is not None and tam.erased_at is None
