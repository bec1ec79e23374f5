"""Bot API methods changing existing messages: edits, deletes, pins, callback answers."""

from __future__ import annotations

from typing import Any

from sandbox.api_messages import with_text
from sandbox.errors import bad_request
from sandbox.keyboards import check_reply_markup
from sandbox.params import Params
from sandbox.state import SandboxChat, StoredMessage
from sandbox.text import (
    EDITED_CAPTION_TOO_LONG,
    EDITED_TEXT_TOO_LONG,
    MAX_CALLBACK_TEXT,
    caption_text,
    check_length,
    message_text,
)
from sandbox.world import BotAccount, World

JSON = dict[str, Any]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _editable(w: World, bot: BotAccount, p: Params) -> tuple[SandboxChat, StoredMessage]:
    if p.has("inline_message_id"):
        raise bad_request("message to edit not found")  # inline mode is not simulated
    chat = w.resolve(p.raw("chat_id"))
    w.check_access(bot, chat, send=False)
    stored = w.find_message(chat, bot.id, p.req_int("message_id"))
    if stored is None:
        raise bad_request("message to edit not found")
    if stored.bot_id != bot.id:
        raise bad_request("message can't be edited")
    return chat, stored


def _apply(
    w: World, bot: BotAccount, chat: SandboxChat, stored: StoredMessage, changes: JSON
) -> JSON:
    """Refuse no-op edits, charge the per-chat limit, then update the stored message."""
    old = stored.data
    if all(old.get(k) == v for k, v in changes.items()):
        raise bad_request(NOT_MODIFIED)
    w.flood.acquire(bot.id, chat.id, is_group=chat.is_group, edit=True)
    for key, value in changes.items():
        if value is None:
            old.pop(key, None)
        else:
            old[key] = value
    old["edit_date"] = w.now()
    stored.edited = True
    w.notify()
    return old


async def edit_message_text(w: World, bot: BotAccount, p: Params) -> JSON:
    """editMessageText; omitting reply_markup removes the inline keyboard, as on Telegram."""
    chat, stored = _editable(w, bot, p)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    text = message_text(
        p.str_("text"), p.str_("parse_mode"), p.list_("entities"), too_long=EDITED_TEXT_TOO_LONG
    )
    changes = with_text({"entities": None}, "text", text)
    changes["reply_markup"] = check_reply_markup(p.dict_("reply_markup"))
    return _apply(w, bot, chat, stored, changes)


async def edit_message_caption(w: World, bot: BotAccount, p: Params) -> JSON:
    """editMessageCaption on photo/document messages."""
    chat, stored = _editable(w, bot, p)
    if "text" in stored.data:
        raise bad_request("there is no caption in the message to edit")
    caption = caption_text(
        p.str_("caption"),
        p.str_("parse_mode"),
        p.list_("caption_entities"),
        too_long=EDITED_CAPTION_TOO_LONG,
    )
    changes = with_text({"caption": None, "caption_entities": None}, "caption", caption)
    changes["reply_markup"] = check_reply_markup(p.dict_("reply_markup"))
    return _apply(w, bot, chat, stored, changes)


async def edit_message_reply_markup(w: World, bot: BotAccount, p: Params) -> JSON:
    """editMessageReplyMarkup; no reply_markup means removing the keyboard."""
    chat, stored = _editable(w, bot, p)
    markup = check_reply_markup(p.dict_("reply_markup"))
    return _apply(w, bot, chat, stored, {"reply_markup": markup})


async def delete_message(w: World, bot: BotAccount, p: Params) -> bool:
    """deleteMessage: own messages anywhere, others' in private chats or as an admin."""
    chat = w.resolve(p.raw("chat_id"))
    w.check_access(bot, chat, send=False)
    stored = w.find_message(chat, bot.id, p.req_int("message_id"))
    if stored is None:
        raise bad_request("message to delete not found")
    if stored.bot_id != bot.id and not w.is_admin(bot, chat):
        raise bad_request("message can't be deleted")
    stored.deleted = True
    w.notify()
    return True


def _pin_rights(w: World, bot: BotAccount, chat: SandboxChat) -> None:
    w.check_access(bot, chat, send=False)
    if not w.is_admin(bot, chat):
        raise bad_request("not enough rights to manage pinned messages in the chat")


async def pin_chat_message(w: World, bot: BotAccount, p: Params) -> bool:
    """pinChatMessage (the bot must be an admin outside private chats)."""
    chat = w.resolve(p.raw("chat_id"))
    _pin_rights(w, bot, chat)
    stored = w.find_message(chat, bot.id, p.req_int("message_id"))
    if stored is None:
        raise bad_request("message to pin not found")
    stored.pinned = True
    w.notify()
    return True


async def unpin_chat_message(w: World, bot: BotAccount, p: Params) -> bool:
    """unpinChatMessage: the given message, or the most recently pinned one."""
    chat = w.resolve(p.raw("chat_id"))
    _pin_rights(w, bot, chat)
    history = w.conversation(chat, bot.id)
    pinned = [m for m in history if m.pinned and not m.deleted]
    message_id = p.int_("message_id")
    if message_id is not None:
        pinned = [m for m in pinned if m.message_id == message_id]
    if not pinned:
        raise bad_request("message to unpin not found")
    pinned[-1].pinned = False
    w.notify()
    return True


async def unpin_all_chat_messages(w: World, bot: BotAccount, p: Params) -> bool:
    """unpinAllChatMessages."""
    chat = w.resolve(p.raw("chat_id"))
    _pin_rights(w, bot, chat)
    for stored in w.conversation(chat, bot.id):
        stored.pinned = False
    w.notify()
    return True


async def answer_callback_query(w: World, bot: BotAccount, p: Params) -> bool:
    """answerCallbackQuery: once per query, text up to 200 UTF-16 code units."""
    query_id = p.req_str("callback_query_id")
    record = w.callbacks.get(query_id)
    if record is None or record.bot_id != bot.id or record.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.str_("text")
    check_length(text, MAX_CALLBACK_TEXT, EDITED_TEXT_TOO_LONG)
    record.answered = True
    w.callback_answers[query_id] = {
        "text": text,
        "show_alert": p.bool_("show_alert"),
        "url": p.str_("url"),
        "cache_time": p.int_("cache_time", 0),
    }
    w.notify()
    return True
