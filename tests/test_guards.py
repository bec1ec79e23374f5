"""The guards every handler shares (issue 9): each button press is answered; names are never
posted in a group; a stranger cannot tell which codes and numbers exist; a press cannot edit a
message its handler did not make for it; an edited command does not run again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import claims
from storage import queries
from storage.models import AuditEvent, Directive, ReportCycle
from tests.kit.harness import Harness
from tests.kit.publishing import NUMBER, post_in, publish_sample
from tests.kit.reminders import draft, fast_harness, local, naive, publish_as
from tests.kit.scene import PEOPLE, build_scene

JSON = dict[str, Any]
INVALID = "Nút này không còn hợp lệ."
NAMES = [name for _key, name, _unit, _role in PEOPLE]
ELSEWHERE = "45-CV/BL"  # sent to Bình Long only


@pytest.fixture
async def h(sandbox: Any, db_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, db_url, clock) as harness:
        yield harness


async def forged_press(h: Harness, user: Any, chat_id: int, message_id: int, data: str) -> JSON:
    """A press of ``data`` under a message whose keyboard does not carry it (a forged client)."""
    query = h.sandbox.press_button(h.token, user.id, chat_id, message_id, data, forged=True)
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers, timeout=5)
    return dict(h.sandbox.callback_answers[query])


# -- item 2: every press is answered ------------------------------------------------------------


async def test_a_press_no_handler_knows_is_answered_with_a_toast(harness: Harness) -> None:
    h = harness
    lan = h.user("Lan")
    [welcome] = await h.send(lan, "/start")
    for data in ("zz:1", "x", "pager:1:2"):
        answer = await forged_press(h, lan, lan.id, welcome["message_id"], data)
        assert answer["text"] == INVALID, data
    assert h.bot_messages(lan.id) == [welcome]  # nothing else said, nothing edited


# -- item 5: a press edits only a message made for it -------------------------------------------


async def test_pager_and_join_data_pressed_under_a_post_leave_the_post_alone(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    dx01 = scene.groups["BP-DX-01"].id
    post = post_in(h, dx01)
    in_group = len(h.bot_messages(dx01))
    async with h.db() as s:
        unit = await queries.unit_by_code(s, "BP-DX-01")
        assert unit is not None
        join_data = claims.ask_data(unit)
    # Secretaries may page and resend, anyone may ask to join with the unit's token: the data would
    # be accepted under the right message, but this one is a directive post.
    for who in ("sec_dx01", "sec_dx", "m1"):
        for data in (
            f"p:{directive_id}:0",
            f"sp:{directive_id}:0",
            f"sr:{directive_id}",
            join_data,
        ):
            answer = await forged_press(h, scene.users[who], dx01, post["message_id"], data)
            assert answer["text"] == INVALID, (who, data)
    await h.settle()
    [after] = [m for m in h.bot_messages(dx01) if m["message_id"] == post["message_id"]]
    assert after["text"] == post["text"]
    assert after["reply_markup"] == post["reply_markup"]
    assert not after["edited"]
    assert len(h.bot_messages(dx01)) == in_group  # and nothing was posted there instead


async def test_a_pager_button_still_turns_its_own_message(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await publish_sample(h, scene)
    await publish_sample(h, scene, "297-CV/BTGTU")
    sec = scene.users["sec_dx01"]
    [choose] = await h.send(sec, "/pending")
    assert choose["text"] == "Chọn văn bản cần xem:"
    [first, _second] = choose["reply_markup"]["inline_keyboard"]
    await h.press(sec, sec.id, choose["message_id"], first[0]["callback_data"])
    await h.settle(lambda: h.bot_messages(sec.id)[-1].get("edited", False))
    shown = h.bot_messages(sec.id)[-1]
    assert shown["message_id"] == choose["message_id"]
    assert "Phan Minh Tuấn" in shown["text"]  # the cell's own list, edited in place


# -- item 3: names stay out of groups ---------------------------------------------------------


async def test_name_lists_asked_in_a_group_are_answered_in_private(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await publish_sample(h, scene)
    dx01 = scene.groups["BP-DX-01"].id
    sec = scene.users["sec_dx01"]
    await h.send(sec, "/start")
    in_group = len(h.bot_messages(dx01))

    for command in (f"/pending {NUMBER}", "/pending", f"/status {NUMBER}"):
        before = len(h.bot_messages(sec.id))
        [note] = await h.send(sec, command, chat_id=dx01)
        assert note["text"].startswith(
            "📬 Đã trả lời đồng chí trong cuộc trò chuyện riêng với Chithi"
        ), command
        await h.settle(lambda b=before: len(h.bot_messages(sec.id)) > b)
        [answer] = h.bot_messages(sec.id)[before:]
        assert answer["chat"]["type"] == "private"
        if command.startswith("/pending"):
            assert "Phan Minh Tuấn" in answer["text"], command  # the names, in private
        else:
            assert "Nhóm BP-DX-01" in answer["text"]

    # Someone who never opened a private chat with the bot is told how to.
    sec_dx = scene.users["sec_dx"]
    [hint] = await h.send(sec_dx, f"/pending {NUMBER}", chat_id=dx01)
    assert hint["text"].startswith("Danh sách có tên từng người chỉ được gửi trong tin nhắn riêng.")
    assert "https://t.me/chithi_bot" in hint["text"]
    [hint] = await h.send(scene.users["m1"], f"/status {NUMBER}", chat_id=dx01)
    assert hint["text"].startswith("Danh sách có tên từng người chỉ được gửi")

    await h.settle()
    said = h.bot_messages(dx01)[in_group:]
    assert len(said) == 5  # one short line per command, nothing else
    assert not [n for m in said for n in NAMES if n in m["text"]]
    assert h.bot_messages(sec_dx.id) == []


# -- item 4: one refusal for "no such" and "not yours" ------------------------------------------


def same_refusal(a: str, typed_a: str, b: str, typed_b: str) -> None:
    assert typed_a in a and typed_b in b
    assert a.replace(typed_a, "<typed>") == b.replace(typed_b, "<typed>")


async def test_codes_and_numbers_of_others_are_refused_as_if_unknown(h: Harness) -> None:
    scene = await build_scene(h)
    await publish_as(
        h, scene, draft(ELSEWHERE, targets=["BP-BL"], report_by=naive("20/03/2027 17:00"))
    )
    sec, m1 = scene.users["sec_dx"], scene.users["m1"]
    for command in (
        "/pending {}",
        "/status {}",
        "/report {} xong",
        "/deadline {} nhan 25/02/2027 17:00",
    ):
        [theirs] = await h.send(sec, command.format(ELSEWHERE))
        [none] = await h.send(sec, command.format("9999-XX"))
        same_refusal(theirs["text"], ELSEWHERE, none["text"], "9999-XX")
        assert theirs["text"].startswith(f"Không tìm thấy văn bản số {ELSEWHERE}."), command
    # the typed number is shown as typed (escaped for HTML), not parsed as markup
    [odd] = await h.send(sec, "/deadline <b>1 nhan 25/02/2027 17:00")
    assert odd["text"].startswith("Không tìm thấy văn bản số <b>1.")
    async with h.db() as s:
        directive = await s.scalar(select(Directive).where(Directive.number == ELSEWHERE))
        assert directive is not None and directive.receive_by is None
        assert (
            await s.scalar(select(func.count()).where(ReportCycle.submitted_at.is_not(None))) == 0
        )

    # /link from a member of the cell: an existing code and a made-up one get the same answer,
    # which names neither the unit nor its secretaries.
    dx01 = scene.groups["BP-DX-01"].id
    [taken] = await h.send(m1, "/link BP-DX-01", chat_id=dx01)
    [made_up] = await h.send(m1, "/link BP-XX-99", chat_id=dx01)
    same_refusal(taken["text"], "BP-DX-01", made_up["text"], "BP-XX-99")
    assert "Chi bộ trạm y tế 1" not in taken["text"]
    assert not [n for n in NAMES if n in taken["text"] or n.split()[-1] in taken["text"]]
    # a secretary asking for a unit above theirs: the same
    [above] = await h.send(scene.users["sec_dx01"], "/link BP-DX", chat_id=dx01)
    same_refusal(above["text"], "BP-DX", made_up["text"], "BP-XX-99")


# -- item 11: an edited command does not run again ----------------------------------------------


async def test_an_edited_command_runs_nothing(h: Harness) -> None:
    scene = await build_scene(h)
    await publish_as(h, scene, draft("45-CV/HU", study_by=naive("20/01/2027 17:00")))
    admin = scene.users["admin"]
    sent = h.sandbox.send_text(h.token, admin.id, "/deadline 45-CV/HU hoc 25/01/2027 17:00")
    await h.settle(lambda: len(h.bot_messages(admin.id)) == 1)
    assert h.bot_messages(admin.id)[0]["text"].startswith("✅ Đã đổi hạn học tập")

    await h.edit(admin, sent["message_id"], "/deadline 45-CV/HU hoc 28/01/2027 17:00")
    await h.edit(admin, sent["message_id"], "/deadline 45-CV/HU hoc 25/01/2027 17:00 ")
    assert len(h.bot_messages(admin.id)) == 1  # no answer to an edit
    async with h.db() as s:
        directive = await s.scalar(select(Directive).where(Directive.number == "45-CV/HU"))
        assert directive is not None
        assert directive.study_by == local("25/01/2027 17:00")
        moves = await s.scalar(select(func.count()).where(AuditEvent.action == "deadline"))
        assert moves == 1

    # /report: an edited report is not submitted again; a group's edited /pending says nothing.
    await publish_as(h, scene, draft("46-CV/HU", report_by=naive("20/03/2027 17:00")))
    sec = scene.users["sec_dx01"]
    sent = h.sandbox.send_text(h.token, sec.id, "/report 46-CV/HU Đã học xong")
    await h.settle(lambda: len(h.bot_messages(sec.id)) == 1)
    await h.edit(sec, sent["message_id"], "/report 46-CV/HU Đã học xong, 30/31 người")
    dx01 = scene.groups["BP-DX-01"].id
    in_group = len(h.bot_messages(dx01))
    asked = h.sandbox.send_text(h.token, sec.id, "/help", chat_id=dx01)
    await h.settle(lambda: len(h.bot_messages(dx01)) == in_group + 1)
    await h.edit(sec, asked["message_id"], "/pending", chat_id=dx01)
    assert len(h.bot_messages(sec.id)) == 1 and len(h.bot_messages(dx01)) == in_group + 1
    async with h.db() as s:
        reports = await s.scalar(select(func.count()).where(AuditEvent.action == "report"))
        texts = (
            await s.scalars(select(ReportCycle.text).where(ReportCycle.text.is_not(None)))
        ).all()
    assert reports == 1 and list(texts) == ["Đã học xong"]
