"""Who may do what: roles come from memberships (and the configured bootstrap admins)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, Membership, Unit

MANAGER_ROLES = ("secretary", "admin")


async def is_admin(
    session: AsyncSession, member: Member | None, config_admins: Collection[int]
) -> bool:
    if member is None:
        return False
    if member.telegram_id in config_admins:
        return True
    stmt = (
        select(Membership.id)
        .where(Membership.member_id == member.id, Membership.role == "admin")
        .limit(1)
    )
    return (await session.scalar(stmt)) is not None


async def managed_roots(
    session: AsyncSession, member: Member | None, config_admins: Collection[int]
) -> list[Unit]:
    """The sub-tree roots this member manages: every root for an admin, else the units where
    they are secretary (units under another managed unit are folded into it)."""
    if member is None:
        return []
    if await is_admin(session, member, config_admins):
        return list(
            (
                await session.scalars(
                    select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)
                )
            ).all()
        )
    stmt = (
        select(Unit)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.member_id == member.id, Membership.role.in_(MANAGER_ROLES))
        .order_by(Unit.path)
    )
    units = list((await session.scalars(stmt)).all())
    return [u for u in units if not any(u is not o and u.path.startswith(o.path) for o in units)]


def covers(roots: Sequence[Unit], unit: Unit) -> bool:
    """Is ``unit`` inside one of the sub-trees rooted at ``roots``?"""
    return any(unit.path.startswith(root.path) for root in roots)
