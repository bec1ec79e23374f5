"""Privacy end to end through the sandbox: /mydata shows what Chithi holds, /leave takes a
member off a unit's list after a confirmation, /forget (administrators, within scope) erases a
person while the unit's counts still add up; on SQLite and PostgreSQL where it writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.counters import unit_counts
from bot.services.menus import MEMBER_COMMANDS
from sandbox.server import SandboxServer
from storage import queries
from storage.models import AuditEvent, Confirmation, Delivery, Directive, Member
from tests.kit.harness import Harness, MakeHarness
from tests.kit.roles_scene import (
    CELL,
    OTHER_CELL,
    add_person,
    audit,
    build,
    button_data,
    confirm,
    menu,
    pressed,
    role_of,
)


@pytest.fixture
def config_admin(sandbox: SandboxServer) -> Any:
    return sandbox.create_user(first_name="Config", language_code="vi")


async def _member_of(h: Harness, user: Any) -> Member | None:
    await h.settle()
    async with h.db() as s:
        return await queries.member_by_telegram_id(s, user.id)


async def test_mydata_shows_what_is_held_in_private_only(
    make_harness: MakeHarness, config_admin: Any
) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        tam = scene.target
        async with h.db() as s:
            member = await queries.member_by_telegram_id(s, tam.id)
            assert member is not None
            member.birth_date = date(1980, 3, 2)
            member_id = member.id
        await add_person(h, "BP-DX", "Trần Văn Tâm", "secretary", user=tam)
        await confirm(h, member_id, "23-CT/TU", ("received", "studied"))
        [reply] = await h.send(tam, "/mydata")
        lines = reply["text"].splitlines()
        assert lines[:7] == [
            "Dữ liệu Chithi đang lưu về đồng chí",
            "Họ tên: Trần Văn Tâm",
            "Tên Telegram: @tam_tran",
            f"Mã Telegram: {tam.id}",
            "Số điện thoại: 0912345678",
            "Số thẻ đảng viên: 123456",
            "Ngày sinh: 02/03/1980",
        ]
        assert "• Thành ủy Đồng Xoài (BP-DX) — bí thư" in lines
        assert "• Chi bộ trạm y tế 1 (BP-DX-01) — đảng viên" in lines
        assert "Xác nhận văn bản (2)" in lines
        assert "• 23-CT/TU Văn bản 23-CT/TU: đã học tập ngày 05/01/2027, tự xác nhận" in lines

        # Asked in a group, nothing personal is posted there.
        group = h.group("Chi bộ", members=[tam], with_bot=True)
        [answer] = await h.send(tam, "/mydata", chat_id=group.id)
        assert answer["text"].startswith("Dữ liệu cá nhân chỉ xem và sửa trong trò chuyện riêng")
        assert "0912345678" not in answer["text"]

        stranger = h.user("Khách")
        [nothing] = await h.send(stranger, "/mydata")
        assert nothing["text"] == "Chithi chưa lưu dữ liệu nào về đồng chí."


async def test_leave_asks_first_then_takes_the_member_off(
    make_harness: MakeHarness, db_url: str, config_admin: Any
) -> None:
    async with make_harness(db_url=db_url, bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        tam, secretary = scene.target, scene.users["secretary"]
        [wrong] = await h.send(tam, f"/leave {OTHER_CELL}")
        assert wrong["text"].startswith("Đồng chí không có tên trong danh sách của đơn vị")

        [ask] = await h.send(tam, f"/leave {CELL}")
        assert ask["text"].startswith("Rời Chi bộ trạm y tế 1?")
        cancelled = await pressed(h, tam, ask, "pr:n")
        assert cancelled["text"] == "Đã huỷ, không có gì thay đổi."
        assert await role_of(h, tam, CELL) == "member"

        [pick] = await h.send(tam, "/leave")
        assert pick["text"] == "Đồng chí muốn rời đơn vị nào?"
        [choice] = button_data(pick)
        ask = await pressed(h, tam, pick, choice)
        assert ask["text"].startswith("Rời Chi bộ trạm y tế 1?")
        [yes, _no] = button_data(ask)
        done = await pressed(h, tam, ask, yes)
        assert done["text"] == "Đồng chí đã rời Chi bộ trạm y tế 1."
        assert await role_of(h, tam, CELL) is None
        [event] = await audit(h, "member.leave")
        assert event.detail == {"unit": CELL, "role": "member"}

        # A secretary who leaves loses the role there, and the menu follows.
        [ask] = await h.send(secretary, f"/leave {CELL}")
        await pressed(h, secretary, ask, button_data(ask)[0])
        assert await role_of(h, secretary, CELL) is None
        assert tuple(await menu(h, secretary)) == MEMBER_COMMANDS


ACTORS = ("member", "deputy", "secretary", "admin", "config")


async def test_who_may_forget_whom(
    make_harness: MakeHarness, db_url: str, config_admin: Any
) -> None:
    async with make_harness(db_url=db_url, bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        for whom, name in (("target", "Trần Văn Tâm"), ("outsider", "Lê Thị Hoa")):
            for actor in ACTORS:
                [reply] = await h.send(scene.users[actor], f"/forget {name}")
                if actor in ("admin", "config"):
                    assert reply["text"].startswith(f"Xoá dữ liệu cá nhân của {name}"), actor
                    assert len(button_data(reply)) == 2
                else:
                    assert reply["text"].startswith("Chỉ quản trị viên"), (actor, whom)
                    assert button_data(reply) == []
        # Nothing was erased by asking.
        assert await audit(h, "member.forget") == []
        for person in (scene.target, scene.outsider):
            member = await _member_of(h, person)
            assert member is not None and member.erased_at is None
        # A forged confirmation from someone who may not erase changes nothing.
        member = await _member_of(h, scene.target)
        assert member is not None
        secretary = scene.users["secretary"]
        [refusal] = await h.send(secretary, "/forget Trần Văn Tâm")
        forged = h.sandbox.press_button(
            h.token, secretary.id, secretary.id, refusal["message_id"], f"pr:fy:{member.id}",
            forged=True,
        )  # fmt: skip
        await h.sandbox.wait_for(lambda: forged in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[forged]["text"] == "Nút này không còn hợp lệ."
        assert (await _member_of(h, scene.target)) is not None


async def test_forget_erases_the_person_and_counts_still_add_up(
    make_harness: MakeHarness, db_url: str, config_admin: Any
) -> None:
    async with make_harness(db_url=db_url, bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        tam, admin = scene.target, scene.users["admin"]
        await h.send(scene.users["secretary"], f"/grant pho {CELL} Trần Văn Tâm")
        tam_row = await _member_of(h, tam)
        assert tam_row is not None
        tam_id = tam_row.id
        await confirm(h, tam_id, "23-CT/TU", ("received", "studied"))
        # The audit log and the outbox come to hold him: his name and phone in a roster edit,
        # his Telegram id as the actor of what he did, messages for his private chat.
        await h.send(scene.users["secretary"], f"/member_rename {CELL} 0912345678 | Trần Văn Tâm")
        await h.send(scene.users["secretary"], f"/member_add {CELL} Lê Văn Khách 0912 345 679")
        await h.send(tam, f"/join_approval {CELL} off")
        async with h.db() as s:
            directive = await s.scalar(select(Directive.id))
            cell = await queries.unit_by_code(s, CELL)
            assert directive is not None and cell is not None
            before = await unit_counts(s, {(directive, cell.id)})
            for n, state in enumerate(("sent", "queued")):
                s.add(
                    Delivery(
                        dedupe_key=f"private:{tam_id}:{n}",
                        kind="private",
                        directive_id=directive,
                        member_id=tam_id,
                        target_telegram_id=tam.id,
                        payload={"text": "Văn bản"},
                        state=state,
                        next_attempt_at=datetime(2027, 1, 5, tzinfo=UTC),
                    )
                )
            assert await s.scalar(select(func.count()).where(AuditEvent.actor == str(tam.id)))

        [ask] = await h.send(admin, "/forget 0912345678")
        assert ask["text"].startswith("Xoá dữ liệu cá nhân của Trần Văn Tâm (Chi bộ trạm y tế 1)")
        [yes, _no] = button_data(ask)
        done = await pressed(h, admin, ask, yes)
        assert done["text"].startswith("Đã xoá dữ liệu cá nhân.")

        async with h.db() as s:
            erased = await s.get(Member, tam_id)
            assert erased is not None
            assert (erased.full_name, erased.phone, erased.card_number) == (
                f"#{tam_id}",
                None,
                None,
            )
            assert (erased.birth_date, erased.username, erased.telegram_id) == (None, None, None)
            assert erased.erased_at is not None
            # Still on the list (as a plain member) and their confirmations still count.
            assert [m.role for m in await queries.memberships_of(s, tam_id)] == ["member"]
            kept = await s.scalar(
                select(func.count(Confirmation.id)).where(Confirmation.member_id == tam_id)
            )
            assert kept == 2
            assert await unit_counts(s, {(directive, cell.id)}) == before
            [event] = (
                await s.scalars(select(AuditEvent).where(AuditEvent.action == "member.forget"))
            ).all()
        assert event.actor == str(admin.id) and event.subject == f"member:{tam_id}"
        assert event.detail == {"units": [CELL], "roles": ["deputy"], "confirmations_kept": 2}
        assert "Tâm" not in str(event.detail) and "0912" not in str(event.detail)
        # Nothing left in the audit log or the outbox names or reaches him; every event kept.
        async with h.db() as s:
            events = (await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
            held = [(e.actor, e.action, e.subject, e.detail) for e in events]
            deliveries = (
                await s.execute(select(Delivery.member_id, Delivery.target_telegram_id))
            ).all()
        about_him = [e for e in held if e[2] == f"member:{tam_id}"]
        assert [e[1] for e in about_him] == [
            "role.grant",
            "roster-rename",
            "member.forget",
        ]
        assert about_him[1][3] == {"unit": CELL, "old": None, "new": None}
        assert ("#" + str(tam_id), "join-approval") == held[-2][:2]
        assert str(tam.id) not in str(held) and "0912345678" not in str(held)
        assert "Lê Văn Khách" in str(held)  # events about others are left as they were
        assert all(tam_id != m and tam.id != t for m, t in deliveries)
        # The person is unknown to the bot now: no data, the members' menu, not found again.
        assert tuple(await menu(h, tam)) == MEMBER_COMMANDS
        [nothing] = await h.send(tam, "/mydata")
        assert nothing["text"] == "Chithi chưa lưu dữ liệu nào về đồng chí."
        [again] = await h.send(admin, "/forget Trần Văn Tâm")
        assert again["text"].startswith("Không tìm thấy người này")
        # Pressing the old confirmation again erases nothing more.
        assert len(await audit(h, "member.forget")) == 1


async def test_forget_picks_one_namesake(make_harness: MakeHarness, config_admin: Any) -> None:
    async with make_harness(bot={"admins": [config_admin.id]}) as h:
        scene = await build(h, config_admin)
        first = await add_person(h, CELL, "Nguyễn Văn An", phone="0901000001")
        second = await add_person(h, OTHER_CELL, "Nguyễn Văn An", phone="0901000002")
        admin = scene.users["admin"]
        [choose] = await h.send(admin, "/forget nguyen van an")
        assert choose["text"].startswith("Có 2 người khớp")
        labels = [b["text"] for row in choose["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["Nguyễn Văn An (…001)", "Nguyễn Văn An (…002)"]
        ask = await pressed(h, admin, choose, f"pr:f:{second}")
        assert ask["text"].startswith("Xoá dữ liệu cá nhân của Nguyễn Văn An (Chi bộ ấp 2)")
        await pressed(h, admin, ask, f"pr:fy:{second}")
        async with h.db() as s:
            kept, erased = await s.get(Member, first), await s.get(Member, second)
            assert kept is not None and kept.erased_at is None and kept.phone == "0901000001"
            assert erased is not None and erased.erased_at is not None and erased.phone is None
