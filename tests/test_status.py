"""/status <number>: per-chat delivery of a directive in the asker's sub-trees, failures in
plain words, and **Gửi lại** that queues the failed chats again once the bot is back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.services import status
from storage.models import Chat, Delivery
from tests.kit.harness import Harness
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import build_scene

JSON = dict[str, Any]


def retry_button(message: JSON) -> str:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    [data] = [b["callback_data"] for row in rows for b in row if b["text"].startswith("🔁")]
    return str(data)


async def test_status_shows_the_kicked_chat_and_resend_delivers_it(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    dx02 = scene.groups["BP-DX-02"].id
    h.sandbox.kick_bot(h.token, dx02)
    await publish_sample(h, scene)
    admin = scene.users["admin"]

    [report] = await h.send(admin, f"/status {NUMBER}")
    text = report["text"]
    assert text.startswith("📊 Tình trạng gửi — 1208-CV/BTGTU")
    assert "Nhóm: 3 · đã gửi 2 · lỗi 1 · đang chờ 0" in text
    assert "❌ Chi bộ ấp 2 (BP-DX-02) — Nhóm BP-DX-02: lỗi — Chithi đã bị xoá khỏi nhóm" in text
    async with h.db() as s:
        sent_at = await s.scalar(
            select(Delivery.sent_at)
            .join(Chat, Delivery.chat_id == Chat.id)
            .where(Chat.telegram_id == scene.groups["BP-DX-01"].id)
            .order_by(Delivery.sent_at.desc())
        )
    assert sent_at is not None
    when = sent_at.astimezone(h.settings.locale.tz).strftime("%H:%M %d/%m/%Y")
    assert f"✅ Chi bộ trạm y tế 1 (BP-DX-01) — Nhóm BP-DX-01: đã gửi lúc {when}" in text
    assert text.index("❌") < text.index("✅")  # failures first
    data = retry_button(report)

    # While the bot is still out of the group, nothing is queued and the admin is told why.
    before = len(h.bot_messages(admin.id))
    toast = await h.press(admin, admin.id, report["message_id"], data)
    assert toast["text"] == "Đã xếp lại 0 tin để gửi."
    await h.sandbox.wait_for(lambda: len(h.bot_messages(admin.id)) > before)
    advice = h.bot_messages(admin.id)[-1]["text"]
    assert "Còn 1 nhóm chưa gửi lại được vì Chithi không còn trong nhóm" in advice

    # The secretary adds the bot back and links the group again.
    h.sandbox.add_bot_to_chat(dx02, h.token, by_user_id=scene.id("sec_dx"))
    [linked] = await h.send(scene.users["sec_dx"], "/link BP-DX-02", chat_id=dx02)
    async with h.db() as s:
        chat = await s.scalar(select(Chat).where(Chat.telegram_id == dx02))
        assert chat is not None and chat.active, linked["text"]
    before = len(h.bot_messages(admin.id))
    toast = await h.press(admin, admin.id, report["message_id"], data)
    assert toast["text"] == "Đã xếp lại 2 tin để gửi."  # the post and its QR code
    await h.sandbox.wait_for(lambda: len(h.bot_messages(admin.id)) > before)
    assert h.bot_messages(admin.id)[-1]["text"].startswith(
        "🔁 Đã xếp lại 2 tin cho 1 nhóm để gửi lại."
    )
    await h.outbox_idle()
    posts = [m for m in h.bot_messages(dx02) if m.get("reply_markup")]
    assert len(posts) == 1 and posts[0]["text"].startswith("📄 Công văn số 1208-CV/BTGTU")
    assert any(m.get("photo") for m in h.bot_messages(dx02))

    [again] = await h.send(admin, f"/status {NUMBER}")
    assert "Nhóm: 3 · đã gửi 3 · lỗi 0 · đang chờ 0" in again["text"]
    assert "reply_markup" not in again  # nothing left to resend


async def test_secretaries_see_their_subtree_and_others_are_refused(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    h.sandbox.kick_bot(h.token, scene.groups["BP-BL-01"].id)
    await publish_sample(h, scene)
    [mine] = await h.send(scene.users["sec_dx01"], f"/status {NUMBER}")
    assert "Nhóm: 1 · đã gửi 1 · lỗi 0 · đang chờ 0" in mine["text"]
    assert "BP-DX-01" in mine["text"] and "BP-DX-02" not in mine["text"]
    assert "BP-BL-01" not in mine["text"] and "reply_markup" not in mine
    # A forged resend (not a button of the pressed message) is refused and queues nothing.
    directive_data = retry_button((await h.send(scene.users["admin"], f"/status {NUMBER}"))[0])
    query = h.sandbox.press_button(
        h.token,
        scene.id("sec_dx01"),
        scene.id("sec_dx01"),
        mine["message_id"],
        directive_data,
        forged=True,
    )
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query]["text"] == "Nút này không còn hợp lệ."
    async with h.db() as s:
        failed = (await s.scalars(select(Delivery.state).where(Delivery.state == "failed"))).all()
    assert len(failed) == 2  # BP-BL-01's post and QR code are untouched

    [refused] = await h.send(scene.users["m1"], f"/status {NUMBER}")
    assert refused["text"] == "Lệnh /status dành cho bí thư và quản trị viên."
    forged = h.sandbox.press_button(
        h.token, scene.id("m1"), scene.id("m1"), refused["message_id"], directive_data, forged=True
    )
    await h.sandbox.wait_for(lambda: forged in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[forged]["text"] == "Nút này không còn hợp lệ."
    [unknown] = await h.send(scene.users["sec_dx"], "/status 9999-XX")
    assert unknown["text"].startswith("Không tìm thấy văn bản số 9999-XX.")
    [usage] = await h.send(scene.users["sec_dx"], "/status")
    assert usage["text"].startswith("Gõ /status kèm số hiệu văn bản")


def test_reasons_in_plain_words() -> None:
    cases = {
        "Forbidden: bot was kicked from the supergroup chat": "kicked",
        "Forbidden: bot is not a member of the group chat": "kicked",
        "Forbidden: bot was blocked by the user": "blocked",
        "Bad Request: chat not found": "chat-gone",
        "Bad Request: not enough rights to send text messages to the chat": "no-rights",
        "flood control: retry after 3s": "flood",
        "Timed out": "network",
        "cancelled": "cancelled",
        "Bad Request: message is too long": "other",
        None: "other",
    }
    assert {error: status.reason_code(error) for error in cases} == cases
    assert status.is_transient("Timed out") and not status.is_transient("bot was kicked")


def test_long_reports_are_paged_within_telegrams_limit() -> None:
    from zoneinfo import ZoneInfo

    from bot.i18n import Texts
    from bot.services.status_text import render_pages
    from storage.models import Directive

    chats = [
        status.ChatStatus(
            f"BP-{i:04d}",
            f"Chi bộ khu phố {i}",
            f"Nhóm <{i}>",
            status.SENT,
            datetime(2027, 1, 10, 1, 0, tzinfo=UTC),
        )
        for i in range(400)
    ]
    chats[250].state, chats[250].error = status.FAILED, "Forbidden: bot was kicked"
    report = status.StatusReport(Directive(number="1-CV/X", title="Tiêu đề"), chats)
    pages = render_pages(Texts().for_lang("vi"), report, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert len(pages) > 1 and all(len(p) <= 4096 for p in pages)
    assert "Nhóm: 400 · đã gửi 399 · lỗi 1 · đang chờ 0" in pages[-1]
    assert "❌ Chi bộ khu phố 250 (BP-0250) — Nhóm &lt;250&gt;: lỗi" in pages[0]  # failures first
    assert "đã gửi lúc 08:00 10/01/2027" in pages[0]
    assert sum(p.count("\n✅ ") + p.count("\n❌ ") for p in pages) == 400
    assert pages[1].endswith(f"Trang 2/{len(pages)}")


async def test_many_chats_are_paged_with_buttons(harness: Harness) -> None:
    from bot.services.drafts import DirectiveDraft
    from bot.services.publish import publish
    from tests.kit.broadcasting import many_groups

    h = harness
    scene = await build_scene(h)
    await many_groups(h, scene, 60)
    draft = DirectiveDraft(number="7-TB/HU", title="Lịch trực", issuer="Huyện ủy", targets=["BP"])
    async with h.db() as s:
        await publish(
            s,
            draft,
            publisher=None,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
        )
    await h.outbox_idle()
    admin = scene.users["admin"]
    [first] = await h.send(admin, "/status 7-TB/HU")
    assert "Nhóm: 63 · đã gửi 63 · lỗi 0 · đang chờ 0" in first["text"]
    pages = int(first["text"].rsplit("/", 1)[1])
    assert first["text"].endswith(f"Trang 1/{pages}") and pages >= 2
    [[next_page]] = first["reply_markup"]["inline_keyboard"]
    assert next_page["text"] == "Trang sau ›"
    await h.press(admin, admin.id, first["message_id"], next_page["callback_data"])
    await h.sandbox.wait_for(
        lambda: h.bot_messages(admin.id)[-1]["text"].endswith(f"Trang 2/{pages}")
    )
    one, two = (
        [line for line in page.splitlines() if line.startswith("✅ ")]
        for page in (first["text"], h.bot_messages(admin.id)[-1]["text"])
    )
    assert one and two and not set(one) & set(two)
    if pages == 2:
        assert len(one) + len(two) == 63
