"""Plain data kept by the sandbox: users, chats, bots, messages, files and call records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox.limits import FloodStats

JSON = dict[str, Any]

PRIVATE = "private"
GROUP_TYPES = ("group", "supergroup")
CHAT_TYPES = ("group", "supergroup", "channel")
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
ACTIVE_STATUSES = ("creator", "administrator", "member", "restricted")


@dataclass
class SandboxUser:
    """A Telegram account (a person or a bot)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    phone_number: str | None = None  # what a request_contact button shares (not in ``User``)

    def to_api(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


@dataclass
class SandboxChat:
    """A group, supergroup or channel, or a private chat (whose id is the user's id)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: SandboxUser | None = None  # the other party of a private chat
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    migrated_to: int | None = None
    migrated_from: int | None = None
    deleted: bool = False

    @property
    def is_group(self) -> bool:
        """Groups and supergroups have the 20 messages per minute limit."""
        return self.type in GROUP_TYPES

    def to_api(self) -> JSON:
        """The Bot API ``Chat`` object."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.user is not None:
            data.update({k: v for k, v in self.user.to_api().items() if k not in ("id", "is_bot")})
            data.pop("language_code", None)
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass
class StoredFile:
    """Bytes uploaded by a bot or a user, addressable by ``file_id`` and ``file_path``."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    kind: str = "document"
    width: int = 0
    height: int = 0


@dataclass
class StoredMessage:
    """One message in a conversation; ``data`` is its current Bot API ``Message`` object."""

    chat_id: int
    message_id: int
    data: JSON
    bot_id: int | None  # the sending bot, None for users
    conv_bot: int  # private chats are per bot; 0 for shared chats
    seq: int = 0  # global send order across chats
    edited: bool = False
    pinned: bool = False
    deleted: bool = False

    def snapshot(self) -> JSON:
        """A copy of the message with the sandbox's state flags added."""
        return {**self.data, "edited": self.edited, "pinned": self.pinned, "deleted": self.deleted}


@dataclass
class RecordedCall:
    """One Bot API request as the server saw and answered it."""

    method: str
    params: JSON
    chat_id: int | None
    at: float
    ok: bool
    error_code: int | None
    token: str
    description: str | None = None
    result: Any = None
    # "json" for a JSON body; "form" for query strings, urlencoded and multipart bodies, whose
    # values were all text on the wire (``params`` holds them decoded).
    encoding: str = "json"
    # "http": a request to the server; "webhook": the call a webhook's answer carried
    # (executed, its result sent nowhere).
    via: str = "http"


@dataclass
class SandboxStats:
    """Counters: requests per method and 429s answered (total and per reason)."""

    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    flood: FloodStats = field(default_factory=FloodStats)

    @property
    def flood_total(self) -> int:
        """All 429 answers."""
        return self.flood.total

    @property
    def flood_by_reason(self) -> Counter[str]:
        """429 answers per binding limit: ``global``, ``per_chat``, ``per_group``."""
        return self.flood.by_reason

    def to_dict(self) -> JSON:
        """A JSON-friendly copy."""
        return {
            "requests": dict(self.requests),
            "errors": {str(k): v for k, v in self.errors.items()},
            "flood_total": self.flood_total,
            "flood_by_reason": dict(self.flood_by_reason),
        }
