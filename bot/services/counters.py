"""Live counters on a directive's posts: per unit, who received and who studied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Confirmation, Delivery, Membership


@dataclass(frozen=True)
class UnitCounts:
    received: int
    studied: int
    total: int


async def unit_counts(session: AsyncSession, directive_id: int, unit_id: int) -> UnitCounts:
    """Confirmations by members of the unit (its own members, not its sub-units')."""
    members = select(Membership.member_id).where(Membership.unit_id == unit_id)
    total = await session.scalar(select(func.count()).select_from(members.subquery())) or 0
    stmt = (
        select(Confirmation.kind, func.count(Confirmation.id))
        .where(Confirmation.directive_id == directive_id, Confirmation.member_id.in_(members))
        .group_by(Confirmation.kind)
    )
    by_kind = {kind: n for kind, n in (await session.execute(stmt)).all()}
    return UnitCounts(by_kind.get("received", 0), by_kind.get("studied", 0), total)


async def mark_dirty(session: AsyncSession, directive_id: int, member_id: int) -> None:
    """The member's units' posts of this directive need their counters refreshed."""
    unit_ids = select(Membership.unit_id).where(Membership.member_id == member_id)
    chat_ids = select(Chat.id).where(Chat.unit_id.in_(unit_ids))
    await session.execute(
        update(Delivery)
        .where(
            Delivery.directive_id == directive_id,
            Delivery.kind == "post",
            Delivery.chat_id.in_(chat_ids),
            Delivery.payload_has_counters.is_(True),
            Delivery.counters_dirty.is_(False),
        )
        .values(counters_dirty=True)
        .execution_options(synchronize_session=False)
    )


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
            .values(counters_dirty=True, counters_text=None)
            .execution_options(synchronize_session=False)
        )
