"""Proof of study: pressing "Đã học tập" on a directive with questions sends them in private;
wrong answers record no "studied", right ones record it once; a member may retry; forged
answers are refused; the scores are there for exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.services import quiz
from bot.services.drafts import DraftError, read_directive_file
from storage.models import Confirmation, Member, QuizAttempt
from tests.kit.harness import Harness, buttons_of
from tests.kit.reminders import fast_harness, publish_as, start_private
from tests.kit.scene import Scene, build_scene

NUMBER = "88-CV/HU"
TOML = """
[[directive]]
number = "88-CV/HU"
title = "V/v học tập Chỉ thị 05"
issuer = "Thành ủy Đồng Xoài"
targets = ["BP-DX"]
body = "Đề nghị các chi bộ tổ chức học tập và trả lời câu hỏi kiểm tra."
pass_mark = 2

[[directive.quiz]]
question = "Chỉ thị 05 về nội dung gì?"
options = ["Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "Phòng cháy"]
answer = 1

[[directive.quiz]]
question = "Chi bộ báo cáo kết quả khi nào?"
options = ["Hằng tháng", "Hằng quý", "Hằng năm"]
answer = 2
"""


def group_post(h: Harness, scene: Scene) -> dict[str, Any]:
    group = scene.groups["BP-DX-01"].id
    [post] = [m for m in h.bot_messages(group) if m.get("reply_markup")]
    return post


async def press_studied(h: Harness, scene: Scene, key: str) -> str:
    post = group_post(h, scene)
    studied = next(b for b in buttons_of(post) if b["text"] == "📖 Đã học tập")
    toast = await h.press(
        scene.users[key], scene.groups["BP-DX-01"].id, post["message_id"], studied["callback_data"]
    )
    return str(toast.get("text"))


def quiz_message(h: Harness, scene: Scene, key: str) -> dict[str, Any]:
    return next(m for m in reversed(h.bot_messages(scene.id(key))) if "câu" in m.get("text", ""))


async def choose(h: Harness, scene: Scene, key: str, option: int) -> dict[str, Any]:
    """Press option ``option`` (from 0) of the question shown; the message as edited."""
    message = quiz_message(h, scene, key)
    button = buttons_of(message)[option]
    await h.press(scene.users[key], scene.id(key), message["message_id"], button["callback_data"])
    await h.settle()
    return next(
        m for m in h.bot_messages(scene.id(key)) if m["message_id"] == message["message_id"]
    )


async def studied_rows(h: Harness, scene: Scene, key: str) -> int:
    async with h.db() as s:
        member_id = await s.scalar(select(Member.id).where(Member.telegram_id == scene.id(key)))
        return int(
            await s.scalar(
                select(func.count(Confirmation.id)).where(
                    Confirmation.member_id == member_id, Confirmation.kind == "studied"
                )
            )
            or 0
        )


async def test_studied_is_recorded_only_at_the_pass_mark_once_with_a_retry(
    sandbox: Any, db_url: str, clock: Any, tmp_path: Path
) -> None:
    (tmp_path / "d.toml").write_text(TOML, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    assert draft.quiz[1]["answer"] == 1  # the file counts options from 1
    async with fast_harness(sandbox, db_url, clock) as h:
        scene = await build_scene(h)
        await start_private(h, scene, "m1", "sec_dx")
        directive_id = await publish_as(h, scene, draft)

        # no private chat: told to open the bot, nothing opened, "received" still recorded
        toast = await press_studied(h, scene, "m2")
        assert toast.startswith("📝 Văn bản 88-CV/HU có câu hỏi kiểm tra. Xin mở @chithi_bot")
        assert await studied_rows(h, scene, "m2") == 0

        toast = await press_studied(h, scene, "m1")
        assert "Câu hỏi đã được gửi tới đồng chí trong tin nhắn riêng" in toast
        first = quiz_message(h, scene, "m1")
        assert first["text"].startswith("📝 88-CV/HU — câu 1/2")
        assert "Chỉ thị 05 về nội dung gì?" in first["text"]
        assert [b["text"] for b in buttons_of(first)][1] == "Phòng cháy"

        # a forged answer (an option the message does not carry) is refused
        query_id = h.sandbox.press_button(
            h.token, scene.id("m1"), scene.id("m1"), first["message_id"], "qz:1:1:0", forged=True
        )
        await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[query_id]["text"] == "Nút này không còn dùng được."

        # wrong, then right: 1/2, under the pass mark of 2: no "studied"
        second = await choose(h, scene, "m1", 1)
        assert second["text"].startswith("📝 88-CV/HU — câu 2/2")
        result = await choose(h, scene, "m1", 1)
        assert result["text"].startswith("Đồng chí trả lời đúng 1/2 câu, chưa đạt (cần 2).")
        assert await studied_rows(h, scene, "m1") == 0
        assert [b["text"] for b in buttons_of(result)] == ["🔁 Làm lại"]

        # retry: both right, "studied" recorded once
        again = await choose(h, scene, "m1", 0)
        assert again["text"].startswith("📝 88-CV/HU — câu 1/2")
        await choose(h, scene, "m1", 0)
        result = await choose(h, scene, "m1", 1)
        assert result["text"].startswith("✅ Đồng chí trả lời đúng 2/2 câu (cần 2).")
        assert "reply_markup" not in result
        assert await studied_rows(h, scene, "m1") == 1

        # pressing again in the group: already studied, no new attempt
        toast = await press_studied(h, scene, "m1")
        assert toast == "Đồng chí đã xác nhận đã học tập văn bản 88-CV/HU rồi."
        assert await studied_rows(h, scene, "m1") == 1

        async with h.db() as s:
            attempts = (await s.scalars(select(QuizAttempt).order_by(QuizAttempt.id))).all()
            assert [(a.answers, a.score, a.passed) for a in attempts] == [
                ([1, 1], 1, False),
                ([0, 1], 2, True),
            ]
            scores = await quiz.latest_scores(s, directive_id)
            m1 = await s.scalar(select(Member.id).where(Member.telegram_id == scene.id("m1")))
            assert m1 is not None
            assert (scores[m1].score, scores[m1].total, scores[m1].passed) == (2, 2, True)
            assert scores[m1].attempts == 2 and len(scores) == 1
            received = await s.scalar(
                select(func.count(Confirmation.id)).where(
                    Confirmation.directive_id == directive_id, Confirmation.kind == "received"
                )
            )
            assert received == 2  # m1 and m2: the press itself confirms receipt

        # The answers go into the export: the latest attempt's score, the attempts, each answer.
        sec = scene.users["sec_dx"]
        await h.send(sec, f"/export {NUMBER}", replies=2)
        await h.sandbox.wait_for(
            lambda: len([m for m in h.bot_messages(sec.id) if m.get("document")]) >= 2
        )
        xlsx = [m for m in h.bot_messages(sec.id) if m.get("document")][-2]
        book = load_workbook(io.BytesIO(bytes(h.sandbox.files[xlsx["document"]["file_id"]].data)))
        rows = list(book["Đảng viên"].iter_rows(values_only=True))
        assert rows[0][-3:] == ("Điểm kiểm tra", "Số lần làm bài", "Câu trả lời lần cuối")
        by_name = {r[3]: r for r in rows[1:]}
        assert by_name["Phan Minh Tuấn"][-3:] == (
            "2/2",
            2,
            "Câu 1: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh (đúng); "
            "Câu 2: Hằng quý (đúng)",
        )
        assert by_name["Lý Thanh Dung"][-3:] == (None, None, None)  # pressed, never answered


async def test_a_forged_answer_to_someone_elses_attempt_records_nothing(
    sandbox: Any, sqlite_url: str, clock: Any, tmp_path: Path
) -> None:
    (tmp_path / "d.toml").write_text(TOML, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    async with fast_harness(sandbox, sqlite_url, clock) as h:
        scene = await build_scene(h)
        await start_private(h, scene, "m1", "m3")
        await publish_as(h, scene, draft)
        await press_studied(h, scene, "m1")
        async with h.db() as s:
            attempt = await s.scalar(select(QuizAttempt.id))
        # m3 sends m1's attempt data (the service's checks behind the buttons' own check)
        for data in (f"qz:{attempt}:0:0", f"qz:{attempt}:r", "qz:x:0:0", f"qz:{attempt}:0:9"):
            async with h.db() as s:
                step = await quiz.answer(
                    s, data, scene.id("m3"), scene.id("m3"), h.rt.now(), h.rt.texts.for_lang("vi")
                )
            assert step.status == quiz.INVALID
        async with h.db() as s:
            [a] = (await s.scalars(select(QuizAttempt))).all()
            assert a.answers == [] and a.finished_at is None
            # m1's own press out of order (question 2 before question 1) is refused too
            step = await quiz.answer(
                s,
                f"qz:{attempt}:1:1",
                scene.id("m1"),
                scene.id("m1"),
                h.rt.now(),
                h.rt.texts.for_lang("vi"),
            )
            assert step.status == quiz.INVALID


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("pass_mark = 3", "rule-pass-mark"),
        ("requires_study = false", "rule-quiz-without-study"),
    ],
)
def test_quiz_rules_are_checked_with_the_directive(tmp_path: Path, extra: str, key: str) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.services.directive_rules import check_draft

    text = TOML.replace("pass_mark = 2\n", extra + "\n")
    (tmp_path / "d.toml").write_text(text, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    with pytest.raises(DraftError) as caught:
        check_draft(draft, now=datetime(2027, 1, 10, tzinfo=UTC), tz=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert caught.value.key == key
