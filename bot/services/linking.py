"""Binding Telegram chats to units (``/link``), channels from a private chat, and migrations.

Telegram facts about a channel (does it exist, who administers it) come through the small
:class:`ChannelProbe` interface, which the handler implements with the bot, and are gathered
before the transaction opens; this module imports nothing from ``telegram``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.people import TelegramPerson
from storage import queries
from storage.models import Chat, Delivery, Unit
from storage.upsert import insert_ignore

CHAT_TYPES = ("group", "supergroup", "channel")
ADMIN_STATUSES = ("creator", "administrator")
_CHANNEL_ID = re.compile(r"^-100\d{5,}$")
_CHANNEL_NAME = re.compile(r"^(?:@|(?:https?://)?t\.me/)([A-Za-z][A-Za-z0-9_]{3,31})/?$")


class LinkStatus(StrEnum):
    LINKED = "linked"  # a new chat is now bound to the unit
    UNCHANGED = "unchanged"  # it was already bound to this unit
    MOVED = "moved"  # it was bound to another unit (``previous``)
    UNLINKED = "unlinked"  # ``/unlink``: the chat no longer receives the unit's posts
    NOT_LINKED = "not-linked"  # ``/unlink`` in a chat that is not bound
    UNKNOWN_UNIT = "unknown-unit"  # no such code, or not the asker's to manage (same answer)
    REFUSED = "refused"  # the chat is bound to a unit the asker may not manage (``managers``)
    BAD_CHANNEL = "bad-channel"  # not a channel id or @username
    CHANNEL_NOT_FOUND = "channel-not-found"  # the bot cannot see it (not added, or wrong name)
    NOT_A_CHANNEL = "not-a-channel"  # a group: link it from inside the group
    USER_NOT_ADMIN = "user-not-admin"  # the asker is not an administrator of the channel
    BOT_NOT_ADMIN = "bot-not-admin"  # the bot is not an administrator of the channel


@dataclass(frozen=True)
class ChatInfo:
    """What Telegram says about a chat."""

    telegram_id: int
    type: str
    title: str


@dataclass(frozen=True)
class LinkOutcome:
    status: LinkStatus
    unit: Unit | None = None
    previous: Unit | None = None
    chat: ChatInfo | None = None
    managers: list[access.Manager] = field(default_factory=list)


class ChannelProbe(Protocol):
    """Asks Telegram about a channel on behalf of the linking service."""

    async def chat(self, ref: int | str) -> ChatInfo | None:
        """The chat for an id or ``@username``, or None if the bot cannot see it."""

    async def member_status(self, chat_id: int, user_id: int) -> str | None:
        """``creator``, ``administrator``, ``member``, ``left``...; None if unknown."""

    async def bot_status(self, chat_id: int) -> str | None:
        """The bot's own status in the chat; None if unknown."""


def parse_channel_ref(text: str) -> int | str | None:
    """``-1001234567890`` -> int, ``@name`` or ``t.me/name`` -> ``"@name"``, else None."""
    text = text.strip()
    if _CHANNEL_ID.match(text):
        return int(text)
    match = _CHANNEL_NAME.match(text)
    return f"@{match.group(1)}" if match else None


async def _may_manage(
    session: AsyncSession, asker: TelegramPerson, unit: Unit, config_admins: Collection[int]
) -> bool:
    if asker.telegram_id in config_admins:
        return True
    member = await queries.member_by_telegram_id(session, asker.telegram_id)
    return member is not None and await access.can_manage_unit(session, member, unit, config_admins)


async def _refusal(session: AsyncSession, unit: Unit) -> LinkOutcome:
    return LinkOutcome(
        LinkStatus.REFUSED, unit=unit, managers=await access.managers_of(session, unit)
    )


async def _authorise(
    session: AsyncSession, asker: TelegramPerson, code: str, config_admins: Collection[int]
) -> LinkOutcome | Unit:
    """The unit to link, or the outcome that ends the request (a code that is unknown or not
    the asker's to manage: strangers learn neither which codes exist nor who runs them).

    Reads only: a refused or mistaken request writes nothing.
    """
    unit = await access.unit_for(session, asker.telegram_id, code, config_admins)
    if unit is None:  # no such unit, or not the asker's: one answer, naming nobody
        return LinkOutcome(LinkStatus.UNKNOWN_UNIT)
    return unit


async def _bind(
    session: AsyncSession,
    asker: TelegramPerson,
    unit: Unit,
    info: ChatInfo,
    config_admins: Collection[int],
) -> LinkOutcome:
    """Bind the chat; moving it away from another unit needs the right to manage that one too."""
    chat = await queries.chat_by_telegram_id(session, info.telegram_id)
    if chat is None:
        # Two /link in one new group at once: the second waits for the first's row (no unique
        # violation) and then goes on as if the chat had been linked before.
        row = {"telegram_id": info.telegram_id, "type": info.type, "title": info.title}
        row |= {"unit_id": unit.id, "active": True}
        if await insert_ignore(session, Chat, [row], ["telegram_id"]):
            return LinkOutcome(LinkStatus.LINKED, unit=unit, chat=info)
        chat = await queries.chat_by_telegram_id(session, info.telegram_id)
        if chat is None:  # pragma: no cover - the clashing row was committed before us
            raise RuntimeError(f"chat {info.telegram_id} clashed but cannot be read")
    previous = await session.get(Unit, chat.unit_id) if chat.unit_id is not None else None
    if previous is not None and not chat.active:
        previous = None  # an unlinked chat is free to bind again
    if (
        previous is not None
        and previous.id != unit.id
        and not await _may_manage(session, asker, previous, config_admins)
    ):
        return await _refusal(session, previous)
    chat.type, chat.title, chat.unit_id = info.type, info.title, unit.id
    chat.active, chat.inactive_reason = True, None
    if previous is None:
        return LinkOutcome(LinkStatus.LINKED, unit=unit, chat=info)
    if previous.id == unit.id:
        return LinkOutcome(LinkStatus.UNCHANGED, unit=unit, chat=info)
    return LinkOutcome(LinkStatus.MOVED, unit=unit, previous=previous, chat=info)


async def link_chat(
    session: AsyncSession,
    asker: TelegramPerson,
    code: str,
    chat: ChatInfo,
    *,
    config_admins: Collection[int],
) -> LinkOutcome:
    """``/link <code>`` sent inside a group or supergroup by ``asker``."""
    checked = await _authorise(session, asker, code, config_admins)
    if isinstance(checked, LinkOutcome):
        return checked
    return await _bind(session, asker, checked, chat, config_admins)


@dataclass(frozen=True)
class ChannelFacts:
    """What Telegram said about the channel named in ``/link <code> <channel>``."""

    ref: int | str | None  # None: the text was not a channel id or @username
    chat: ChatInfo | None = None  # None: the bot cannot see such a chat
    asker_status: str | None = None
    bot_status: str | None = None


async def probe_channel(probe: ChannelProbe, text: str, asker_id: int) -> ChannelFacts:
    """Ask Telegram about the channel before the database transaction opens (no DB here)."""
    ref = parse_channel_ref(text)
    if ref is None:
        return ChannelFacts(None)
    info = await probe.chat(ref)
    if info is None or info.type != "channel":
        return ChannelFacts(ref, info)
    asker = await probe.member_status(info.telegram_id, asker_id)
    return ChannelFacts(ref, info, asker, await probe.bot_status(info.telegram_id))


async def link_channel(
    session: AsyncSession,
    asker: TelegramPerson,
    code: str,
    facts: ChannelFacts,
    *,
    config_admins: Collection[int],
) -> LinkOutcome:
    """``/link <code> <channel>`` from a private chat: channel posts carry no sender.

    Both the asker and the bot must be administrators of the channel (the bot to post there,
    the asker to prove the channel is theirs to bind). ``facts`` come from :func:`probe_channel`.
    """
    checked = await _authorise(session, asker, code, config_admins)
    if isinstance(checked, LinkOutcome):
        return checked
    info = facts.chat
    if facts.ref is None:
        return LinkOutcome(LinkStatus.BAD_CHANNEL, unit=checked)
    if info is None:
        return LinkOutcome(LinkStatus.CHANNEL_NOT_FOUND, unit=checked)
    if info.type != "channel":
        return LinkOutcome(LinkStatus.NOT_A_CHANNEL, unit=checked, chat=info)
    if facts.asker_status not in ADMIN_STATUSES:
        return LinkOutcome(LinkStatus.USER_NOT_ADMIN, unit=checked, chat=info)
    if facts.bot_status not in ADMIN_STATUSES:
        return LinkOutcome(LinkStatus.BOT_NOT_ADMIN, unit=checked, chat=info)
    return await _bind(session, asker, checked, info, config_admins)


async def unlink_chat(
    session: AsyncSession,
    asker: TelegramPerson,
    telegram_id: int,
    *,
    config_admins: Collection[int],
) -> LinkOutcome:
    """``/unlink`` inside a linked chat: the chat stays known but is marked inactive."""
    chat = await queries.chat_by_telegram_id(session, telegram_id)
    unit = await session.get(Unit, chat.unit_id) if chat and chat.unit_id is not None else None
    if chat is None or unit is None or not chat.active:
        return LinkOutcome(LinkStatus.NOT_LINKED)
    if not await _may_manage(session, asker, unit, config_admins):
        return await _refusal(session, unit)  # the chat's own unit, known to its members
    chat.active, chat.inactive_reason = False, "unlinked"
    return LinkOutcome(LinkStatus.UNLINKED, unit=unit)


async def follow_migration(session: AsyncSession, old_id: int, new_id: int) -> Chat | None:
    """A group became a supergroup: move its row (and queued posts) to the new chat id.

    Idempotent: Telegram sends the event twice (in the old and the new chat), and the two
    updates may run at once, so one may see the row under both ids. Returns the chat
    row now carrying ``new_id``, or None if neither id is known.
    """
    chat = await queries.chat_by_telegram_id(session, old_id)
    moved = await queries.chat_by_telegram_id(session, new_id)
    if chat is not None and moved is None:
        chat.telegram_id, chat.type = new_id, "supergroup"
        moved = chat
    elif chat is not None and moved is not None and chat.id != moved.id:
        # Both rows exist (the new one was linked separately): keep the new, retire the old.
        chat.active, chat.inactive_reason = False, f"migrated to {new_id}"
        if moved.unit_id is None:
            moved.unit_id = chat.unit_id
    await session.execute(
        update(Delivery)
        .where(Delivery.target_telegram_id == old_id, Delivery.state.in_(("queued", "sending")))
        .values(target_telegram_id=new_id)
    )
    await session.flush()
    return moved
