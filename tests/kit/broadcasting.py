"""Composing and sending a broadcast through the chat, as the tests do it."""

from __future__ import annotations

from typing import Any

from storage import queries
from storage.models import Chat
from tests.kit.harness import JSON, Harness, buttons_of
from tests.kit.scene import Scene


def button(message: JSON, starts: str) -> str:
    [found] = [b for b in buttons_of(message) if b["text"].startswith(starts)]
    return str(found["callback_data"])


async def next_messages(h: Harness, chat_id: int, before: int, count: int) -> list[JSON]:
    await h.sandbox.wait_for(lambda: len(h.bot_messages(chat_id)) >= before + count, timeout=10)
    return h.bot_messages(chat_id)[before:]


async def press_and_wait(
    h: Harness, user: Any, message: JSON, data: str, new: int = 0
) -> tuple[JSON, list[JSON]]:
    """Press a button in the user's private chat; returns the toast and ``new`` bot messages."""
    before = len(h.bot_messages(user.id))
    toast = await h.press(user, user.id, message["message_id"], data)
    return toast, await next_messages(h, user.id, before, new) if new else []


async def compose(
    h: Harness,
    admin: Any,
    content: str | None,
    *,
    targets: str | None = None,
    pin: bool = False,
    photo: bytes | None = None,
    document: bytes | None = None,
) -> JSON:
    """Walk the dialogue up to the confirmation question; returns it (with its buttons)."""
    [ask] = await h.send(admin, "/broadcast")
    assert ask["text"].startswith("📣 Soạn thông báo")
    if photo is not None:
        before = len(h.bot_messages(admin.id))
        h.sandbox.send_photo(h.token, admin.id, photo, caption=content)
        [prompt] = await next_messages(h, admin.id, before, 1)
    elif document is not None:
        before = len(h.bot_messages(admin.id))
        h.sandbox.send_document(h.token, admin.id, document, "ke-hoach.pdf", caption=content)
        [prompt] = await next_messages(h, admin.id, before, 1)
    else:
        assert content is not None
        [prompt] = await h.send(admin, content)
    assert prompt["text"].startswith("Gửi đến đơn vị nào?")
    if targets is None:
        _toast, [pin_question] = await press_and_wait(
            h, admin, prompt, button(prompt, "BP — "), new=1
        )
        assert h.bot_messages(admin.id)[-2]["text"] == "Gửi đến: BP — Tỉnh ủy Bình Phước"
    else:
        [pin_question] = await h.send(admin, targets)
    assert "Có ghim thông báo" in pin_question["text"]
    choice = "📌 Có, ghim" if pin else "Không ghim"
    _toast, [intro, preview, confirm] = await press_and_wait(
        h, admin, pin_question, button(pin_question, choice), new=3
    )
    assert intro["text"].startswith("👀 Xem trước")
    if photo is not None:
        assert preview["photo"] and preview.get("caption") == content
    elif document is not None:
        assert preview["document"]["file_name"] == "ke-hoach.pdf"
        assert preview.get("caption") == content
    else:
        assert preview["text"] == content and "reply_markup" not in preview
    return confirm


async def final_progress(h: Harness, admin: Any, message_id: int, starts: str) -> str:
    def progress() -> str:
        [m] = [m for m in h.bot_messages(admin.id) if m["message_id"] == message_id]
        return str(m["text"])

    await h.sandbox.wait_for(lambda: progress().startswith(starts), timeout=20)
    return progress()


GROUPS = 60


async def many_groups(h: Harness, scene: Scene, count: int) -> list[int]:
    ids = []
    async with h.db() as s:
        unit = await queries.unit_by_code(s, "BP-PL-01")
        assert unit is not None
        for i in range(count):
            group = h.group(f"Nhóm Phước Long {i + 1}")
            h.sandbox.add_bot_to_chat(group.id, h.token, announce=False)
            s.add(Chat(telegram_id=group.id, type=group.type, title=group.title, unit_id=unit.id))
            ids.append(group.id)
    await h.settle()
    return ids
