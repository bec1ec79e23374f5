"""The outbox: every message to post is a ``Delivery`` row written with what caused it.

Enqueueing is idempotent by ``dedupe_key``; the sender reserves due rows, marks each one
``sending`` right before its Bot API call, and records the outcome, each step in its own short
transaction. States: ``queued`` (waiting, perhaps reserved by a sender: ``claimed_by``),
``sending`` (its Bot API call is under way), ``sent`` (``message_id`` recorded) and ``failed``
(``last_error`` says why). Senders renew a lease on what they hold; rows of a sender that
stopped go back to the queue (see :func:`recover`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    func,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import queries
from storage.models import Delivery, UTCDateTime
from storage.upsert import insert_ignore

PRIORITY = {
    "post": 0,
    "qr": 1,
    "announcement": 2,
    "edit": 2,  # an earlier post amended, recalled or replaced (bot.services.lifecycle)
    "notice": 2,
    "escalation": 3,
    "summary": 3,
    "reminder": 3,
    "private": 5,
}
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
UNSENT = (QUEUED, SENDING)
# Plain table statements on the hot path: no ORM bookkeeping (about 1 ms less per commit).
_T = cast(Table, Delivery.__table__)
INTERRUPTED = "interrupted while sending (the sender stopped); sent again"


@dataclass(frozen=True)
class Outgoing:
    """One message to enqueue."""

    dedupe_key: str
    kind: str
    target_telegram_id: int
    payload: dict[str, Any]
    directive_id: int | None = None
    broadcast_id: int | None = None
    chat_id: int | None = None
    member_id: int | None = None


def _is_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def wall_now() -> datetime:
    """The outbox runs on real time (transport), whatever clock the business rules use."""
    return datetime.now(UTC)


async def enqueue(session: AsyncSession, items: Sequence[Outgoing]) -> int:
    """Write rows for ``items``, due now; an item whose key exists is skipped. Returns new rows."""
    now = wall_now()
    rows = [
        {
            "dedupe_key": item.dedupe_key,
            "kind": item.kind,
            "priority": PRIORITY.get(item.kind, 5),
            "target_telegram_id": item.target_telegram_id,
            "payload": item.payload,
            "directive_id": item.directive_id,
            "broadcast_id": item.broadcast_id,
            "chat_id": item.chat_id,
            "member_id": item.member_id,
            "state": QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "counters_dirty": False,
            "payload_has_counters": "counters" in item.payload,
            "created_at": now,
        }
        for item in items
    ]
    return await insert_ignore(session, Delivery, rows, ["dedupe_key"])


async def enqueue_to_many(
    session: AsyncSession,
    recipients: Select[*tuple[Any, ...]],
    *,
    key_prefix: str,
    kind: str,
    payload: dict[str, Any],
    directive_id: int | None = None,
) -> int:
    """The same message to everyone ``recipients`` selects (columns ``member_id`` and
    ``telegram_id``), in one ``INSERT ... SELECT``: the rows never pass through Python, so
    50,000 reminders cost one statement. Keys are ``<key_prefix>:m<member id>``; existing keys
    are skipped. Returns new rows."""
    now = wall_now()
    people = recipients.subquery()
    values: dict[str, ColumnElement[Any]] = {
        "dedupe_key": literal(f"{key_prefix}:m") + sql_cast(people.c.member_id, String),
        "kind": literal(kind),
        "priority": literal(PRIORITY.get(kind, 5)),
        "target_telegram_id": people.c.telegram_id,
        "payload": literal(payload, type_=JSON),
        "directive_id": literal(directive_id, type_=Integer),
        "member_id": people.c.member_id,
        "state": literal(QUEUED),
        "attempts": literal(0),
        "next_attempt_at": literal(now, type_=UTCDateTime()),
        "counters_dirty": literal(False),
        "payload_has_counters": literal("counters" in payload),
        "created_at": literal(now, type_=UTCDateTime()),
    }
    # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT (the parser's ambiguity).
    rows = select(*values.values()).select_from(people).where(true())
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Delivery)
        .from_select(list(values), rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(stmt)
    return queries.rows_touched(result)


class Reserved(NamedTuple):
    """What a sender needs of a reserved row."""

    id: int
    target_telegram_id: int
    payload: dict[str, Any]
    priority: int


async def reserve_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease: timedelta,
) -> list[Reserved]:
    """Reserve up to ``limit`` due rows for ``worker`` (they stay ``queued`` until attempted).

    A row is due when its time has come, nobody holds it (or the holder's lease ran out), and
    it is the oldest unsent row for its chat: messages to one chat go in order, and a chat is
    served by one sender at a time. On PostgreSQL the rows are locked with
    ``FOR UPDATE SKIP LOCKED`` so several senders can share one queue.
    """
    rows = await due_rows(session, now=now, limit=limit, lease=lease)
    return await take_rows(session, rows, now=now, worker=worker, lease=lease)


async def due_rows(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta
) -> list[Reserved]:
    """The rows :func:`reserve_due` would take, not yet taken (the heavy read). On SQLite it
    may run in a read transaction of its own: :func:`take_rows` checks again."""
    d = _T
    earlier = d.alias("earlier")
    blocked_by_earlier = (
        select(earlier.c.id)
        .where(
            earlier.c.target_telegram_id == d.c.target_telegram_id,
            earlier.c.id < d.c.id,
            earlier.c.state.in_(UNSENT),
        )
        .exists()
    )
    free = or_(d.c.claimed_by.is_(None), d.c.claimed_at < now - lease)
    stmt = (
        select(d.c.id, d.c.target_telegram_id, d.c.payload, d.c.priority)
        .where(d.c.state == QUEUED, d.c.next_attempt_at <= now, free, ~blocked_by_earlier)
        .order_by(d.c.priority, d.c.next_attempt_at, d.c.id)
        .limit(limit)
    )
    if _is_postgresql(session):
        stmt = stmt.with_for_update(skip_locked=True, of=d)
    return [Reserved(*row) for row in (await session.execute(stmt)).all()]


async def take_rows(
    session: AsyncSession,
    rows: Sequence[Reserved],
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
) -> list[Reserved]:
    """Reserve ``rows`` for ``worker``; those another sender took meanwhile are left out."""
    if not rows:
        return []
    d = _T
    free = or_(d.c.claimed_by.is_(None), d.c.claimed_at < now - lease)
    # Re-check in the UPDATE itself: on SQLite two processes may have read the same rows.
    taken = await session.execute(
        update(d)
        .where(d.c.id.in_([r.id for r in rows]), d.c.state == QUEUED, free)
        .values(claimed_by=worker, claimed_at=now)
        .returning(d.c.id)
    )
    ids = set(taken.scalars().all())
    return [r for r in rows if r.id in ids]


async def start_attempts(
    session: AsyncSession, delivery_ids: Sequence[int], worker: str, now: datetime
) -> set[int]:
    """Mark reserved rows ``sending`` right before their Bot API call. Returns the ids still
    held by ``worker`` (a row whose lease ran out and was taken by another sender is not
    attempted)."""
    if not delivery_ids:
        return set()
    d = _T
    result = await session.execute(
        update(d)
        .where(d.c.id.in_(list(delivery_ids)), d.c.claimed_by == worker, d.c.state == QUEUED)
        .values(state=SENDING, claimed_at=now)
        .returning(d.c.id)
    )
    return set(result.scalars().all())


async def release(session: AsyncSession, delivery_ids: Sequence[int], worker: str) -> None:
    """Give back reserved rows that were not attempted (clean shutdown)."""
    if delivery_ids:
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(list(delivery_ids)),
                Delivery.claimed_by == worker,
                Delivery.state == QUEUED,
            )
            .values(claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )


async def heartbeat(
    session: AsyncSession, worker: str, delivery_ids: Collection[int], now: datetime
) -> None:
    """Renew ``worker``'s lease on the rows it still works on (a row it lost track of, say
    after a database error, is left to expire and be taken back)."""
    if delivery_ids:
        await session.execute(
            update(_T)
            .where(
                _T.c.id.in_(list(delivery_ids)),
                _T.c.claimed_by == worker,
                _T.c.state.in_(UNSENT),
            )
            .values(claimed_at=now)
        )


async def holders(session: AsyncSession) -> dict[str, datetime]:
    """Senders holding unsent rows, with their latest lease renewal."""
    stmt = (
        select(Delivery.claimed_by, func.max(Delivery.claimed_at))
        .where(Delivery.state.in_(UNSENT), Delivery.claimed_by.is_not(None))
        .group_by(Delivery.claimed_by)
    )
    return {str(w): at for w, at in (await session.execute(stmt)).all() if at is not None}


async def count_unsent(session: AsyncSession) -> int:
    """Rows still to post (queued, due now or later, or being sent)."""
    stmt = select(func.count()).select_from(_T).where(_T.c.state.in_(UNSENT))
    return int(await session.scalar(stmt) or 0)


async def recover(
    session: AsyncSession, *, now: datetime, lease: timedelta, dead: Sequence[str] = ()
) -> int:
    """Free rows held by senders that stopped (known dead, or lease run out).

    Reserved rows simply go back to the queue. Rows left ``sending`` were interrupted during
    their Bot API call: Telegram may or may not have posted them; they are sent again (never
    lost; a duplicate only if Telegram had accepted it). Returns how many were interrupted.
    """
    gone = or_(Delivery.claimed_at < now - lease, Delivery.claimed_by.in_(list(dead)))
    interrupted = await session.scalars(
        update(Delivery)
        .where(Delivery.state == SENDING, gone)
        .values(
            state=QUEUED,
            claimed_by=None,
            claimed_at=None,
            next_attempt_at=now,
            last_error=INTERRUPTED,
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    count = len(interrupted.all())
    await session.execute(
        update(Delivery)
        .where(Delivery.state == QUEUED, Delivery.claimed_by.is_not(None), gone)
        .values(claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return count


async def mark_sent(
    session: AsyncSession, delivery_id: int, message_id: int, now: datetime
) -> None:
    """Telegram posted it: record ``message_id`` (one plain UPDATE: this commit closes the
    window in which a crash would post the message twice). ``claimed_by`` is kept: who sent
    it.

    On PostgreSQL this commit does not wait for the WAL flush: a crash of *our* process can
    no longer lose it once committed (the server has it), which shortens the duplicate window
    from a disk flush to a round trip. Only a crash of the database server itself within a
    fraction of a second could forget it; the row is then still ``sending`` and is posted
    again (a duplicate, never a loss).
    """
    d = _T
    if _is_postgresql(session):
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    await session.execute(
        update(d)
        .where(d.c.id == delivery_id)
        .values(
            state=SENT,
            message_id=message_id,
            sent_at=now,
            last_error=None,
            attempts=d.c.attempts + 1,
        )
    )


async def mark_retry(
    session: AsyncSession, delivery_id: int, at: datetime, error: str, *, count_attempt: bool = True
) -> None:
    values: dict[str, Any] = {
        "state": QUEUED,
        "next_attempt_at": at,
        "last_error": error[:500],
        "claimed_by": None,
    }
    if count_attempt:
        values["attempts"] = Delivery.attempts + 1
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def mark_failed(session: AsyncSession, delivery_id: int, error: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            state=FAILED,
            last_error=error[:500],
            claimed_by=None,
            attempts=Delivery.attempts + 1,
        )
    )


async def fail_queued_for(session: AsyncSession, target: int, error: str) -> int:
    """The chat is gone: its other waiting rows fail with the same reason (not attempted).
    Rows being sent by another sender finish on their own."""
    result = await session.scalars(
        update(Delivery)
        .where(Delivery.target_telegram_id == target, Delivery.state == QUEUED)
        .values(state=FAILED, last_error=error[:500], claimed_by=None)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())
