"""The outbox: every message to post is a ``Delivery`` row written with what caused it.

Enqueueing is idempotent by ``dedupe_key``; the sender claims due rows, posts them and records
the outcome, each step in its own short transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery
from storage.upsert import insert_ignore

PRIORITY = {"post": 0, "qr": 1, "announcement": 2, "reminder": 3, "private": 5}
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


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


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease: timedelta,
    exclude_targets: Sequence[int] = (),
) -> list[Delivery]:
    """Claim up to ``limit`` due rows (and rows whose claim lease expired) for ``worker``.

    On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED`` so several senders can
    share one queue without taking the same row.
    """
    due = or_(
        and_(Delivery.state == QUEUED, Delivery.next_attempt_at <= now),
        and_(Delivery.state == SENDING, Delivery.claimed_at < now - lease),
    )
    stmt = select(Delivery).where(due)
    if exclude_targets:
        stmt = stmt.where(Delivery.target_telegram_id.not_in(list(exclude_targets)))
    stmt = stmt.order_by(Delivery.priority, Delivery.next_attempt_at, Delivery.id).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list((await session.scalars(stmt)).all())
    for row in rows:
        row.state = SENDING
        row.claimed_by = worker
        row.claimed_at = now
    await session.flush()
    return rows


async def mark_sent(
    session: AsyncSession, delivery_id: int, message_id: int, now: datetime
) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            state=SENT,
            message_id=message_id,
            sent_at=now,
            last_error=None,
            claimed_by=None,
            attempts=Delivery.attempts + 1,
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


async def retarget(session: AsyncSession, old_telegram_id: int, new_telegram_id: int) -> None:
    """A group became a supergroup: unsent rows follow the chat to its new id."""
    await session.execute(
        update(Delivery)
        .where(Delivery.target_telegram_id == old_telegram_id, Delivery.state != SENT)
        .values(target_telegram_id=new_telegram_id)
    )
