"""A half-written /publish or /broadcast survives a restart of the bot on the same database:
the draft is a row of ``dialogue_drafts`` (one per user), not process memory. The user goes on
where they were, finishes, and the row is gone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.models import Broadcast, DialogueDraft, Directive
from tests.kit.broadcasting import button, final_progress, press_and_wait
from tests.kit.harness import FakeClock, Harness, bot_on_sandbox, make_settings
from tests.kit.publishing import ISSUER, LINK, NUMBER, SAMPLE_1208, buttons_of, say, tap
from tests.kit.scene import build_scene


async def drafts(h: Harness) -> list[tuple[int, str, str]]:
    async with h.db() as s:
        rows = (await s.scalars(select(DialogueDraft))).all()
        return [(r.telegram_id, r.kind, r.step) for r in rows]


async def test_a_half_written_publish_survives_a_restart(
    sandbox: Any, db_url: str, clock: FakeClock
) -> None:
    settings = make_settings(db_url)
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene = await build_scene(h)
        admin = scene.users["admin"]
        await say(h, admin, "/publish")
        await say(h, admin, NUMBER)
        await say(h, admin, SAMPLE_1208.title)
        reply = await say(h, admin, ISSUER)
        assert [b["text"] for b in buttons_of(reply)] == ["Hôm nay", "✖️ Huỷ"]
        assert await drafts(h) == [(admin.id, "publish", "issued_on")]
        token = h.token

    async with bot_on_sandbox(sandbox, settings, clock=clock, token=token) as h:
        assert await drafts(h) == [(admin.id, "publish", "issued_on")]
        reply = await say(h, admin, "15/02/2019")  # the same dialogue goes on: next, the body
        assert reply["text"].startswith("Nội dung văn bản? Gửi nội dung trong một tin nhắn;")
        await say(h, admin, SAMPLE_1208.body)
        await say(h, admin, LINK)
        await tap(h, admin, "BP — ")
        await tap(h, admin, "Có")
        await say(h, admin, "20/02/2027 17:00")
        await say(h, admin, "01/03/2027 17:00")
        note = await tap(h, admin, "Bỏ qua", replies=3)  # post, QR code, note
        assert "Sẽ đăng vào 3 nhóm" in note["text"]
        assert await drafts(h) == [(admin.id, "publish", "confirm")]
        before = len(h.bot_messages(admin.id))
        answer = await h.press(
            admin, admin.id, note["message_id"], buttons_of(note)[0]["callback_data"]
        )
        assert answer["text"] == "Đã ban hành."
        await h.settle(lambda: len(h.bot_messages(admin.id)) > before)
        done = h.bot_messages(admin.id)[-1]["text"]
        assert done.startswith("✅ Đã ban hành 1208-CV/BTGTU: 3 nhóm, 0 bản gửi riêng.")
        async with h.db() as s:
            directive = await s.scalar(select(Directive))
            assert directive is not None
            assert (directive.number, directive.issuer) == (NUMBER, ISSUER)
            assert directive.issued_on.strftime("%d/%m/%Y") == "15/02/2019"
        assert await drafts(h) == []


async def test_a_half_written_broadcast_survives_a_restart(
    sandbox: Any, db_url: str, clock: FakeClock
) -> None:
    settings = make_settings(db_url)
    notice = "Họp chi bộ thường kỳ lúc 8 giờ sáng thứ Hai."
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene = await build_scene(h)
        admin = scene.users["admin"]
        await h.send(admin, "/broadcast")
        [prompt] = await h.send(admin, notice)
        assert prompt["text"].startswith("Gửi đến đơn vị nào?")
        assert await drafts(h) == [(admin.id, "broadcast", "targets")]
        token = h.token

    async with bot_on_sandbox(sandbox, settings, clock=clock, token=token) as h:
        # a button sent before the restart still belongs to the dialogue
        _toast, [pin_question] = await press_and_wait(
            h, admin, prompt, button(prompt, "BP — "), new=1
        )
        assert "Có ghim thông báo" in pin_question["text"]
        _toast, [_intro, preview, confirm] = await press_and_wait(
            h, admin, pin_question, button(pin_question, "Không ghim"), new=3
        )
        assert preview["text"] == notice  # the content typed before the restart
        assert confirm["text"] == "Gửi thông báo trên đến 3 nhóm thuộc BP?"
        assert await drafts(h) == [(admin.id, "broadcast", "confirm")]
        toast, _ = await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
        assert toast["text"] == "Đã bắt đầu gửi."
        final = await final_progress(h, admin, confirm["message_id"], "✅ Hoàn tất")
        assert final == "✅ Hoàn tất: đã gửi 3 · lỗi 0"
        async with h.db() as s:
            row = await s.scalar(select(Broadcast))
            assert row is not None and row.text == notice and not row.pin
            assert await s.scalar(select(func.count(Broadcast.id))) == 1
        assert await drafts(h) == []
        for group in scene.groups.values():
            assert [m["text"] for m in h.bot_messages(group.id)][-1] == notice
