"""What /publish can add after the preview, end to end through the sandbox: a chat author
replaces an older directive (♻️ Thay thế văn bản cũ: the same checks and the same effect as
``supersedes`` in a TOML file, flood limits on) and adds questions (📝 Câu hỏi kiểm tra: the
same rules as ``[[directive.quiz]]``, then members answer them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.buttons import confirm_data
from storage.models import Confirmation, Directive, Member, Reminder
from tests.kit.harness import FakeClock, Harness, bot_on_sandbox, buttons_of, make_settings
from tests.kit.lifecycle import (
    confirmations,
    edits_per_message,
    forged_press,
    limited_harness,
    message,
    no_flood,
    posted,
    settled_counters,
)
from tests.kit.publishing import last_keyboard, say, tap
from tests.kit.reminders import draft, naive, publish_as, start_private
from tests.kit.scene import Scene, build_scene

OLD, NEW = "23-CT/TU", "45-CT/TU"
TITLE = "V/v học tập chuyên đề năm 2027"


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


async def _answer_all(h: Harness, user: Any, number: str, target: str, study: bool = True) -> None:
    """/publish up to the preview: no links, ``target`` typed, a study deadline only."""
    await say(h, user, "/publish")
    await say(h, user, number)
    await say(h, user, "V/v thực hiện chuyên đề năm 2027")
    await say(h, user, "Thành ủy Đồng Xoài")
    await say(h, user, "hôm nay")
    await say(h, user, "Đề nghị các chi bộ tổ chức học tập chuyên đề năm 2027.")
    await tap(h, user, "Bỏ qua")  # links
    await say(h, user, target)
    await tap(h, user, "Có" if study else "Không")
    await tap(h, user, "Bỏ qua")  # receive_by
    if study:
        await say(h, user, "25/01/2027 17:00")
    await tap(h, user, "Bỏ qua", replies=2)  # report_by: the preview post, the note


def _labels(msg: dict[str, Any]) -> list[str]:
    return [b["text"] for b in buttons_of(msg)]


def _link(shown: dict[str, Any]) -> str | None:
    return next((e.get("url") for e in shown.get("entities", []) if e["type"] == "text_link"), None)


async def test_a_chat_author_replaces_an_older_directive(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx01", "m1")
    old_id = await publish_as(h, scene, draft(OLD, study_by=naive("20/01/2027 17:00")))
    group = scene.groups["BP-DX-01"].id
    old_post = next(r for r in await posted(h, old_id) if r.target_telegram_id == group)
    await h.press(
        scene.users["m1"], group, old_post.message_id or 0, confirm_data(old_id, "received")
    )
    await settled_counters(h, group, old_post.message_id or 0, "Đã nhận 1/")

    # A cell's secretary may not replace what went to the whole city: refused at the step.
    sec = scene.users["sec_dx01"]
    await _answer_all(h, sec, "12-CV/CB", "BP-DX-01")
    note = last_keyboard(h, sec)
    assert _labels(note)[-2:] == ["♻️ Thay thế văn bản cũ", "📝 Câu hỏi kiểm tra"]
    ask = await tap(h, sec, "♻️ Thay thế")
    assert ask["text"].startswith("♻️ Văn bản này thay thế văn bản nào?")
    assert _labels(ask) == ["Không thay thế văn bản nào", "✖️ Huỷ"]
    refused = await say(h, sec, OLD)
    assert refused["text"].startswith(
        f"⚠️ Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách mọi đơn vị nhận văn bản {OLD}"
    )
    assert "Văn bản này thay thế văn bản nào?" in refused["text"]
    itself = await say(h, sec, "12-CV/CB")
    assert "văn bản không thể thay thế chính nó" in itself["text"]
    await tap(h, sec, "Không thay thế", replies=3)  # said, then the preview again
    said, _post, note = h.bot_messages(sec.id)[-3:]
    assert said["text"] == "Văn bản này không thay thế văn bản nào."
    assert "thay thế" not in _post["text"] and "📤 Ban hành" in _labels(note)
    await tap(h, sec, "✖️ Huỷ")

    # The admin replaces it from chat.
    admin = scene.users["admin"]
    await _answer_all(h, admin, NEW, "BP-DX-01")
    await tap(h, admin, "♻️ Thay thế")
    await say(h, admin, OLD, replies=3)
    said, preview, note = h.bot_messages(admin.id)[-3:]
    assert said["text"].startswith(f"♻️ Văn bản này sẽ thay thế văn bản số {OLD} ({TITLE})")
    assert f"♻️ Thay thế văn bản số {OLD}" in preview["text"]  # the post names it
    assert f"sẽ thay thế văn bản số {OLD}" in note["text"]
    before = await confirmations(h)
    since = len(h.sandbox.calls)
    await tap(h, admin, "📤 Ban hành")
    await h.outbox_idle()

    async with h.db() as s:
        new = (await s.scalars(select(Directive).where(Directive.number == NEW))).one()
        old = await s.get(Directive, old_id)
        assert old is not None and old.status == "superseded"
        assert (new.supersedes_id, new.supersedes_number) == (old_id, OLD)
        pending = (await s.scalars(select(Reminder).where(Reminder.state == "pending"))).all()
        assert {r.directive_id for r in pending} <= {new.id}
    # Every old post (groups and private copies) edited exactly once, within the limits.
    old_rows = await posted(h, old_id)
    sent = {(r.target_telegram_id, r.message_id or 0) for r in old_rows}
    edits = edits_per_message(h, since)
    assert {key: edits[key] for key in sent} == dict.fromkeys(sent, 1)
    assert no_flood(h)
    new_post = next(r for r in await posted(h, new.id) if r.target_telegram_id == group)
    shown = message(h, group, old_post.message_id or 0)
    assert f"Văn bản được thay thế bởi văn bản số {NEW}" in shown["text"]
    assert buttons_of(shown) == []
    assert _link(shown) == f"https://t.me/c/{str(group)[4:]}/{new_post.message_id}"
    toast = await forged_press(
        h, scene.users["m2"], group, old_post.message_id or 0, confirm_data(old_id, "received")
    )
    assert toast.startswith(f"Văn bản này đã được thay thế bởi văn bản số {NEW}")
    assert await confirmations(h) == before


async def _quiz_message(h: Harness, scene: Scene, key: str, n: int) -> dict[str, Any]:
    chat = scene.id(key)
    await h.settle(
        lambda: any(
            f"câu {n}/2" in m.get("text", "") and m.get("reply_markup")
            for m in h.bot_messages(chat)
        )
    )
    return next(
        m
        for m in reversed(h.bot_messages(chat))
        if f"câu {n}/2" in m.get("text", "") and m.get("reply_markup")
    )


async def _studied(h: Harness, scene: Scene, key: str, directive_id: int) -> int:
    async with h.db() as s:
        member_id = await s.scalar(select(Member.id).where(Member.telegram_id == scene.id(key)))
        return int(
            await s.scalar(
                select(func.count(Confirmation.id)).where(
                    Confirmation.member_id == member_id,
                    Confirmation.directive_id == directive_id,
                    Confirmation.kind == "studied",
                )
            )
            or 0
        )


async def test_a_chat_author_adds_questions_and_members_must_pass_them(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await start_private(h, scene, "m1")
    admin = scene.users["admin"]

    # A directive not to be studied is offered no questions.
    await _answer_all(h, admin, "7-TB/TU", "BP-DX-01", study=False)
    assert _labels(last_keyboard(h, admin))[-1] == "♻️ Thay thế văn bản cũ"
    await tap(h, admin, "✖️ Huỷ")

    await _answer_all(h, admin, NEW, "BP-DX-01")
    ask = await tap(h, admin, "📝 Câu hỏi kiểm tra")
    assert ask["text"].startswith("📝 Câu hỏi kiểm tra (tối đa 5 câu)")
    assert _labels(ask) == ["Không dùng câu hỏi", "✖️ Huỷ"]
    refused = await say(h, admin, "Chuyên đề năm 2027 là gì?\nHọc tập\nPhòng cháy")
    assert refused["text"].startswith("⚠️ Hãy thêm dấu * trước đúng một phương án")
    refused = await say(h, admin, "Chuyên đề năm 2027 là gì?\n* Học tập")
    assert "câu 1 cần từ 2 đến 6 phương án" in refused["text"]
    added = await say(h, admin, "Chuyên đề năm 2027 là gì?\n* Học tập và làm theo Bác\nPhòng cháy")
    assert added["text"].startswith("✅ Đã thêm câu 1: Chuyên đề năm 2027 là gì?")
    assert "Phương án đúng: Học tập và làm theo Bác" in added["text"]
    assert _labels(added) == ["✅ Xong", "Không dùng câu hỏi", "✖️ Huỷ"]
    await say(h, admin, "Báo cáo khi nào?\nHằng tháng\n*Hằng quý\nHằng năm")
    ask = await tap(h, admin, "✅ Xong")
    assert ask["text"].startswith("Cần trả lời đúng bao nhiêu câu (trên 2 câu)")
    assert _labels(ask) == ["1", "2", "✖️ Huỷ"]
    refused = await say(h, admin, "3")
    assert "hãy chọn từ 1 đến 2" in refused["text"]
    await tap(h, admin, "2", replies=3)
    said, _preview, note = h.bot_messages(admin.id)[-3:]
    assert said["text"] == "📝 Câu hỏi kiểm tra: 2 câu, cần trả lời đúng 2 câu."
    assert "📝 Câu hỏi kiểm tra: 2 câu" in note["text"]
    assert _labels(note)[-1] == "📝 Soạn lại câu hỏi"
    await tap(h, admin, "📤 Ban hành")
    await h.outbox_idle()
    async with h.db() as s:
        stored = (await s.scalars(select(Directive).where(Directive.number == NEW))).one()
        assert stored.pass_mark == 2
        assert stored.quiz == [
            {
                "question": "Chuyên đề năm 2027 là gì?",
                "options": ["Học tập và làm theo Bác", "Phòng cháy"],
                "answer": 0,
            },
            {
                "question": "Báo cáo khi nào?",
                "options": ["Hằng tháng", "Hằng quý", "Hằng năm"],
                "answer": 1,
            },
        ]
        directive_id = stored.id

    # A member presses "Đã học tập": the questions come in private; one wrong answer records
    # nothing, a retry with both right records "studied" once.
    group = scene.groups["BP-DX-01"].id
    [post] = [m for m in h.bot_messages(group) if m.get("reply_markup")]
    m1 = scene.users["m1"]
    toast = await h.press(m1, group, post["message_id"], confirm_data(directive_id, "studied"))
    assert "Câu hỏi đã được gửi tới đồng chí" in str(toast.get("text"))
    for attempt in ((1, 1), (0, 1)):
        for n, option in enumerate(attempt, start=1):
            shown = await _quiz_message(h, scene, "m1", n)
            data = buttons_of(shown)[option]["callback_data"]
            await h.press(m1, m1.id, shown["message_id"], data)
            await h.settle()
        if attempt == (1, 1):
            assert await _studied(h, scene, "m1", directive_id) == 0
            result = next(
                m for m in reversed(h.bot_messages(m1.id)) if "chưa đạt" in m.get("text", "")
            )
            await h.press(m1, m1.id, result["message_id"], buttons_of(result)[0]["callback_data"])
            await h.settle()
    assert await _studied(h, scene, "m1", directive_id) == 1


async def test_questions_half_written_survive_a_restart_and_the_fifth_asks_the_pass_mark(
    sandbox: Any, db_url: str, clock: FakeClock
) -> None:
    settings = make_settings(db_url)
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene = await build_scene(h)
        admin = scene.users["admin"]
        await _answer_all(h, admin, NEW, "BP-DX-01")
        await tap(h, admin, "📝 Câu hỏi kiểm tra")
        await say(h, admin, "Câu 1?\n* Đúng\nSai")
        token = h.token

    async with bot_on_sandbox(sandbox, settings, clock=clock, token=token) as h:
        for n in range(2, 5):
            added = await say(h, admin, f"Câu {n}?\nSai\n* Đúng")
            assert added["text"].startswith(f"✅ Đã thêm câu {n}: Câu {n}?")
        added = await say(h, admin, "Câu 5?\n* Đúng\nSai")
        assert "Cần trả lời đúng bao nhiêu câu (trên 5 câu)" in added["text"]
        assert _labels(added) == ["1", "2", "3", "4", "5", "✖️ Huỷ"]
        # While it is awaited, another message gets the same question again, not the preview.
        again = await say(h, admin, "/pending", replies=2)  # its answer, then the reminder
        assert "Cần trả lời đúng bao nhiêu câu" in again["text"]
        await say(h, admin, "4", replies=3)
        assert h.bot_messages(admin.id)[-3]["text"] == (
            "📝 Câu hỏi kiểm tra: 5 câu, cần trả lời đúng 4 câu."
        )
        await tap(h, admin, "📤 Ban hành")
        async with h.db() as s:
            stored = (await s.scalars(select(Directive).where(Directive.number == NEW))).one()
        assert stored.pass_mark == 4
        assert [q["question"] for q in stored.quiz or []] == [f"Câu {n}?" for n in range(1, 6)]
        assert [q["answer"] for q in stored.quiz or []] == [0, 1, 1, 1, 0]
