"""The simulated Telegram: accounts, chats, conversations, access rules and update fan-out."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.errors import ApiError, bad_request, chat_not_found, forbidden
from sandbox.html import utf16_slice
from sandbox.limits import FloodController, FloodLimits
from sandbox.objects import json_copy
from sandbox.state import (
    ACTIVE_STATUSES,
    PRIVATE,
    RecordedCall,
    SandboxChat,
    SandboxStats,
    SandboxUser,
    StoredFile,
    StoredMessage,
)
from sandbox.updates import UpdateQueue, WebhookConfig

JSON = dict[str, Any]

GROUP_ANONYMOUS_BOT = SandboxUser(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)


@dataclass
class BotAccount:
    """A bot registered with the sandbox: its user, token, settings and update queue."""

    user: SandboxUser
    token: str
    reads_all: bool
    queue: UpdateQueue
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    webhook: WebhookConfig | None = None

    @property
    def id(self) -> int:
        """The bot's user id (the token's prefix)."""
        return self.user.id


@dataclass
class CallbackRecord:
    """A callback query sent to a bot, to validate answerCallbackQuery."""

    bot_id: int
    answered: bool = False


class World:
    """State and rules shared by the HTTP layer, the method handlers and the test actors."""

    def __init__(self, limits: FloodLimits, *, require_start: bool = True) -> None:
        self.limits = limits
        self.require_start = require_start
        self.stats = SandboxStats()
        self.flood = FloodController(limits, stats=self.stats.flood)
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.bots: dict[str, BotAccount] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.history: dict[tuple[int, int], dict[int, StoredMessage]] = {}
        self._last_id: dict[tuple[int, int], int] = {}
        self._bot_sent: list[StoredMessage] = []  # in send order, for messages()
        self._bot_sent_in: dict[int, list[StoredMessage]] = {}  # per chat id, same order
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.calls: list[RecordedCall] = []
        self.blocked: set[tuple[int, int]] = set()  # (bot id, user id)
        self.started: set[tuple[int, int]] = set()  # private chats the user has opened
        # The reply keyboard a bot last showed in a chat: (chat id, bot id) -> markup.
        self.reply_keyboards: dict[tuple[int, int], JSON] = {}
        self._user_ids = itertools.count(100_000_001)
        self._bot_ids = itertools.count(7_000_000_001)
        self._group_ids = itertools.count(4_100_000_001)
        self._super_ids = itertools.count(1_002_100_000_001)
        self._serial = itertools.count(1)
        self._changed = asyncio.Event()
        self.http: aiohttp.ClientSession | None = None  # for webhook delivery

    # -- change notification (for wait_for) ---------------------------------------------
    def notify(self) -> None:
        """Wake everything waiting in ``wait_for``."""
        self._changed.set()
        self._changed = asyncio.Event()

    def serial(self) -> int:
        """A process-unique increasing number (callback ids, file ids, album ids)."""
        return next(self._serial)

    @staticmethod
    def now() -> int:
        """Unix time as Telegram's ``date`` fields use it."""
        return int(time.time())

    def webhook_reply(self, bot: BotAccount, method: str, values: JSON) -> None:
        """Execute the Bot API call carried by a webhook's answer (``SandboxServer``, which
        runs the methods, does)."""
        raise NotImplementedError

    # -- registries ---------------------------------------------------------------------
    def new_user(self, **fields: Any) -> SandboxUser:
        """Register a person and their private chat."""
        user = SandboxUser(id=next(self._user_ids), **fields)
        self.users[user.id] = user
        self.chats[user.id] = SandboxChat(id=user.id, type=PRIVATE, user=user)
        return user

    def new_bot(
        self, username: str, first_name: str, reads_all: bool, token: str | None = None
    ) -> BotAccount:
        """Register a bot account with a fresh token, or with ``token`` ("<bot id>:<secret>",
        so a config file written beforehand can name it)."""
        if token is None:
            user_id = next(self._bot_ids)
            token = f"{user_id}:AA{secrets.token_urlsafe(24)[:33]}"
        else:
            bot_id, _, secret = token.partition(":")
            if not bot_id.isdigit() or not secret or token in self.bots:
                raise ValueError("token must look like '<bot id>:<secret>' and be new")
            user_id = int(bot_id)
            if user_id in self.users:
                raise ValueError(f"id {user_id} is already taken")
        user = SandboxUser(user_id, first_name, username=username, is_bot=True)
        bot = BotAccount(user, token, reads_all, UpdateQueue(first_id=100_000_001))
        self.users[user.id] = user
        self.bots[token] = bot
        return bot

    def new_chat(self, type: str, title: str, username: str | None) -> SandboxChat:
        """Register a group (small negative id) or supergroup/channel (-100... id)."""
        ids = self._group_ids if type == "group" else self._super_ids
        chat = SandboxChat(id=-next(ids), type=type, title=title, username=username)
        self.chats[chat.id] = chat
        return chat

    def bot(self, token: str) -> BotAccount:
        """The bot for ``token``; ValueError for unknown tokens (test helper misuse)."""
        try:
            return self.bots[token]
        except KeyError:
            raise ValueError(f"unknown bot token {token!r}") from None

    def user(self, user_id: int) -> SandboxUser:
        """A registered user; ValueError otherwise."""
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user id {user_id}") from None

    def chat(self, chat_id: int) -> SandboxChat:
        """A registered chat; ValueError otherwise."""
        try:
            return self.chats[chat_id]
        except KeyError:
            raise ValueError(f"unknown chat id {chat_id}") from None

    def bots_in(self, chat: SandboxChat) -> list[BotAccount]:
        """Bots currently in a group/channel (active membership)."""
        return [b for b in self.bots.values() if chat.members.get(b.id) in ACTIVE_STATUSES]

    def chat_id_of(self, value: Any) -> int | None:
        """Best-effort chat id of a ``chat_id`` parameter (for call records)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value.lstrip("-").isdigit():
                return int(value)
            for chat in self.chats.values():
                if chat.username and f"@{chat.username}".lower() == value.lower():
                    return chat.id
        return None

    # -- bot-side access rules ----------------------------------------------------------
    def resolve(self, value: Any) -> SandboxChat:
        """The chat a bot call refers to, with migration / deletion errors."""
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        chat_id = self.chat_id_of(value)
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None or chat.deleted:
            raise chat_not_found()
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def check_access(self, bot: BotAccount, chat: SandboxChat, *, send: bool) -> None:
        """Raise Telegram's 403/400 answers when ``bot`` may not use ``chat``."""
        if chat.type == PRIVATE:
            assert chat.user is not None
            if chat.user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if (bot.id, chat.id) in self.blocked:
                raise forbidden("bot was blocked by the user")
            if send and self.require_start and (bot.id, chat.id) not in self.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        status = chat.members.get(bot.id, "left")
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status not in ACTIVE_STATUSES:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if send and chat.type == "channel" and status not in ("administrator", "creator"):
            raise bad_request("need administrator rights in the channel chat")

    def is_admin(self, bot: BotAccount, chat: SandboxChat) -> bool:
        """Whether the bot is an administrator (always true in its private chats)."""
        return chat.type == PRIVATE or chat.members.get(bot.id) in ("administrator", "creator")

    # -- conversations ------------------------------------------------------------------
    @staticmethod
    def conv_key(chat: SandboxChat, bot_id: int) -> tuple[int, int]:
        """Private chats are one per (bot, user); groups are shared by all their bots."""
        return (bot_id if chat.type == PRIVATE else 0, chat.id)

    def add_message(
        self,
        chat: SandboxChat,
        conv_bot: int,
        content: JSON,
        *,
        sender: SandboxUser | None,
        sender_chat: SandboxChat | None = None,
        bot_id: int | None = None,
    ) -> StoredMessage:
        """Store a new message with the next message id of its conversation."""
        key = self.conv_key(chat, conv_bot)
        message_id = self._last_id.get(key, 0) + 1
        self._last_id[key] = message_id
        data: JSON = {"message_id": message_id, "date": self.now(), "chat": chat.to_api()}
        if sender is not None:
            data["from"] = sender.to_api()
        if sender_chat is not None:
            data["sender_chat"] = sender_chat.to_api()
        data.update(content)
        stored = StoredMessage(chat.id, message_id, data, bot_id, key[0], seq=self.serial())
        self.history.setdefault(key, {})[message_id] = stored
        if bot_id is not None:
            self._bot_sent.append(stored)
            self._bot_sent_in.setdefault(chat.id, []).append(stored)
        return stored

    def find_message(
        self, chat: SandboxChat, conv_bot: int, message_id: int
    ) -> StoredMessage | None:
        """A message that still exists in the conversation."""
        stored = self.history.get(self.conv_key(chat, conv_bot), {}).get(message_id)
        return None if stored is None or stored.deleted else stored

    def conversation(self, chat: SandboxChat, conv_bot: int) -> list[StoredMessage]:
        """Every message of a conversation (deleted ones included), oldest first."""
        return list(self.history.get(self.conv_key(chat, conv_bot), {}).values())

    def bot_messages(
        self, chat_id: int | None = None, token: str | None = None
    ) -> list[StoredMessage]:
        """Messages sent by bots, in send order, optionally for one chat and/or bot."""
        bot_id = self.bot(token).id if token is not None else None
        sent = self._bot_sent if chat_id is None else self._bot_sent_in.get(chat_id, [])
        return [m for m in sent if bot_id is None or m.bot_id == bot_id]

    # -- update fan-out -------------------------------------------------------------------
    def sees(self, bot: BotAccount, chat: SandboxChat, message: JSON, service: bool) -> bool:
        """Group privacy mode: which group messages reach a bot."""
        if service or bot.reads_all or chat.type == "channel" or self.is_admin(bot, chat):
            return True
        text = message.get("text") or message.get("caption") or ""
        for entity in message.get("entities") or message.get("caption_entities") or []:
            if entity["type"] == "bot_command":
                command = utf16_slice(text, entity["offset"], entity["length"])
                target = command.partition("@")[2]
                if not target or target.lower() == (bot.user.username or "").lower():
                    return True
        replied = message.get("reply_to_message") or {}
        return bool(replied.get("from", {}).get("id") == bot.id)

    def push(self, bot: BotAccount, kind: str, payload: JSON) -> None:
        """Queue one update for one bot (a copy: later state changes do not leak in)."""
        bot.queue.push(kind, json_copy(payload))
        self.notify()

    def fan_out(
        self, chat: SandboxChat, message: JSON, *, service: bool = False, edited: bool = False
    ) -> None:
        """Deliver a group/channel message (``edited``: its new version) to every bot in the
        chat that may see it."""
        kind = "channel_post" if chat.type == "channel" else "message"
        kind = f"edited_{kind}" if edited else kind
        for bot in self.bots_in(chat):
            if self.sees(bot, chat, message, service):
                bot.queue.push(kind, json_copy(message))
        self.notify()
