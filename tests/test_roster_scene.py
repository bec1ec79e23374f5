"""The roster issue end to end (on SQLite and PostgreSQL): a cell of 20 imported from the
secretary's XLSX list without Telegram ids; 8 claim their entry by phone (the secretary among
them), 5 by name (the secretary approves each with one tap), a stranger asks to be added and is
declined; a meeting records 15 attendees as studied; /pending shows exactly the three lists in
Vietnamese order and the post's counters are over the 20; one absentee's study recorded with
/mark; the export says how each one studied (at the meeting, recorded by the secretary) and the
audit log who recorded it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select

from bot.services.names import sort_names
from bot.services.tree import import_members, import_units, xlsx_table
from storage import queries
from storage.models import AuditEvent, Chat, Claim, Confirmation, Meeting, Member, Membership
from tests.kit.harness import JSON, Harness, MakeHarness, buttons_of
from tests.kit.paths import SAMPLE
from tests.kit.publishing import NUMBER, post_in, publish_sample
from tests.kit.roles_scene import menu
from tests.kit.scene import Scene

CELL = "BP-DX-01"
HEADER = ["Mã đơn vị", "Họ và tên", "Chức vụ", "Số điện thoại", "Số thẻ đảng viên", "Ngày sinh"]
SECRETARY = "Hoàng Thị Thu"
BY_PHONE = {  # name -> phone on the list (the secretary's own entry first)
    SECRETARY: "0912 000 001",
    "Nguyễn Văn Bảo": "0912 000 002",
    "Trần Thị Cúc": "0912 000 003",
    "Lê Văn Đạt": "0912 000 004",
    "Phạm Thị Giang": "0912 000 005",
    "Vũ Văn Hùng": "0912 000 006",
    "Đỗ Thị Khánh": "0912 000 007",
    "Bùi Văn Long": "0912 000 008",
}
BY_NAME = ["Ngô Thị Mai", "Dương Văn Nam", "Lý Thị Oanh", "Mai Văn Phúc", "Cao Thị Quyên"]
NEVER = [
    "Đinh Văn Dung",
    "Lê Duy",
    "Trịnh Văn An",
    "Tô Thị Ơn",
    "Ngô Thị Ưng",
    "Trần Văn Uy",
    "Vũ Thị Ánh",
]
PRESSED = ["Nguyễn Văn Bảo", "Lê Văn Đạt"]  # "received" pressed under the group's post
ABSENT = ["Lê Văn Đạt", "Vũ Văn Hùng", "Lý Thị Oanh", "Lê Duy", "Đinh Văn Dung"]


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách đảng viên")
    sheet.append(HEADER)
    for i, (name, phone) in enumerate(BY_PHONE.items()):
        sheet.append([CELL, name, "Bí thư" if i == 0 else "Đảng viên", phone, f"BP{i:06d}", None])
    for i, name in enumerate([*BY_NAME, *NEVER], start=len(BY_PHONE)):
        sheet.append([CELL, name, "Đảng viên", None, f"BP{i:06d}", "01/02/1980"])
    book.save(path)
    return path


async def _setup(h: Harness, tmp_path: Path) -> tuple[Scene, str]:
    """The tree; the cell's list imported from XLSX; its group linked; an administrator (in
    another unit) who publishes. Returns the scene and the cell's join token."""
    scene = Scene()
    async with h.db() as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with h.db() as s:
        result = await import_members(s, xlsx_table(_xlsx(tmp_path / "roster.xlsx")), "r.xlsx")
        assert result.created == 20
    scene.users["admin"] = h.user("Nhung", language="vi")
    group = h.group(f"Nhóm {CELL}")
    scene.groups[CELL] = group
    h.sandbox.add_bot_to_chat(group.id, h.token, by_user_id=scene.id("admin"))
    async with h.db() as s:
        home = await queries.unit_by_code(s, "BP-BTG")
        cell = await queries.unit_by_code(s, CELL)
        assert home is not None and cell is not None
        admin = Member(telegram_id=scene.id("admin"), full_name="Lê Ngọc Nhung", language="vi")
        s.add(admin)
        await s.flush()
        s.add(Membership(member_id=admin.id, unit_id=home.id, role="admin"))
        s.add(
            Chat(
                telegram_id=group.id,
                type=group.type,
                title=group.title,
                unit_id=cell.id,
                active=True,
            )
        )
        token = cell.join_token
    return scene, token


async def _open(h: Harness, user: Any, token: str) -> JSON:
    listing, _phone = await h.send(user, f"/start {token}", replies=2)
    return listing


def _data(message: JSON, label: str) -> str:
    [data] = [b["callback_data"] for b in buttons_of(message) if b["text"].startswith(label)]
    return str(data)


async def _newest_to(h: Harness, user: Any, count: int) -> JSON:
    await h.settle(lambda: len(h.bot_messages(user.id)) > count)
    return h.bot_messages(user.id)[-1]


async def _decide(h: Harness, secretary: Any, before: int, button: str) -> str:
    """The secretary's newest message (a claim to decide) answered with one tap."""
    ask = await _newest_to(h, secretary, before)
    await h.press(secretary, secretary.id, ask["message_id"], _data(ask, button))
    await h.settle()
    return str(ask["text"])


def _latest_keyboard(h: Harness, user: Any) -> JSON:
    return next(m for m in reversed(h.bot_messages(user.id)) if m.get("reply_markup"))


async def _untick(h: Harness, secretary: Any, name: str) -> None:
    """Untick ``name`` on the checklist, turning pages until it shows."""
    for _ in range(3):
        page = _latest_keyboard(h, secretary)
        labels = [b["text"] for b in buttons_of(page)]
        if f"☑ {name}" in labels:
            await h.press(secretary, secretary.id, page["message_id"], _data(page, f"☑ {name}"))
            await h.settle()
            return
        if not any(label.startswith("Trang sau") for label in labels):
            break
        await h.press(secretary, secretary.id, page["message_id"], _data(page, "Trang sau"))
        await h.settle()
    raise AssertionError(f"{name} is not on the checklist")


async def test_a_cell_of_twenty_from_xlsx_claims_meets_and_counts_over_its_list(
    make_harness: MakeHarness, db_url: str, tmp_path: Path
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene, token = await _setup(h, tmp_path)
        people: dict[str, Any] = {}

        # 8 by phone: each approved at once, the secretary first (then she decides the rest)
        for i, (name, phone) in enumerate(BY_PHONE.items()):
            user = h.user(name.rsplit(" ", 1)[-1], last_name=name.split()[0], phone=phone)
            people[name] = user
            await _open(h, user, token)
            [welcome] = await h.driver.share_contact(user)
            assert welcome["text"].startswith(f"Chào mừng đồng chí! Đồng chí là {name}"), i
        secretary = people[SECRETARY]
        assert {"pending", "meeting", "grant"} <= set(await menu(h, secretary))

        # 5 by name: each typed, tapped, and approved by the secretary with one tap
        for name in BY_NAME:
            user = h.user(name.rsplit(" ", 1)[-1], last_name=name.split()[0])
            people[name] = user
            await _open(h, user, token)
            [found] = await h.send(user, name.rsplit(" ", 1)[-1])
            before = len(h.bot_messages(secretary.id))
            told = len(h.bot_messages(user.id))
            await h.press(user, user.id, found["message_id"], _data(found, name))
            asked = await _decide(h, secretary, before, "✅ Đồng ý")
            assert f"cho biết mình là {name} trong danh sách Chi bộ trạm y tế 1" in asked
            answer = await _newest_to(h, user, told)
            assert answer["text"].startswith(f"Bí thư đã xác nhận: đồng chí là {name}")

        # a stranger asks to be added and is declined
        stranger = h.user("Lạ", last_name="Người")
        listing = await _open(h, stranger, token)
        before = len(h.bot_messages(secretary.id))
        told = len(h.bot_messages(stranger.id))
        ask_data = _data(listing, "Tôi không có tên trong danh sách")
        await h.press(stranger, stranger.id, listing["message_id"], ask_data)
        asked = await _decide(h, secretary, before, "✖️ Từ chối")
        assert "không có tên trong danh sách Chi bộ trạm y tế 1" in asked
        answer = await _newest_to(h, stranger, told)
        assert answer["text"].startswith("Bí thư chưa bổ sung đồng chí vào Chi bộ trạm y tế 1")

        async with h.db() as s:
            cell = await queries.unit_by_code(s, CELL)
            assert cell is not None
            on_list = (
                await s.execute(
                    select(Member.full_name, Member.telegram_id)
                    .join(Membership, Membership.member_id == Member.id)
                    .where(Membership.unit_id == cell.id)
                )
            ).all()
            assert len(on_list) == 20
            using = {n for n, tid in on_list if tid is not None}
            assert using == {*BY_PHONE, *BY_NAME}
            states = (await s.execute(select(Claim.how, Claim.state))).all()
            assert sorted(states) == sorted(
                [("phone", "approved")] * 8 + [("name", "approved")] * 5 + [("ask", "declined")]
            )
            assert await s.scalar(
                select(func.count()).where(Member.telegram_id == stranger.id)
            ) in (0, 1)  # the bot may know the stranger, but not on any list
            lost = await s.scalar(
                select(func.count(Membership.id))
                .join(Member, Member.id == Membership.member_id)
                .where(Member.telegram_id == stranger.id)
            )
            assert lost == 0

        # the directive reaches the cell's group; two members press "received" there
        directive_id = await publish_sample(h, scene)
        group = scene.groups[CELL].id
        for name in PRESSED:
            h.sandbox.add_chat_member(group, people[name].id)
            post = post_in(h, group)
            await h.press(people[name], group, post["message_id"], f"c:{directive_id}:r")
        await h.settle(lambda: post_in(h, group)["text"].endswith("Đã nhận 2/20 · Đã học 0/20"))

        # the meeting: everyone preselected, five unticked, 15 recorded as studied
        [checklist] = await h.send(secretary, f"/meeting {NUMBER} 09/01/2027")
        assert checklist["text"].splitlines()[2].startswith("Có mặt: 20/20.")
        for name in ABSENT:
            await _untick(h, secretary, name)
        page = _latest_keyboard(h, secretary)
        assert page["text"].splitlines()[2].startswith("Có mặt: 15/20.")
        await h.press(secretary, secretary.id, page["message_id"], _data(page, "💾 Lưu"))
        await h.settle()
        assert h.bot_messages(secretary.id)[-1]["text"] == (
            "✅ Đã ghi nhận buổi sinh hoạt ngày 09/01/2027 của Chi bộ trạm y tế 1: 15/20 đồng chí"
            f" có mặt, đã học tập văn bản {NUMBER}."
        )
        async with h.db() as s:
            meeting = (await s.scalars(select(Meeting))).one()
            assert meeting.attendees == 15
            studied = set(
                (
                    await s.scalars(
                        select(Member.full_name)
                        .join(Confirmation, Confirmation.member_id == Member.id)
                        .where(Confirmation.kind == "studied", Confirmation.how == "meeting")
                    )
                ).all()
            )
            assert studied == {*BY_PHONE, *BY_NAME, *NEVER} - set(ABSENT)

        # the counters are over the list of 20: 15 at the meeting + Đạt's own press
        await h.settle(lambda: post_in(h, group)["text"].endswith("Đã nhận 16/20 · Đã học 15/20"))
        [reply] = await h.send(secretary, f"/pending {NUMBER}")
        lines = reply["text"].splitlines()
        assert "⏳ Chi bộ trạm y tế 1 (BP-DX-01): nhận 16/20 · học 15/20" in lines
        # exactly three lists, names by given name (Hùng before Oanh, Dung before Duy)
        assert [line for line in lines if line.startswith("   ")] == [
            "   Chưa nhận (2): Vũ Văn Hùng, Lý Thị Oanh",
            "   Đã nhận, chưa học tập (1): Lê Văn Đạt",
            "   Chưa sử dụng Chithi, cần liên hệ trực tiếp (2): Đinh Văn Dung, Lê Duy",
        ]

        # Hùng studied on his own: the secretary records it for him with /mark.
        [choice] = await h.send(secretary, f"/mark {NUMBER} vu van hung")
        answer = await h.press(
            secretary, secretary.id, choice["message_id"], _data(choice, "📖 Đã học — Vũ Văn Hùng")
        )
        assert answer["text"] == (
            f"📖 Đã ghi nhận thay: đồng chí Vũ Văn Hùng đã học tập văn bản {NUMBER}."
        )
        await h.settle(lambda: post_in(h, group)["text"].endswith("Đã nhận 17/20 · Đã học 16/20"))
        async with h.db() as s:
            hung = await s.scalar(select(Member.id).where(Member.full_name == "Vũ Văn Hùng"))
            by = await s.scalar(select(Member.id).where(Member.telegram_id == secretary.id))
            marks = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "mark"))).all()
            assert [(a.actor, a.detail["member"], a.detail["recorded_by"]) for a in marks] == [
                (str(secretary.id), hung, by)
            ]
            [meeting_event] = await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "meeting")
            )
            assert meeting_event.actor == str(secretary.id)
            assert meeting_event.detail["recorded_by"] == by

        # The export names how each one studied: at the meeting, recorded by the secretary,
        # or their own press (none here); the roll-up is over the list of 20.
        [_pointer] = await h.send(secretary, f"/export {NUMBER}")
        await h.sandbox.wait_for(
            lambda: sum(1 for m in h.bot_messages(secretary.id) if m.get("document")) >= 2
        )
        xlsx = next(m for m in h.bot_messages(secretary.id) if m.get("document"))
        data = bytes(h.sandbox.files[xlsx["document"]["file_id"]].data)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        rows = list(book["Đảng viên"].iter_rows(values_only=True))
        how = {row[3]: row[6] for row in rows[1:]}
        assert len(how) == 20
        assert list(how) == sort_names(how)  # the list in Vietnamese order, as /pending's
        meeting_names = {*BY_PHONE, *BY_NAME, *NEVER} - set(ABSENT)
        assert {n for n, v in how.items() if v == "tại buổi sinh hoạt"} == meeting_names
        assert {n for n, v in how.items() if v == "do bí thư ghi nhận"} == {"Vũ Văn Hùng"}
        assert {n for n, v in how.items() if not v} == set(ABSENT) - {"Vũ Văn Hùng"}
        [cell_row] = [r for r in book["Tổng hợp"].iter_rows(values_only=True) if r[2] == CELL]
        assert cell_row[4:9] == (20, 17, 85.0, 16, 80.0)
