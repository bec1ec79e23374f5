"""Who may manage what: role checks shared by /link, /publish, /pending and the CLI.

Roles live in ``Membership.role``:

- ``admin`` anywhere (or a Telegram id listed in ``[bot] admins``) manages the whole tree;
- ``secretary`` of a unit manages that unit and every unit under it;
- ``member`` manages nothing.

Every function takes the config admins explicitly so services stay free of global settings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import queries
from storage.models import Member, Membership, Unit

MANAGING_ROLES = ("secretary", "admin")


@dataclass(frozen=True)
class Manager:
    """Someone who can manage a unit, and the unit their role is held in."""

    member: Member
    unit: Unit
    role: str


def _unit_ids_in_path(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


async def is_admin(session: AsyncSession, member: Member, config_admins: Collection[int]) -> bool:
    """True for a Telegram id in ``[bot] admins`` or a member with the ``admin`` role anywhere."""
    if member.telegram_id in config_admins:
        return True
    stmt = select(Membership.id).where(
        Membership.member_id == member.id, Membership.role == "admin"
    )
    return (await session.scalar(stmt.limit(1))) is not None


async def _secretary_unit_ids(session: AsyncSession, member: Member) -> list[int]:
    stmt = select(Membership.unit_id).where(
        Membership.member_id == member.id, Membership.role.in_(MANAGING_ROLES)
    )
    return list((await session.scalars(stmt)).all())


async def can_manage_unit(
    session: AsyncSession, member: Member, unit: Unit, config_admins: Collection[int]
) -> bool:
    """Admin anywhere, or secretary/admin of ``unit`` or of one of its ancestors."""
    if await is_admin(session, member, config_admins):
        return True
    held = set(await _secretary_unit_ids(session, member))
    return any(uid in held for uid in _unit_ids_in_path(unit))


async def managed_roots(
    session: AsyncSession, member: Member, config_admins: Collection[int]
) -> Sequence[Unit]:
    """The top-most units the member manages (tree roots for an admin), in tree order.

    A secretary of both a district and one of its cells gets only the district.
    """
    if await is_admin(session, member, config_admins):
        stmt = select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.path)
        return (await session.scalars(stmt)).all()
    ids = await _secretary_unit_ids(session, member)
    if not ids:
        return []
    units = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
    ordered = sorted(units, key=lambda u: u.path)
    roots: list[Unit] = []
    for unit in ordered:
        if not any(unit.path.startswith(root.path) for root in roots):
            roots.append(unit)
    return roots


async def managed_units(
    session: AsyncSession, member: Member, config_admins: Collection[int]
) -> Sequence[Unit]:
    """Every unit the member manages (each managed root and all below it), in tree order."""
    if await is_admin(session, member, config_admins):
        return (await session.scalars(select(Unit).order_by(Unit.path))).all()
    units: list[Unit] = []
    for root in await managed_roots(session, member, config_admins):
        units.extend(await queries.subtree(session, root))
    return sorted(units, key=lambda u: u.path)


async def managers_of(session: AsyncSession, unit: Unit, limit: int = 3) -> list[Manager]:
    """Secretaries and admins of the unit and its ancestors, nearest unit first.

    Used to tell a refused user whom to ask; admins without a unit in the path are not listed.
    """
    path_ids = _unit_ids_in_path(unit)
    stmt = (
        select(Membership, Member, Unit)
        .join(Member, Member.id == Membership.member_id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.unit_id.in_(path_ids), Membership.role.in_(MANAGING_ROLES))
    )
    rows = (await session.execute(stmt)).all()
    depth = {uid: i for i, uid in enumerate(path_ids)}
    ordered = sorted(rows, key=lambda r: (-depth[r[2].id], r[1].full_name, r[1].id))
    return [Manager(member=m, unit=u, role=ms.role) for ms, m, u in ordered[:limit]]


def covers(roots: Sequence[Unit], unit: Unit) -> bool:
    """Is ``unit`` inside one of the sub-trees rooted at ``roots``?"""
    return any(unit.path.startswith(root.path) for root in roots)
