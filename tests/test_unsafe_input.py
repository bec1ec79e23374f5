"""Hostile or odd input in one update never crashes its handler nor wedges a person, on SQLite
and PostgreSQL: markup and very long arguments echoed back, impossible years, NUL characters in
arguments and in Telegram names (PostgreSQL refuses NUL in any statement)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.i18n import Texts
from bot.services.pending import directive_by_number
from storage import queries
from storage.models import Confirmation
from tests.kit.harness import Harness, buttons_of
from tests.kit.publishing import ISSUER, last_keyboard, say, tap
from tests.kit.reminders import draft, fast_harness, naive, publish_as, shown
from tests.kit.scene import build_scene

NUMBER = "45-CV/HU"


@pytest.fixture
async def h(sandbox: Any, db_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, db_url, clock) as harness:
        yield harness


async def test_hostile_deadline_arguments_get_clear_replies_and_the_bot_goes_on(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    await publish_as(h, scene, draft(NUMBER, study_by=naive("20/01/2027 17:00")))
    admin = scene.users["admin"]
    three_thousand = " ".join(digit * 1000 for digit in "123")  # one placeable > Fluent's 2,500
    answers = [
        (
            "/deadline <b>x nhan 25/01/2027 17:00",
            "Không tìm thấy văn bản số <b>x."
            " Đồng chí chỉ xem được văn bản gửi đến đơn vị mình phụ trách; xin kiểm tra lại số hiệu.",
        ),
        (
            f"/deadline {NUMBER} hoc {three_thousand}",
            f'Không đọc được thời điểm "{three_thousand}". Dùng dạng dd/mm/yyyy hh:mm, '
            "ví dụ 20/02/2027 17:00.",
        ),
        # one argument is bounded (1,024 units) before anything echoes it
        (
            f"/deadline {'A' * 3000} hoc 25/01/2027 17:00",
            f"Không tìm thấy văn bản số {'A' * 1023}…."
            " Đồng chí chỉ xem được văn bản gửi đến đơn vị mình phụ trách; xin kiểm tra lại số hiệu.",
        ),
        (
            f"/deadline {NUMBER} hoc 01/01/0001 10:00",
            'Năm trong "01/01/0001 10:00" phải từ 2000 đến 2100.',
        ),
        (
            f"/deadline {NUMBER} hoc 31/12/9999 23:59",
            'Năm trong "31/12/9999 23:59" phải từ 2000 đến 2100.',
        ),
    ]
    for command, expected in answers:
        [reply] = await h.send(admin, command)
        assert reply["text"] == expected, command[:40]

    # A deadline years ahead is refused by the same rule as at publishing; nothing moves.
    [reply] = await h.send(admin, f"/deadline {NUMBER} hoc 01/01/2090 10:00")
    assert reply["text"].startswith(
        "Hạn học tập (study_by) (01/01/2090 10:00) xa quá; muộn nhất là "
    )
    async with h.db() as s:
        directive = await directive_by_number(s, NUMBER)
        assert directive is not None and directive.study_by is not None
        assert shown(directive.study_by) == "20/01/2027 17:00"

    # NUL characters in the arguments are dropped on the way in; the deadline moves.
    [reply] = await h.send(admin, f"/deadline {NUMBER}\x00 hoc 25/01/2027\x00 17:00")
    assert reply["text"].startswith(f"✅ Đã đổi hạn học tập của văn bản {NUMBER}")
    async with h.db() as s:
        directive = await directive_by_number(s, NUMBER)
        assert directive is not None and directive.study_by is not None
        assert shown(directive.study_by) == "25/01/2027 17:00"


async def test_a_person_whose_telegram_name_holds_nul_joins_and_presses(h: Harness) -> None:
    scene = await build_scene(h)
    directive_id = await publish_as(h, scene, draft(NUMBER))
    async with h.db() as s:
        unit = await queries.unit_by_code(s, "BP-DX-01")
        assert unit is not None
        token = unit.join_token
        unit.join_approval = False  # asking to be added is granted at once
    hoa = h.user("Hoa\x00", last_name="Lê\x07Thị", username="hoa\x00le")

    [offer, _] = await h.send(hoa, f"/start {token}", replies=2)
    [ask] = offer["reply_markup"]["inline_keyboard"][-1]
    await h.press(hoa, hoa.id, offer["message_id"], ask["callback_data"])
    await h.settle(
        lambda: h.bot_messages(hoa.id)[0]["text"].startswith("Chào mừng đồng chí! Đồng chí đã")
    )

    group = scene.groups["BP-DX-01"].id
    h.sandbox.add_chat_member(group, hoa.id)
    [post] = [m for m in h.bot_messages(group) if m.get("reply_markup")]
    answer = await h.press(hoa, group, post["message_id"], f"c:{directive_id}:r")
    assert answer["text"].startswith("✅ Đã ghi nhận")
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, hoa.id)
        assert member is not None
        assert (member.full_name, member.username) == ("Hoa LêThị", "hoale")
        kinds = (
            await s.scalars(
                select(Confirmation.kind).where(
                    Confirmation.member_id == member.id, Confirmation.directive_id == directive_id
                )
            )
        ).all()
        assert kinds == ["received"]


def test_fluent_never_sees_a_long_argument() -> None:
    """Fluent refuses a placeable over 2,500 characters; a long argument (a list, a pasted
    text) is put in whole after formatting, markup and all."""
    texts = Texts()
    long = "<b>" + "x" * 5000 + "</b>"
    assert texts("en", "deadline-unknown-number", number=long) == f"No document numbered {long}."


async def test_control_characters_typed_into_a_dialogue_are_blanked_before_any_handler(
    h: Harness,
) -> None:
    """Every dialogue stores what is typed (cover notes, amended bodies, pasted pieces...); the
    intake blanks control characters in every text and caption (a NUL fails any statement on
    PostgreSQL), keeping line breaks and the entities' offsets. Seen through /publish: a NUL
    in the title and the body arrives as a blank and the directive is published. (Directive
    files from the CLI still get the rules' refusal: bot.services.rules.)"""
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    assert "Trích yếu" in (await say(h, admin, "77-CV/HU"))["text"]
    reply = await say(h, admin, "Về việc\x00thử\x07nghiệm")
    assert "Cơ quan ban hành" in reply["text"]  # the next question, not an error
    await say(h, admin, ISSUER)
    await say(h, admin, "15/02/2019")
    await say(h, admin, "Dòng một\x00\nDòng\x1b hai")
    reply = await say(h, admin, "bỏ qua")  # no links
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Không")
    await say(h, admin, "20/02/2027 17:00")
    await tap(h, admin, "Bỏ qua", replies=2)  # the preview and the note
    note = last_keyboard(h, admin)
    answer = await h.press(
        admin, admin.id, note["message_id"], buttons_of(note)[0]["callback_data"]
    )
    assert answer["text"] == "Đã ban hành."
    async with h.db() as s:
        directive = await directive_by_number(s, "77-CV/HU")
    assert directive is not None
    assert directive.title == "Về việc thử nghiệm"
    assert directive.body == "Dòng một \nDòng  hai"
