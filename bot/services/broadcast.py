"""Announcements to part of the tree: one outbox row per linked chat, progress, stop.

Announcements need no confirmation: no buttons, no counters. A stopped broadcast's queued rows
end as ``failed`` with the reason ``cancelled`` at once; rows a sender is already sending are
refused at the last moment by :class:`bot.delivery.broadcast_guard.SkipStoppedBroadcasts` and end the
same way (or as sent, if their call was under way), so the broadcast counts as finished only
when no row is left in flight.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access, outbox
from bot.services.outbox import Outgoing
from bot.services.tg_text import CAPTION_LIMIT, TEXT_LIMIT, tg_len
from storage import queries
from storage.models import AuditEvent, Broadcast, Chat, Delivery, Member, Unit

MEDIA_KINDS = ("photo", "document")
CANCELLED = "cancelled"  # last_error of rows a stop took out of the queue
# Broadcast.status: sending -> done, or sending -> stopping (stop pressed) -> stopped.
SENDING, DONE, STOPPING, STOPPED = "sending", "done", "stopping", "stopped"
ACTIVE = (SENDING, STOPPING)


class BroadcastError(Exception):
    """Something wrong with an announcement, as a text key and its arguments."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass(frozen=True)
class Announcement:
    """What to send: text alone, or a photo/document (a Telegram file id or a local file)
    with the text as its caption."""

    text: str
    media_kind: str | None = None
    file_id: str | None = None
    path: str | None = None
    pin: bool = False


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int  # real failures, not counting the cancelled
    cancelled: int
    pending: int  # queued or being sent

    @property
    def finished(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True)
class StopOutcome:
    status: str  # stopped, finished, already, not-allowed, unknown
    cancelled: int = 0


def check_announcement(ann: Announcement) -> None:
    """Raise :class:`BroadcastError` for an empty, too long or malformed announcement.

    Lengths are Telegram's: UTF-16 code units after entity parsing. The text goes out
    HTML-escaped (and the caption plain), so after parsing it is exactly ``text``."""
    text = ann.text.strip()
    length = tg_len(text)
    if ann.media_kind is None:
        if not text:
            raise BroadcastError("broadcast-empty")
        if length > TEXT_LIMIT:
            raise BroadcastError("broadcast-too-long", length=length, limit=TEXT_LIMIT)
        return
    if ann.media_kind not in MEDIA_KINDS:
        raise BroadcastError("broadcast-bad-media", kind=ann.media_kind)
    if (ann.file_id is None) == (ann.path is None):
        raise BroadcastError("broadcast-bad-media", kind=ann.media_kind)
    if length > CAPTION_LIMIT:
        raise BroadcastError("broadcast-caption-too-long", length=length, limit=CAPTION_LIMIT)


def payload_of(ann: Announcement) -> dict[str, Any]:
    """The outbox payload: HTML-escaped text, or the file with the text as a plain caption."""
    text = ann.text.strip()
    if ann.media_kind is None:
        payload: dict[str, Any] = {"method": "message", "text": html.escape(text)}
    else:
        payload = {"method": ann.media_kind}
        payload.update({"file_id": ann.file_id} if ann.file_id else {"path": ann.path})
        if text:
            payload["caption"] = text
    if ann.pin:
        payload["pin"] = True
    return payload


async def check_admin(
    session: AsyncSession, member: Member | None, config_admins: Collection[int]
) -> None:
    """Only administrators broadcast (``None`` is the CLI operator)."""
    if member is not None and not await access.is_admin(session, member, config_admins):
        raise BroadcastError("broadcast-not-admin")


async def resolve_targets(session: AsyncSession, codes: Sequence[str]) -> list[Unit]:
    """Units by code, in the given order, without repeats; an unknown code is an error."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise BroadcastError("broadcast-no-targets")
    units = await queries.units_by_code(session, wanted)
    for code in wanted:
        if code not in units:
            raise BroadcastError("broadcast-unknown-target", code=code)
    return [units[c] for c in wanted]


def split_codes(text: str) -> list[str]:
    """``"BP-DX, BP-BL"`` or ``"BP-DX BP-BL"`` -> codes."""
    return [c for c in text.replace(",", " ").replace(";", " ").split() if c]


async def target_chats(session: AsyncSession, targets: Sequence[Unit]) -> list[Chat]:
    """Active linked chats of the units under ``targets`` (each chat once), in tree order."""
    if not targets:
        return []
    stmt = (
        select(Chat)
        .join(Unit, Chat.unit_id == Unit.id)
        .where(Chat.active.is_(True), queries.in_subtrees(targets))
        .order_by(Unit.path, Chat.id)
    )
    return list((await session.scalars(stmt)).all())


async def create(
    session: AsyncSession,
    ann: Announcement,
    targets: Sequence[Unit],
    *,
    creator: Member | None,
    config_admins: Collection[int],
    now: datetime,
    progress_chat_id: int | None = None,
    progress_message_id: int | None = None,
) -> tuple[Broadcast, int]:
    """Store the broadcast and one announcement per target chat; returns it and the count."""
    await check_admin(session, creator, config_admins)
    check_announcement(ann)
    chats = await target_chats(session, targets)
    if not chats:
        raise BroadcastError("broadcast-no-chats", targets=", ".join(u.code for u in targets))
    broadcast = Broadcast(
        text=ann.text.strip(),
        media_kind=ann.media_kind,
        media_ref=ann.file_id or ann.path,
        pin=ann.pin,
        status=SENDING,
        created_by=creator.id if creator else None,
        progress_chat_id=progress_chat_id,
        progress_message_id=progress_message_id,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    payload = {**payload_of(ann), "broadcast": broadcast.id}
    items = [
        Outgoing(
            f"b{broadcast.id}:c{chat.id}",
            "announcement",
            chat.telegram_id,
            dict(payload),
            broadcast_id=broadcast.id,
            chat_id=chat.id,
        )
        for chat in chats
    ]
    written = await outbox.enqueue(session, items)
    session.add(
        AuditEvent(
            at=now,
            actor=str(creator.telegram_id) if creator else "cli",
            action="broadcast",
            subject=f"broadcast:{broadcast.id}",
            detail={"targets": [u.code for u in targets], "chats": written, "pin": ann.pin},
        )
    )
    await session.flush()
    return broadcast, written


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    """Counts of the broadcast's rows by outcome, from the database."""
    cancelled = Delivery.last_error == CANCELLED
    stmt = (
        select(Delivery.state, cancelled, func.count(Delivery.id))
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.state, cancelled)
    )
    sent = failed = stopped = pending = 0
    for state, was_cancelled, n in (await session.execute(stmt)).all():
        if state == outbox.SENT:
            sent += n
        elif state == outbox.FAILED and was_cancelled:
            stopped += n
        elif state == outbox.FAILED:
            failed += n
        else:
            pending += n
    return Progress(sent + failed + stopped + pending, sent, failed, stopped, pending)


async def may_stop(
    session: AsyncSession,
    broadcast: Broadcast,
    member: Member | None,
    config_admins: Collection[int],
) -> bool:
    """The broadcast's creator or any administrator (``None`` is the CLI operator)."""
    if member is None:
        return True
    if broadcast.created_by is not None and broadcast.created_by == member.id:
        return True
    return await access.is_admin(session, member, config_admins)


async def stop(
    session: AsyncSession,
    broadcast_id: int,
    *,
    by: Member | None,
    config_admins: Collection[int],
    now: datetime,
) -> StopOutcome:
    """Take the broadcast's queued rows out of the queue (failed, reason ``cancelled``);
    ``cancelled`` counts those, not the rows in flight that the guard will refuse."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return StopOutcome("unknown")
    if not await may_stop(session, broadcast, by, config_admins):
        return StopOutcome("not-allowed")
    if broadcast.status == DONE:
        return StopOutcome("finished")
    if broadcast.status in (STOPPING, STOPPED):
        return StopOutcome("already")
    broadcast.status = STOPPING
    # Rows already "sending" are left to the sender: the guard refuses them if their Bot API
    # call has not started, otherwise they are recorded as sent; either way the counts are true.
    result = await session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.state == outbox.QUEUED)
        .values(state=outbox.FAILED, last_error=CANCELLED, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    cancelled = queries.rows_touched(result)
    session.add(
        AuditEvent(
            at=now,
            actor=str(by.telegram_id) if by else "cli",
            action="broadcast-stop",
            subject=f"broadcast:{broadcast_id}",
            detail={"cancelled": cancelled},
        )
    )
    await session.flush()
    return StopOutcome("stopped", cancelled)


async def is_stopped(session: AsyncSession, broadcast_id: int) -> bool:
    status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    return status in (STOPPING, STOPPED)


async def active(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts still sending (or stopping), oldest first."""
    stmt = select(Broadcast).where(Broadcast.status.in_(ACTIVE)).order_by(Broadcast.id)
    return list((await session.scalars(stmt)).all())


async def finish(session: AsyncSession, broadcast_id: int) -> None:
    """Every row is sent or failed: ``sending`` becomes ``done``, ``stopping`` ``stopped``."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is not None and broadcast.status in ACTIVE:
        broadcast.status = STOPPED if broadcast.status == STOPPING else DONE
