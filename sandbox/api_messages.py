"""Bot API methods that send messages: sendMessage, copyMessage, forwardMessage, sendChatAction."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.keyboards import check_reply_markup
from sandbox.objects import json_copy
from sandbox.params import Params
from sandbox.state import SandboxChat, StoredMessage
from sandbox.text import caption_text, message_text
from sandbox.world import BotAccount, World

JSON = dict[str, Any]
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})  # fmt: skip


def target_chat(w: World, bot: BotAccount, p: Params, name: str = "chat_id") -> SandboxChat:
    """The chat a send-like call targets, after access checks."""
    chat = w.resolve(p.raw(name))
    w.check_access(bot, chat, send=True)
    return chat


def shallow(message: JSON) -> JSON:
    """A message as embedded in another (no nested reply)."""
    data = json_copy(message)
    data.pop("reply_to_message", None)
    return data


def reply_content(w: World, bot: BotAccount, chat: SandboxChat, p: Params) -> JSON:
    """``reply_to_message`` from reply_parameters / reply_to_message_id, or a 400."""
    params = p.dict_("reply_parameters") or {}
    message_id = params.get("message_id", p.int_("reply_to_message_id"))
    if message_id is None:
        return {}
    replied = w.find_message(chat, bot.id, int(message_id))
    if replied is not None:
        return {"reply_to_message": shallow(replied.data)}
    if params.get("allow_sending_without_reply") or p.bool_("allow_sending_without_reply"):
        return {}
    raise bad_request("message to be replied not found")


def with_text(content: JSON, key: str, formatted: tuple[str, list[JSON]] | None) -> JSON:
    """Add text/caption and its entities (only when there are some) to message content."""
    if formatted is not None:
        content[key] = formatted[0]
        if formatted[1]:
            content["entities" if key == "text" else "caption_entities"] = formatted[1]
    return content


def post(
    w: World, bot: BotAccount, chat: SandboxChat, contents: list[JSON], *, common: JSON
) -> list[StoredMessage]:
    """Charge the flood limits for every item, then store the messages as the bot's."""
    w.flood.acquire(bot.id, chat.id, is_group=chat.is_group, cost=len(contents))
    channel = chat.type == "channel"
    stored = [
        w.add_message(
            chat,
            bot.id,
            {**common, **content},
            sender=None if channel else bot.user,  # channel posts are signed by the channel
            sender_chat=chat if channel else None,
            bot_id=bot.id,
        )
        for content in contents
    ]
    w.notify()
    return stored


def common_fields(w: World, bot: BotAccount, chat: SandboxChat, p: Params) -> JSON:
    """Fields every sent message gets from the request (reply, protection)."""
    common = reply_content(w, bot, chat, p)
    if p.bool_("protect_content"):
        common["has_protected_content"] = True
    return common


async def send_message(w: World, bot: BotAccount, p: Params) -> JSON:
    """sendMessage: parse mode validation, length limits, inline keyboard checks."""
    chat = target_chat(w, bot, p)
    text = message_text(p.str_("text"), p.str_("parse_mode"), p.list_("entities"))
    markup = check_reply_markup(p.dict_("reply_markup"))
    content = with_text({}, "text", text)
    if markup is not None:
        content["reply_markup"] = markup
    common = common_fields(w, bot, chat, p)
    sent = post(w, bot, chat, [content], common=common)[0].data
    keep_reply_keyboard(w, bot, chat, p.dict_("reply_markup"))
    return sent


def keep_reply_keyboard(w: World, bot: BotAccount, chat: SandboxChat, markup: JSON | None) -> None:
    """A reply keyboard stays under the chat's input field until removed or replaced (the
    user's client shows it; ``share_contact`` presses its contact button)."""
    if not markup:
        return
    if "keyboard" in markup:
        w.reply_keyboards[(chat.id, bot.id)] = markup
    elif markup.get("remove_keyboard"):
        w.reply_keyboards.pop((chat.id, bot.id), None)


def _source(w: World, bot: BotAccount, p: Params) -> StoredMessage:
    source_chat = w.resolve(p.raw("from_chat_id"))
    w.check_access(bot, source_chat, send=False)
    found = w.find_message(source_chat, bot.id, p.req_int("message_id"))
    if found is None:
        raise bad_request("message to copy not found")
    return found


_COPIED = ("text", "entities", "caption", "caption_entities", "photo", "document")


async def copy_message(w: World, bot: BotAccount, p: Params) -> JSON:
    """copyMessage: the content without a link to the original; answers a MessageId."""
    source = _source(w, bot, p)
    chat = target_chat(w, bot, p)
    content = {k: json_copy(v) for k, v in source.data.items() if k in _COPIED}
    if p.has("caption"):
        content.pop("caption_entities", None)
        content.pop("caption", None)
        with_text(content, "caption", caption_text(p.str_("caption"), p.str_("parse_mode"), None))
    markup = check_reply_markup(p.dict_("reply_markup"))
    if markup is not None:
        content["reply_markup"] = markup
    stored = post(w, bot, chat, [content], common=common_fields(w, bot, chat, p))[0]
    return {"message_id": stored.message_id}


async def forward_message(w: World, bot: BotAccount, p: Params) -> JSON:
    """forwardMessage: the content with ``forward_origin``."""
    source = _source(w, bot, p)
    chat = target_chat(w, bot, p)
    content = {k: json_copy(v) for k, v in source.data.items() if k in _COPIED}
    original = source.data
    if "sender_chat" in original and original["chat"]["type"] == "channel":
        origin: JSON = {
            "type": "channel",
            "chat": original["sender_chat"],
            "message_id": original["message_id"],
        }
    else:
        origin = {"type": "user", "sender_user": original.get("from", {})}
    content["forward_origin"] = {**origin, "date": original["date"]}
    return post(w, bot, chat, [content], common={})[0].data


async def send_chat_action(w: World, bot: BotAccount, p: Params) -> bool:
    """sendChatAction: validated, no message, no flood charge."""
    target_chat(w, bot, p)
    if p.str_("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
