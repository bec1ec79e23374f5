"""Who may manage what: role checks shared by /link, /publish, /pending and the CLI.

Roles live in ``Membership.role``:

- ``admin`` anywhere (or a Telegram id listed in ``[bot] admins``) manages the whole tree;
- ``secretary`` of a unit manages that unit and every unit under it;
- ``deputy`` (the secretary's deputy) acts like a secretary for their unit;
- ``member`` manages nothing.

Every function takes the config admins explicitly so services stay free of global settings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.names import folded, vietnamese_sort_key
from bot.services.pending import directive_by_number, overlaps, targets_of
from storage import queries
from storage.models import Directive, Member, Membership, Unit

# Every role a membership may hold, and those that manage (the one list of each: the importer,
# /grant, the command menus and every "who manages this unit" query read them here).
ROLES = ("member", "deputy", "secretary", "admin")
MANAGING_ROLES = ("deputy", "secretary", "admin")
# What may be written for a role, in a roster file's role column, /grant and ``chithi roles``
# alike: the role's own name or its Vietnamese name, compared without case, accents, spaces or
# hyphens ("Phó bí thư", "pho-bi-thu" and "phobithu" are one word).
_ROLE_WORDS = {
    "member": ("member", "dang vien", "thanh vien"),
    "deputy": ("deputy", "pho", "pho bi thu"),
    "secretary": ("secretary", "bi thu"),
    "admin": ("admin", "quan tri", "quan tri vien"),
}
_ROLE_BY_WORD = {
    word.replace(" ", ""): role for role, words in _ROLE_WORDS.items() for word in words
}


def role_from_word(word: str) -> str | None:
    """The role ``word`` names (one of :data:`ROLES`), or None."""
    return _ROLE_BY_WORD.get(folded(word).replace(" ", "").replace("-", ""))


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
        if not queries.covers(roots, unit):
            roots.append(unit)
    return roots


async def roots_of(
    session: AsyncSession, member: Member | None, config_admins: Collection[int]
) -> list[Unit]:
    """The sub-trees ``member`` manages; none for nobody."""
    if member is None:
        return []
    return list(await managed_roots(session, member, config_admins))


async def asker_roots(
    session: AsyncSession, telegram_id: int, config_admins: Collection[int]
) -> list[Unit]:
    """The sub-trees the user with this Telegram id manages; none if the bot does not know
    them."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    return await roots_of(session, member, config_admins)


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
    ordered = sorted(
        rows, key=lambda r: (-depth[r[2].id], vietnamese_sort_key(r[1].full_name), r[1].id)
    )
    return [Manager(member=m, unit=u, role=ms.role) for ms, m, u in ordered[:limit]]


# -- looking things up for a user: "no such thing" and "not yours" are one answer --------------
#
# A stranger must not learn from the bot's answers which unit codes or directive numbers exist:
# every lookup of a code or a number typed by a user goes through these, and the caller gives
# the same refusal for None whatever the reason.


async def unit_for(
    session: AsyncSession, telegram_id: int, code: str, config_admins: Collection[int]
) -> Unit | None:
    """The unit with this code if the asker may manage it; None if there is no such unit and
    if it is not theirs alike."""
    unit = await queries.unit_by_code(session, code.strip())
    if unit is None:
        return None
    if telegram_id in config_admins:
        return unit
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None or not await can_manage_unit(session, member, unit, config_admins):
        return None
    return unit


async def directive_for(
    session: AsyncSession, telegram_id: int, number: str, config_admins: Collection[int]
) -> Directive | None:
    """The directive with this number if the asker may see it (an admin; its publisher; a
    secretary of a unit it was sent to, or above or below one); None if there is no such
    directive and if it is not theirs alike."""
    directive = await directive_by_number(session, number)
    if directive is None:
        return None
    if telegram_id in config_admins:
        return directive
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None:
        return None
    if directive.published_by == member.id:
        return directive
    roots = await roots_of(session, member, config_admins)
    if roots and overlaps(await targets_of(session, directive.id), roots):
        return directive
    return None
