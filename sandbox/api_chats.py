"""Bot API methods about the bot, chats and members, and bot commands."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.objects import bot_user, chat_full_info, chat_member
from sandbox.params import Params
from sandbox.state import ACTIVE_STATUSES, PRIVATE, SandboxChat
from sandbox.text import check_length
from sandbox.world import BotAccount, World

JSON = dict[str, Any]
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMAND_DESCRIPTION = 256  # BotCommand.description: 1-256 characters
_SCOPES = frozenset({
    "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
    "chat_administrators", "chat_member",
})  # fmt: skip
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})


async def get_me(w: World, bot: BotAccount, p: Params) -> JSON:
    """getMe."""
    return bot_user(bot.user, reads_all=bot.reads_all)


def _readable(w: World, bot: BotAccount, p: Params) -> SandboxChat:
    chat = w.resolve(p.raw("chat_id"))
    w.check_access(bot, chat, send=False)
    return chat


def _status(w: World, bot: BotAccount, chat: SandboxChat, user_id: int) -> str:
    if chat.type == PRIVATE:
        return "member" if user_id in (chat.id, bot.id) else "left"
    return chat.members.get(user_id, "left")


async def get_chat(w: World, bot: BotAccount, p: Params) -> JSON:
    """getChat: a ``ChatFullInfo`` with the required fields and the pinned message."""
    chat = _readable(w, bot, p)
    history = w.conversation(chat, bot.id)
    pinned = [m for m in history if m.pinned and not m.deleted]
    return chat_full_info(chat, pinned[-1].data if pinned else None)


async def get_chat_member(w: World, bot: BotAccount, p: Params) -> JSON:
    """getChatMember for users and bots (the bot itself included)."""
    chat = _readable(w, bot, p)
    user_id = p.req_int("user_id")
    user = w.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    status = _status(w, bot, chat, user_id)
    return chat_member(user, status, chat, is_self=user_id == bot.id)


async def get_chat_administrators(w: World, bot: BotAccount, p: Params) -> list[JSON]:
    """getChatAdministrators (creator first)."""
    chat = _readable(w, bot, p)
    if chat.type == PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    ranked = sorted(
        ((uid, s) for uid, s in chat.members.items() if s in ("creator", "administrator")),
        key=lambda item: item[1] != "creator",
    )
    return [chat_member(w.users[uid], s, chat, is_self=uid == bot.id) for uid, s in ranked]


async def get_chat_member_count(w: World, bot: BotAccount, p: Params) -> int:
    """getChatMemberCount."""
    chat = _readable(w, bot, p)
    if chat.type == PRIVATE:
        return 2
    return len([s for s in chat.members.values() if s in ACTIVE_STATUSES])


async def leave_chat(w: World, bot: BotAccount, p: Params) -> bool:
    """leaveChat: the bot's membership becomes ``left``."""
    chat = _readable(w, bot, p)
    if chat.type == PRIVATE:
        raise bad_request("chat member status can't be changed in private chats")
    chat.members[bot.id] = "left"
    w.notify()
    return True


def _commands_key(w: World, bot: BotAccount, p: Params) -> str:
    scope = p.dict_("scope") or {"type": "default"}
    if scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"] in _CHAT_SCOPES:
        # As Telegram: the chat must be one the bot can reach (a private chat the user has
        # opened with it; a group it is in), never a channel.
        if "chat_id" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        chat = w.resolve(scope["chat_id"])
        if chat.type == "channel":
            raise bad_request("wrong chat type")
        w.check_access(bot, chat, send=True)
        scope = {**scope, "chat_id": chat.id}
        if scope["type"] == "chat_member":
            if not isinstance(scope.get("user_id"), int):
                raise bad_request("can't parse BotCommandScope JSON object")
            if chat.type == PRIVATE:
                raise bad_request("wrong chat type")
    language = p.str_("language_code") or ""
    return json.dumps(scope, sort_keys=True) + "|" + language


async def set_my_commands(w: World, bot: BotAccount, p: Params) -> bool:
    """setMyCommands with Telegram's command/description checks."""
    commands = p.list_("commands")
    if commands is None:
        raise bad_request("commands is empty")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        check_length(
            description, MAX_COMMAND_DESCRIPTION, "BOT_COMMAND_DESCRIPTION_INVALID", least=1
        )
    key = _commands_key(w, bot, p)
    clean = [{"command": c["command"], "description": c["description"]} for c in commands]
    if clean:
        bot.commands[key] = clean
    else:
        bot.commands.pop(key, None)
    return True


async def get_my_commands(w: World, bot: BotAccount, p: Params) -> list[JSON]:
    """getMyCommands for a scope and language."""
    return list(bot.commands.get(_commands_key(w, bot, p), []))


async def delete_my_commands(w: World, bot: BotAccount, p: Params) -> bool:
    """deleteMyCommands for a scope and language."""
    bot.commands.pop(_commands_key(w, bot, p), None)
    return True


async def close(w: World, bot: BotAccount, p: Params) -> bool:
    """close: accepted (nothing to release in the sandbox)."""
    return True


async def log_out(w: World, bot: BotAccount, p: Params) -> bool:
    """logOut: accepted (the sandbox has no cloud server to log out from)."""
    return True
