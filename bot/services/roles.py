"""Giving and taking roles: ``/grant``, ``/revoke`` and ``chithi roles``.

Who may change which role (the one rule, read by the chat commands and the CLI alike):

- ``secretary`` and ``admin``: an administrator (``[bot] admins``, or the ``admin`` role, see
  :func:`access.is_admin`) for a unit they manage;
- ``deputy``: the same, or the unit's own secretary (their own unit only; a deputy appoints
  nobody).

Changing a role also needs the right over the role the person holds there now, so a secretary
cannot turn an administrator into a deputy. ``revoke`` takes the role away: the person stays on
the unit's list as a member if it is the only list they are on, and leaves it otherwise (a
district's secretary stays on their own cell's list). Every change is written to the audit log.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.people_lookup import find_people
from storage import queries
from storage.models import AuditEvent, Member, Membership, Unit

GRANTABLE = ("deputy", "secretary", "admin")
# The role that shows the menu: the highest one held anywhere (see bot.services.menus).
RANK = {role: i for i, role in enumerate(access.ROLES)}


def role_named(word: str) -> str | None:
    """The grantable role ``word`` names, or None (the words: :func:`access.role_from_word`)."""
    role = access.role_from_word(word)
    return role if role in GRANTABLE else None


class Change(enum.Enum):
    DONE = "done"
    UNCHANGED = "unchanged"  # granted already / not held
    REFUSED = "refused"  # the actor may not change this role here


@dataclass(frozen=True)
class Actor:
    """Who is changing roles: a member (from chat) or the operator (``member`` None, the CLI)."""

    member: Member | None
    config_admins: Collection[int] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """The audit log's ``actor``."""
        if self.member is None:
            return "cli"
        return str(self.member.telegram_id or f"#{self.member.id}")


async def may_change(session: AsyncSession, actor: Actor, role: str, unit: Unit) -> bool:
    """May ``actor`` give or take ``role`` in ``unit``?"""
    if actor.member is None:
        return True
    if not await access.can_manage_unit(session, actor.member, unit, actor.config_admins):
        return False
    if await access.is_admin(session, actor.member, actor.config_admins):
        return True
    if role in ("member", "deputy"):
        held = await queries.membership(session, actor.member.id, unit.id)
        return held is not None and held.role == "secretary"
    return False


async def grant(
    session: AsyncSession, actor: Actor, role: str, unit: Unit, person: Member, now: datetime
) -> Change:
    """Give ``person`` the ``role`` in ``unit`` (putting them on its list if they are not)."""
    held = await queries.membership(session, person.id, unit.id)
    old = held.role if held is not None else None
    if not await may_change(session, actor, role, unit) or (
        old is not None and not await may_change(session, actor, old, unit)
    ):
        return Change.REFUSED
    if old == role:
        return Change.UNCHANGED
    if held is None:
        session.add(Membership(member_id=person.id, unit_id=unit.id, role=role))
    else:
        held.role = role
    _audit(session, actor, "role.grant", unit, person, now, role=role, previous=old)
    await session.flush()
    return Change.DONE


async def revoke(
    session: AsyncSession, actor: Actor, role: str, unit: Unit, person: Member, now: datetime
) -> Change:
    """Take ``role`` in ``unit`` away from ``person``."""
    if not await may_change(session, actor, role, unit):
        return Change.REFUSED
    held = await queries.membership(session, person.id, unit.id)
    if held is None or held.role != role:
        return Change.UNCHANGED
    others = [m for m in await queries.memberships_of(session, person.id) if m.id != held.id]
    kept = not others
    if kept:
        held.role = "member"
    else:
        await session.delete(held)
    _audit(session, actor, "role.revoke", unit, person, now, role=role, kept_on_list=kept)
    await session.flush()
    return Change.DONE


def _audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    unit: Unit,
    person: Member,
    now: datetime,
    **detail: object,
) -> None:
    # Ids only: the audit log outlives a person's erasure (see bot.services.privacy).
    session.add(
        AuditEvent(
            at=now,
            actor=actor.label,
            action=action,
            subject=f"member:{person.id}",
            detail={"unit": unit.code, **detail},
        )
    )


@dataclass(frozen=True)
class RoleHolder:
    unit: Unit
    member: Member
    role: str


async def holders(session: AsyncSession, roots: Sequence[Unit]) -> list[RoleHolder]:
    """Everyone holding a role above ``member`` in the sub-trees of ``roots``, in tree order."""
    stmt = (
        select(Membership, Member, Unit)
        .join(Member, Member.id == Membership.member_id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(queries.in_subtrees(roots), Membership.role != "member")
        .order_by(Unit.path, Membership.role, Member.full_name)
    )
    return [RoleHolder(u, m, ms.role) for ms, m, u in (await session.execute(stmt)).all()]


async def menu_role(session: AsyncSession, member: Member, config_admins: Collection[int]) -> str:
    """The highest role ``member`` holds anywhere (``admin`` for a configured administrator):
    what their command menu shows."""
    if await access.is_admin(session, member, config_admins):
        return "admin"
    roles = {m.role for m in await queries.memberships_of(session, member.id)}
    return max(roles | {"member"}, key=lambda r: RANK.get(r, 0))


async def own_menu(
    session: AsyncSession, telegram_id: int, config_admins: Collection[int]
) -> str | None:
    """The menu to set in the private chat of the person with this Telegram id, if they hold a
    role above a member's (a member's menu is everyone's): asked once they hold an entry, after
    a claim is approved or they were added, since an imported secretary is known only then."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None:
        return None
    role = await menu_role(session, member, config_admins)
    return None if role == "member" else role


# -- a role change asked in chat or from the CLI ------------------------------------------------


class Asked(enum.Enum):
    NO_UNIT = "no-unit"  # no such unit, or not the asker's: one answer
    REFUSED = "refused"
    NO_PERSON = "no-person"
    CHOOSE = "choose"  # the name fits several people: ``candidates``
    DONE = "done"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Outcome:
    status: Asked
    role: str
    unit: Unit | None = None
    person: Member | None = None
    candidates: list[Member] = field(default_factory=list)
    # After a change: the person's Telegram id and the role their menu now shows.
    menu: tuple[int, str] | None = None


async def _unit_for(session: AsyncSession, actor: Actor, unit: Unit | None) -> Unit | None:
    if unit is None or actor.member is None:
        return unit
    managed = await access.can_manage_unit(session, actor.member, unit, actor.config_admins)
    return unit if managed else None


async def ask(
    session: AsyncSession,
    actor: Actor,
    op: str,
    role: str,
    unit: Unit | None,
    person_ref: str | int,
    now: datetime,
) -> Outcome:
    """``op`` ("grant" or "revoke") ``role`` in ``unit`` for the person ``person_ref`` names
    (typed, see ``find_people``; or a member id, from a button), on the unit's lists."""
    unit = await _unit_for(session, actor, unit)
    if unit is None:
        return Outcome(Asked.NO_UNIT, role)
    if not await may_change(session, actor, role, unit):
        return Outcome(Asked.REFUSED, role, unit)
    ref = f"#{person_ref}" if isinstance(person_ref, int) else person_ref
    found = await find_people(session, ref, [unit])
    if not found:
        return Outcome(Asked.NO_PERSON, role, unit)
    if len(found) > 1:
        return Outcome(Asked.CHOOSE, role, unit, candidates=found)
    person = found[0]
    change = await (grant if op == "grant" else revoke)(session, actor, role, unit, person, now)
    if change is Change.REFUSED:
        return Outcome(Asked.REFUSED, role, unit, person)
    if change is Change.UNCHANGED:
        return Outcome(Asked.UNCHANGED, role, unit, person)
    menu = None
    if person.telegram_id is not None:
        menu = (person.telegram_id, await menu_role(session, person, actor.config_admins))
    return Outcome(Asked.DONE, role, unit, person, menu=menu)
