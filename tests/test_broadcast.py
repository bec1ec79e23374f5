"""/broadcast end to end through the sandbox: dialogue → preview → confirm → one announcement per
linked chat (no buttons, pinned on request) → a progress message that ends with the totals;
**Dừng** stops the rest, and only the sender or an administrator may press it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.delivery.telegram_port import qr_png
from bot.services import broadcast
from sandbox import SandboxServer
from storage.models import Broadcast, Delivery
from tests.kit.broadcasting import (
    GROUPS,
    JSON,
    button,
    compose,
    final_progress,
    many_groups,
    press_and_wait,
)
from tests.kit.harness import Harness, MakeHarness, bot_on_sandbox, make_settings
from tests.kit.paths import SAMPLE
from tests.kit.scene import build_scene

NOTICE = "Họp chi bộ lúc 8 giờ <sáng> thứ Hai & mang theo sổ ghi chép."


def announcements(h: Harness, chat_id: int) -> list[JSON]:
    return [
        m
        for m in h.bot_messages(chat_id)
        if m.get("text") == NOTICE or m.get("photo") or m.get("document")
    ]


async def status_becomes(h: Harness, broadcast_id: int, wanted: str) -> None:
    """The worker closes a broadcast just after showing its final line."""
    for _ in range(200):
        async with h.db() as s:
            row = await s.get(Broadcast, broadcast_id)
            if row is not None and row.status == wanted:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {broadcast_id} did not become {wanted}")


async def test_admin_broadcasts_a_pinned_text_to_the_whole_tree(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    for group in scene.groups.values():  # pinning needs admin rights
        h.sandbox.add_bot_to_chat(group.id, h.token, status="administrator")
    admin = scene.users["admin"]
    confirm = await compose(h, admin, NOTICE, pin=True)
    assert confirm["text"] == "Gửi thông báo trên đến 3 nhóm thuộc BP và ghim lại?"
    toast, _ = await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    assert toast["text"] == "Đã bắt đầu gửi."
    final = await final_progress(h, admin, confirm["message_id"], "✅ Hoàn tất")
    assert final == "✅ Hoàn tất: đã gửi 3 · lỗi 0"
    [done] = [m for m in h.bot_messages(admin.id) if m["message_id"] == confirm["message_id"]]
    assert "reply_markup" not in done  # the stop button is gone
    for code, group in scene.groups.items():
        [post] = announcements(h, group.id)
        assert "reply_markup" not in post, code  # announcements need no confirmation
        assert post["pinned"], code
    async with h.db() as s:
        row = await s.scalar(select(Broadcast))
        assert row is not None and row.pin
    await status_becomes(h, row.id, broadcast.DONE)
    async with h.db() as s:
        kinds = (await s.execute(select(Delivery.kind, Delivery.state))).all()
    assert sorted(kinds) == [("announcement", "sent")] * 3
    # Pressing Gửi again sends nothing more.
    again = h.sandbox.press_button(
        h.token, admin.id, admin.id, confirm["message_id"], button(confirm, "✅ Gửi"), forged=True
    )
    await h.sandbox.wait_for(lambda: again in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[again]["text"].startswith("Nút này không còn hợp lệ")
    async with h.db() as s:
        assert await s.scalar(select(func.count(Broadcast.id))) == 1


async def test_a_photo_goes_to_the_typed_subtree_only(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    caption = "Ảnh lịch trực Tết & phân công."
    confirm = await compose(h, admin, caption, targets="BP-DX", photo=qr_png("https://x.vn/a"))
    assert confirm["text"] == "Gửi thông báo trên đến 2 nhóm thuộc BP-DX?"
    await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    assert await final_progress(h, admin, confirm["message_id"], "✅") == (
        "✅ Hoàn tất: đã gửi 2 · lỗi 0"
    )
    for code in ("BP-DX-01", "BP-DX-02"):
        [post] = announcements(h, scene.groups[code].id)
        assert post["photo"] and post["caption"] == caption and not post["pinned"]
        assert "reply_markup" not in post
    assert announcements(h, scene.groups["BP-BL-01"].id) == []

    # A file goes by its Telegram file id too, with the text as its caption.
    pdf = (SAMPLE / "phu-luc-huong-dan.pdf").read_bytes()
    confirm = await compose(h, admin, "Kế hoạch kèm theo", targets="BP-BL", document=pdf)
    await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    assert await final_progress(h, admin, confirm["message_id"], "✅") == (
        "✅ Hoàn tất: đã gửi 1 · lỗi 0"
    )
    [post] = announcements(h, scene.groups["BP-BL-01"].id)
    assert (
        post["document"]["file_name"] == "ke-hoach.pdf" and post["caption"] == "Kế hoạch kèm theo"
    )


async def test_only_admins_broadcast_and_cancel_writes_nothing(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    [refused] = await h.send(scene.users["sec_dx"], "/broadcast")
    assert refused["text"] == "Lệnh /broadcast chỉ dành cho quản trị viên."
    dx01 = scene.groups["BP-DX-01"].id
    [hint] = await h.send(scene.users["sec_dx"], "/broadcast", chat_id=dx01)
    assert hint["text"] == "Hãy dùng /broadcast trong cuộc trò chuyện riêng với Chithi."
    admin = scene.users["admin"]
    await h.send(admin, "/broadcast")
    [prompt] = await h.send(admin, NOTICE)
    [unknown] = await h.send(admin, "BP-XX")
    assert unknown["text"].startswith('Không có đơn vị mã "BP-XX".')
    [cancelled] = await h.send(admin, "/cancel")
    assert cancelled["text"] == "Đã huỷ. Không có thông báo nào được gửi."
    # The old buttons are dead and later messages are not taken as a draft.
    toast = await h.press(admin, admin.id, prompt["message_id"], button(prompt, "BP — "))
    assert toast["text"].startswith("Nút này không còn hợp lệ")
    await h.send(admin, "BP", replies=0)
    # Cancel at the confirmation step too.
    confirm = await compose(h, admin, NOTICE)
    toast, _ = await press_and_wait(h, admin, confirm, button(confirm, "✖️ Huỷ"))
    await h.sandbox.wait_for(
        lambda: h.bot_messages(admin.id)[-1]["text"] == "Đã huỷ. Không có thông báo nào được gửi."
    )
    async with h.db() as s:
        assert await s.scalar(select(func.count(Broadcast.id))) == 0
        assert await s.scalar(select(func.count(Delivery.id))) == 0
    for group in scene.groups.values():
        assert announcements(h, group.id) == []


# -- stopping a large broadcast ---------------------------------------------------------------


@pytest.fixture
async def slow(sandbox: Any, sqlite_url: str, clock: Any) -> AsyncIterator[Harness]:
    """A bot whose sender keeps to 10 messages a second: 60 chats take about 6 seconds."""
    settings = make_settings(sqlite_url, flood={"global_per_second": 10})
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        yield h


def sender_busy(h: Harness) -> bool:
    # Rows the sender took before the stop may still wait for their send slot or be in flight
    # (then the guard refuses them, or they were sent before the stop).
    sender = h.rt.sender
    assert sender is not None
    return sender.holding > 0


async def test_stop_cancels_the_rest_and_only_sender_or_admin_may_stop(slow: Harness) -> None:
    h = slow
    scene = await build_scene(h)
    groups = await many_groups(h, scene, GROUPS)
    admin = scene.users["admin"]
    confirm = await compose(h, admin, NOTICE, targets="BP-PL")
    assert confirm["text"] == f"Gửi thông báo trên đến {GROUPS} nhóm thuộc BP-PL?"
    await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    sent = lambda: sum(len(announcements(h, g)) for g in groups)  # noqa: E731
    await h.sandbox.wait_for(lambda: sent() >= 5, timeout=10)
    progress_id = confirm["message_id"]
    await final_progress(h, admin, progress_id, "📣 Đang gửi thông báo…\nĐã gửi ")
    [shown] = [m for m in h.bot_messages(admin.id) if m["message_id"] == progress_id]
    stop = button(shown, "⏹ Dừng")
    async with h.db() as s:
        broadcast_id = await s.scalar(select(Broadcast.id))
    assert stop == f"bs:{broadcast_id}"

    # Someone else forges the stop: refused, and sending goes on.
    for intruder in ("m1", "sec_dx"):
        query = h.sandbox.press_button(
            h.token, scene.id(intruder), admin.id, progress_id, stop, forged=True
        )
        await h.sandbox.wait_for(lambda q=query: q in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[query]["text"] == (
            "Chỉ người gửi hoặc quản trị viên mới dừng được thông báo này."
        )
    async with h.db() as s:
        assert (await s.get(Broadcast, broadcast_id)).status == broadcast.SENDING  # type: ignore[union-attr]

    toast = await h.press(admin, admin.id, progress_id, stop)
    calls_at_stop = len(h.sandbox.calls)
    assert toast["text"].startswith("Đã dừng: không gửi thêm tin nào nữa.")
    final = await final_progress(h, admin, progress_id, "⏹ Đã dừng")
    await h.sandbox.wait_for(lambda: not sender_busy(h), timeout=15)
    await status_becomes(h, broadcast_id, broadcast.STOPPED)
    async with h.db() as s:
        counts = await broadcast.progress(s, broadcast_id)
    assert counts.total == GROUPS and counts.pending == 0 and counts.failed == 0
    assert 5 <= counts.sent < GROUPS and counts.cancelled == GROUPS - counts.sent
    assert final == f"⏹ Đã dừng: đã gửi {counts.sent} · lỗi 0 · huỷ {counts.cancelled}"
    # Nothing was posted after the stop: the chats hold exactly the rows recorded as sent.
    assert sent() == counts.sent
    late = [
        c
        for c in h.sandbox.calls[calls_at_stop:]
        if c.method == "sendMessage" and c.chat_id in groups
    ]
    assert late == []
    # A second (forged: the button is gone) press is answered and changes nothing.
    query = h.sandbox.press_button(h.token, admin.id, admin.id, progress_id, stop, forged=True)
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query]["text"] == "Thông báo này đã được dừng."


async def test_an_admin_named_in_the_config_may_broadcast_before_start(
    sandbox: SandboxServer, make_harness: MakeHarness
) -> None:
    boss = sandbox.create_user(first_name="Sơn", last_name="Trần", language_code="vi")
    async with make_harness(bot={"admins": [boss.id]}) as h:
        await build_scene(h)
        confirm = await compose(h, boss, NOTICE, targets="BP-BL")
        await press_and_wait(h, boss, confirm, button(confirm, "✅ Gửi"))
        assert await final_progress(h, boss, confirm["message_id"], "✅") == (
            "✅ Hoàn tất: đã gửi 1 · lỗi 0"
        )
