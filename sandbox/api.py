"""The Bot API method table: lower-case method name -> handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox import api_chats, api_edit, api_media, api_messages, api_updates
from sandbox.params import Params
from sandbox.world import BotAccount, World

Handler = Callable[[World, BotAccount, Params], Awaitable[Any]]

METHODS: dict[str, Handler] = {
    "getme": api_chats.get_me,
    "getupdates": api_updates.get_updates,
    "setwebhook": api_updates.set_webhook,
    "deletewebhook": api_updates.delete_webhook,
    "getwebhookinfo": api_updates.get_webhook_info,
    "sendmessage": api_messages.send_message,
    "copymessage": api_messages.copy_message,
    "forwardmessage": api_messages.forward_message,
    "sendchataction": api_messages.send_chat_action,
    "sendphoto": api_media.send_photo,
    "senddocument": api_media.send_document,
    "sendmediagroup": api_media.send_media_group,
    "getfile": api_media.get_file,
    "editmessagetext": api_edit.edit_message_text,
    "editmessagecaption": api_edit.edit_message_caption,
    "editmessagereplymarkup": api_edit.edit_message_reply_markup,
    "deletemessage": api_edit.delete_message,
    "pinchatmessage": api_edit.pin_chat_message,
    "unpinchatmessage": api_edit.unpin_chat_message,
    "unpinallchatmessages": api_edit.unpin_all_chat_messages,
    "answercallbackquery": api_edit.answer_callback_query,
    "getchat": api_chats.get_chat,
    "getchatmember": api_chats.get_chat_member,
    "getchatadministrators": api_chats.get_chat_administrators,
    "getchatmembercount": api_chats.get_chat_member_count,
    "leavechat": api_chats.leave_chat,
    "setmycommands": api_chats.set_my_commands,
    "getmycommands": api_chats.get_my_commands,
    "deletemycommands": api_chats.delete_my_commands,
    "close": api_chats.close,
    "logout": api_chats.log_out,
}
