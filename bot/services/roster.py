"""A secretary's edits to their units' rosters from chat: add, rename, move, remove.

Every edit is checked against the asker's scope (:func:`access.unit_for`: an unknown unit and
one that is not theirs get the same refusal), refused with a :class:`DraftError` naming what was
wrong, and written to the audit log with who made it. Removing someone from a unit removes the
membership only: the person's confirmations stay, so past figures still add up."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.drafts import DraftError
from bot.services.joining import NAME_MAX, clean_name
from bot.services.people_lookup import find_people
from bot.services.phones import normalise_phone
from storage import queries
from storage.models import AuditEvent, Member, Membership, Unit

SEPARATOR = "|"  # between whom a command is about and the new full name (/member_rename)
# Tokens a phone number may be typed as ("0912 345 678" is three arguments).
_PHONE_CHARS = set("+0123456789().-")


@dataclass(frozen=True)
class RosterChange:
    """What an edit did, for the reply."""

    name: str
    unit: Unit
    previous: str = ""  # the name before a rename
    target: Unit | None = None  # where a member was moved to
    phone: str | None = None


def roster_name(raw: str) -> str:
    """A full name as rosters hold it (NFC, single spaces); the import reads names the same."""
    return clean_name(unicodedata.normalize("NFC", raw))


def _checked_name(raw: str) -> str:
    name = roster_name(raw)
    if not name:
        raise DraftError("roster-name-empty")
    if len(name) > NAME_MAX:
        raise DraftError("roster-name-too-long", max=NAME_MAX)
    return name


async def _unit(
    session: AsyncSession, telegram_id: int, code: str, admins: Collection[int]
) -> Unit:
    unit = await access.unit_for(session, telegram_id, code, admins)
    if unit is None:  # no such unit, or not the asker's: one answer
        raise DraftError("unit-not-yours", code=code)
    return unit


async def _entry(session: AsyncSession, unit: Unit, who: str) -> tuple[Member, Membership]:
    """The one person on ``unit``'s own roster that ``who`` (a full name, phone or card) names
    (the one person lookup, :func:`find_people`; whole names only, so nobody is changed for a
    part of their name)."""
    found = await find_people(session, roster_name(who), [unit], subtree=False, whole_name=True)
    if not found:
        raise DraftError("roster-not-found", who=who, unit=unit.name)
    if len(found) > 1:
        raise DraftError("roster-ambiguous", who=who, unit=unit.name, count=len(found))
    [member] = found
    ms = await queries.membership(session, member.id, unit.id)
    assert ms is not None  # found on this unit's roster
    return member, ms


def _audit(
    session: AsyncSession,
    *,
    now: datetime,
    actor: int,
    action: str,
    member: Member,
    detail: dict[str, str | None],
) -> None:
    session.add(
        AuditEvent(
            at=now, actor=str(actor), action=action, subject=f"member:{member.id}", detail=detail
        )
    )


def split_add(args: Sequence[str]) -> tuple[str, str, str | None]:
    """``<unit code> <full name> [phone]``: the phone is the trailing run of digit groups."""
    if len(args) < 2:
        raise DraftError("roster-add-usage")
    code, rest = args[0], list(args[1:])
    tail: list[str] = []
    while rest and set(rest[-1]) <= _PHONE_CHARS and any(ch.isdigit() for ch in rest[-1]):
        tail.insert(0, rest.pop())
    if not rest:
        raise DraftError("roster-add-usage")
    return code, " ".join(rest), " ".join(tail) or None


def split_rename(args: Sequence[str]) -> tuple[str, str, str]:
    """``<unit code> <who> | <new full name>``."""
    who, sep, new = " ".join(args[1:]).partition(SEPARATOR)
    if len(args) < 2 or not sep or not who.strip() or not new.strip():
        raise DraftError("roster-rename-usage")
    return args[0], who.strip(), new


def split_move(args: Sequence[str]) -> tuple[str, str, str]:
    """``<unit code> <new unit code> <who>``."""
    if len(args) < 3:
        raise DraftError("roster-move-usage")
    return args[0], args[1], " ".join(args[2:])


def split_remove(args: Sequence[str]) -> tuple[str, str]:
    """``<unit code> <who>``."""
    if len(args) < 2:
        raise DraftError("roster-remove-usage")
    return args[0], " ".join(args[1:])


async def add_member(
    session: AsyncSession,
    telegram_id: int,
    args: Sequence[str],
    *,
    admins: Collection[int],
    now: datetime,
) -> RosterChange:
    """``/member_add``: a new entry on the unit's roster (no Telegram account until claimed)."""
    code, raw_name, raw_phone = split_add(args)
    unit = await _unit(session, telegram_id, code, admins)
    name = _checked_name(raw_name)
    phone = normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        raise DraftError("roster-bad-phone", value=raw_phone)
    for m, _ms in await queries.roster_of_units(session, [unit.id]):
        if m.full_name == name and m.phone == phone:  # the import's key: unit + name + phone
            raise DraftError("roster-duplicate", name=name, unit=unit.name)
    member = Member(telegram_id=None, full_name=name, phone=phone, private_chat=False)
    session.add(member)
    await session.flush()
    session.add(Membership(member_id=member.id, unit_id=unit.id, role="member"))
    _audit(
        session,
        now=now,
        actor=telegram_id,
        action="roster-add",
        member=member,
        detail={"unit": unit.code, "name": name, "phone": phone},
    )
    await session.flush()
    return RosterChange(name=name, unit=unit, phone=phone)


async def rename_member(
    session: AsyncSession,
    telegram_id: int,
    args: Sequence[str],
    *,
    admins: Collection[int],
    now: datetime,
) -> RosterChange:
    """``/member_rename``: correct the full name of someone on the unit's roster."""
    code, who, raw_name = split_rename(args)
    unit = await _unit(session, telegram_id, code, admins)
    member, _ms = await _entry(session, unit, who)
    name = _checked_name(raw_name)
    previous, member.full_name = member.full_name, name
    _audit(
        session,
        now=now,
        actor=telegram_id,
        action="roster-rename",
        member=member,
        detail={"unit": unit.code, "old": previous, "new": name},
    )
    await session.flush()
    return RosterChange(name=name, unit=unit, previous=previous)


async def _plain_entry(session: AsyncSession, unit: Unit, who: str) -> tuple[Member, Membership]:
    member, ms = await _entry(session, unit, who)
    if ms.role in access.MANAGING_ROLES:  # roles are granted and revoked on their own
        raise DraftError("roster-has-role", name=member.full_name, unit=unit.name)
    return member, ms


async def move_member(
    session: AsyncSession,
    telegram_id: int,
    args: Sequence[str],
    *,
    admins: Collection[int],
    now: datetime,
) -> RosterChange:
    """``/member_move``: from one of the asker's units to another of theirs."""
    code, target_code, who = split_move(args)
    unit = await _unit(session, telegram_id, code, admins)
    target = await _unit(session, telegram_id, target_code, admins)
    member, ms = await _plain_entry(session, unit, who)
    if target.id == unit.id or await queries.membership(session, member.id, target.id):
        raise DraftError("roster-already-there", name=member.full_name, unit=target.name)
    ms.unit_id = target.id
    _audit(
        session,
        now=now,
        actor=telegram_id,
        action="roster-move",
        member=member,
        detail={"unit": unit.code, "target": target.code},
    )
    await session.flush()
    return RosterChange(name=member.full_name, unit=unit, target=target)


async def remove_member(
    session: AsyncSession,
    telegram_id: int,
    args: Sequence[str],
    *,
    admins: Collection[int],
    now: datetime,
) -> RosterChange:
    """``/member_remove``: take someone off the unit's roster (their confirmations stay)."""
    code, who = split_remove(args)
    unit = await _unit(session, telegram_id, code, admins)
    member, ms = await _plain_entry(session, unit, who)
    await session.delete(ms)
    _audit(
        session,
        now=now,
        actor=telegram_id,
        action="roster-remove",
        member=member,
        detail={"unit": unit.code},
    )
    await session.flush()
    return RosterChange(name=member.full_name, unit=unit)
