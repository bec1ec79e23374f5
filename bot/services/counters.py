"""Live counters on a directive's posts: per unit, who received and who studied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import queries
from storage.models import Chat, Confirmation, Delivery, Directive, Membership


@dataclass(frozen=True)
class UnitCounts:
    received: int
    studied: int
    total: int


@dataclass(frozen=True)
class StalePost:
    """A post whose counters line may have changed, with what is needed to redraw it."""

    delivery_id: int
    chat_telegram_id: int
    message_id: int
    directive_id: int
    unit_id: int
    requires_study: bool
    payload: dict[str, object]


async def unit_counts(
    session: AsyncSession, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], UnitCounts]:
    """(directive, unit) → confirmations by members of the unit (its own members, not its
    sub-units'); two grouped queries for any number of pairs."""
    if not pairs:
        return {}
    units = {u for _, u in pairs}
    by_unit = (
        select(Membership.unit_id, func.count())
        .where(Membership.unit_id.in_(bindparam("units", expanding=True)))
        .group_by(Membership.unit_id)
    )
    totals: dict[int, int] = {}
    for part in queries.chunks(units):  # below the drivers' parameter limits
        totals.update((u, n) for u, n in await session.execute(by_unit, {"units": part}))
    stmt = (
        select(Confirmation.directive_id, Membership.unit_id, Confirmation.kind, func.count())
        .join(Membership, Membership.member_id == Confirmation.member_id)
        # No filter on the unit here: SQLite would probe the membership index once per unit
        # for every confirmation (100 units x 10,000 confirmations: 300 ms instead of 25).
        .where(Confirmation.directive_id.in_({d for d, _ in pairs}))
        .group_by(Confirmation.directive_id, Membership.unit_id, Confirmation.kind)
    )
    done: dict[tuple[int, int, str], int] = {
        (d, u, k): n for d, u, k, n in await session.execute(stmt)
    }
    return {
        (d, u): UnitCounts(
            done.get((d, u, "received"), 0), done.get((d, u, "studied"), 0), totals.get(u, 0)
        )
        for d, u in pairs
    }


_MARK_DIRTY = (
    update(Delivery)
    .where(
        Delivery.directive_id.in_(bindparam("directives", expanding=True)),
        Delivery.kind == "post",
        Delivery.chat_id.in_(
            select(Chat.id).where(
                Chat.unit_id.in_(
                    select(Membership.unit_id).where(
                        Membership.member_id.in_(bindparam("members", expanding=True))
                    )
                )
            )
        ),
        Delivery.payload_has_counters.is_(True),
        Delivery.counters_dirty.is_(False),
    )
    .values(counters_dirty=True)
)  # built once: it runs with every batch of presses


async def mark_dirty(session: AsyncSession, touched: set[tuple[int, int]]) -> None:
    """(directive, member) pairs just confirmed: the posts of those directives in the members'
    units' chats need their counters refreshed."""
    if not touched:
        return
    connection = await session.connection()
    await connection.execute(
        _MARK_DIRTY,
        {"directives": sorted({d for d, _ in touched}), "members": sorted({m for _, m in touched})},
    )


async def take_stale_posts(session: AsyncSession, limit: int, skip: set[int]) -> list[int]:
    """Clear the dirty flag of up to ``limit`` posts (not those in ``skip``); their ids.

    One statement, so the write transaction around it is short. The flag is cleared before
    the counts are read, so a press committed after this transaction marks the post again
    for the next round; none is missed.
    """
    due = select(Delivery.id).where(Delivery.counters_dirty.is_(True), Delivery.state == "sent")
    if skip:
        due = due.where(Delivery.id.not_in(skip))
    # PostgreSQL: rows a press batch is marking right now are skipped, not waited for (they
    # stay dirty for the next round). Waiting could deadlock: the batch marks posts in its
    # own order while this statement holds others. This is the refresh's only write to the
    # posts' rows (the lines drawn are remembered by the sender).
    due = due.order_by(Delivery.id).limit(limit).with_for_update(skip_locked=True)
    taken = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))
        .values(counters_dirty=False)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(taken.scalars().all())


async def stale_posts(session: AsyncSession, ids: list[int]) -> list[StalePost]:
    """What is needed to redraw these posts (those in a unit's chat, actually posted)."""
    if not ids:
        return []
    rows = await session.execute(
        select(
            Delivery.id,
            Chat.telegram_id,
            Delivery.message_id,
            Delivery.directive_id,
            Chat.unit_id,
            Directive.requires_study,
            Delivery.payload,
        )
        .join(Chat, Chat.id == Delivery.chat_id)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.id.in_(ids), Chat.unit_id.is_not(None), Delivery.message_id.is_not(None))
        .order_by(Delivery.id)
    )
    return [
        StalePost(did, chat, int(message), int(directive), int(unit), study, dict(payload))
        for did, chat, message, directive, unit, study, payload in rows
    ]


async def dirty_posts(session: AsyncSession, limit: int) -> list[Delivery]:
    stmt = (
        select(Delivery)
        .where(Delivery.counters_dirty.is_(True), Delivery.state == "sent")
        .order_by(Delivery.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def mark_stale(session: AsyncSession, delivery_ids: Sequence[int]) -> None:
    """These posts' counters were not refreshed after all (an edit was refused or dropped):
    refresh them next time."""
    if delivery_ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(delivery_ids)))
            .values(counters_dirty=True)
            .execution_options(synchronize_session=False)
        )
