"""Claiming a roster entry through a unit's join link, and asking to be added to a unit.

``/start <token>`` lists the unit's unclaimed entries (roster rows without a Telegram id).
Whoever opens it claims one by name (waits for a secretary unless the unit's ``join_approval``
is off), by sharing their own phone number (a match is approved at once), or asks to be added.

Taking an entry is one conditional UPDATE (``telegram_id IS NULL``): of two people claiming one
entry at once exactly one wins, on SQLite (writers take turns) and PostgreSQL (the second
UPDATE waits for the first and then finds the entry taken). Someone the bot already knew only
by Telegram (a row made when they first wrote or pressed) is merged into the entry they take:
their memberships and confirmations move there and their own row goes, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.entries import take_entry
from bot.services.joining import token_digest
from bot.services.names import folded, vietnamese_sort_key
from bot.services.people import TelegramPerson
from bot.services.phones import normalise_phone
from storage import queries
from storage.models import (
    AuditEvent,
    Claim,
    Member,
    Membership,
    Unit,
)

PAGE_SIZE = 8
DECIDING_ROLES = ("secretary", "deputy")  # of the unit itself: they are asked to decide


class ClaimStatus(StrEnum):
    APPROVED = "approved"  # the entry is theirs now (or they were added to the unit)
    PENDING = "pending"  # waits for the unit's secretary
    TAKEN = "taken"  # someone else holds the entry (perhaps since a moment ago)
    HOLDS_ENTRY = "holds-entry"  # the claimant already holds a roster entry
    NO_MATCH = "no-match"  # the shared phone number is on no unclaimed entry of the unit
    ALREADY = "already"  # already on this unit's roster
    INVALID = "invalid"  # stale or forged data


class DecideStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    TAKEN = "taken"  # approved, but the entry was taken meanwhile: the claim is declined
    DECIDED = "decided"  # someone decided it already
    REFUSED = "refused"  # the presser may not decide claims of that unit
    INVALID = "invalid"


@dataclass(frozen=True)
class ClaimOutcome:
    status: ClaimStatus
    unit: Unit | None = None
    claim: Claim | None = None
    entry_name: str = ""
    deciders: tuple[tuple[int, str], ...] = ()  # (Telegram id, language) to ask, if pending


@dataclass(frozen=True)
class DecideOutcome:
    status: DecideStatus
    claim: Claim | None = None
    unit: Unit | None = None
    entry_name: str = ""
    claimant_language: str = "vi"


@dataclass(frozen=True)
class RosterPage:
    """One page of a unit's unclaimed names (id, name), filtered by ``query``."""

    names: list[tuple[int, str]] = field(default_factory=list)
    page: int = 0
    pages: int = 1
    total: int = 0


fold = folded  # names are compared the one way (bot.services.names)


# -- the buttons of an offer: the unit and its token's digest, re-checked on every press --------


def name_data(unit: Unit, member_id: int) -> str:
    return f"cl:n:{unit.id}:{token_digest(unit.join_token)}:{member_id}"


def page_data(unit: Unit, page: int) -> str:
    return f"cl:p:{unit.id}:{token_digest(unit.join_token)}:{page}"


def ask_data(unit: Unit) -> str:
    return f"cl:a:{unit.id}:{token_digest(unit.join_token)}:0"


def decide_data(claim: Claim, approve: bool) -> str:
    return f"cl:{'ok' if approve else 'no'}:{claim.id}"


@dataclass(frozen=True)
class OfferPress:
    action: str  # n (name), p (page), a (ask)
    unit: Unit
    arg: int


async def parse_offer_press(session: AsyncSession, data: str) -> OfferPress | None:
    """``cl:<n|p|a>:<unit>:<digest>:<n>`` -> the press, if the unit's token is still current."""
    parts = data.split(":")
    if len(parts) != 5 or parts[0] != "cl" or parts[1] not in ("n", "p", "a"):
        return None
    if not (parts[2].isdigit() and parts[4].isdigit()):
        return None
    unit = await session.get(Unit, int(parts[2]))
    if unit is None or token_digest(unit.join_token) != parts[3]:
        return None
    return OfferPress(parts[1], unit, int(parts[4]))


def parse_decide_data(data: str) -> tuple[int, bool] | None:
    """``cl:ok:<claim>`` / ``cl:no:<claim>`` -> (claim id, approve)."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "cl" or parts[1] not in ("ok", "no"):
        return None
    if not parts[2].isdigit():
        return None
    return int(parts[2]), parts[1] == "ok"


# -- reading ---------------------------------------------------------------------------------


async def unclaimed_page(
    session: AsyncSession, unit_id: int, query: str = "", page: int = 0
) -> RosterPage:
    """The unit's unclaimed, not erased entries whose name contains ``query`` (accents and
    case ignored), in Vietnamese alphabetical order, ``PAGE_SIZE`` a page."""
    stmt = (
        select(Member.id, Member.full_name)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.unit_id == unit_id,
            Member.telegram_id.is_(None),
            Member.erased_at.is_(None),
        )
    )
    rows = [(int(i), str(n)) for i, n in (await session.execute(stmt)).all()]
    needle = fold(query)
    if needle:
        rows = [r for r in rows if needle in fold(r[1])]
    rows.sort(key=lambda r: (vietnamese_sort_key(r[1]), r[0]))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return RosterPage(rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages, len(rows))


async def _holds_entry(session: AsyncSession, telegram_id: int) -> bool:
    """Does this person already hold a roster entry (one with roster data, or one they
    claimed)? A row the bot made from Telegram alone does not count: it merges."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None:
        return False
    if member.phone or member.card_number:
        return True
    claimed = select(Claim.id).where(
        Claim.member_id == member.id, Claim.telegram_id == telegram_id, Claim.state == "approved"
    )
    return bool(await session.scalar(select(exists(claimed))))


async def _on_roster(session: AsyncSession, telegram_id: int, unit_id: int) -> bool:
    member = await queries.member_by_telegram_id(session, telegram_id)
    return member is not None and await queries.membership(session, member.id, unit_id) is not None


async def deciders_of(session: AsyncSession, unit: Unit) -> tuple[tuple[int, str], ...]:
    """(Telegram id, language) of whoever is asked to decide the unit's claims: its
    secretaries and deputies; without any, the managers above it."""
    stmt = (
        select(Member.telegram_id, Member.language)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.unit_id == unit.id,
            Membership.role.in_(DECIDING_ROLES),
            Member.telegram_id.is_not(None),
        )
        .order_by(Member.id)
    )
    found = {int(tg): str(lang) for tg, lang in (await session.execute(stmt)).all() if tg}
    if not found:
        for m in await access.managers_of(session, unit):
            if m.member.telegram_id is not None:
                found.setdefault(m.member.telegram_id, m.member.language)
    return tuple(found.items())


async def may_decide(
    session: AsyncSession, telegram_id: int, unit: Unit, config_admins: Collection[int]
) -> bool:
    """Secretaries (of the unit or above), admins, and the unit's deputies."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None:
        return telegram_id in config_admins
    if await access.can_manage_unit(session, member, unit, config_admins):
        return True
    held = await queries.membership(session, member.id, unit.id)
    return held is not None and held.role == "deputy"


def _audit(
    session: AsyncSession, now: datetime, actor: int | str, action: str, claim: Claim
) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor=str(actor),
            action=action,
            subject=f"claim:{claim.id}",
            detail={
                "unit": claim.unit_id,
                "member": claim.member_id,
                "telegram_id": claim.telegram_id,
                "how": claim.how,
                "state": claim.state,
            },
        )
    )


async def _withdraw_open(session: AsyncSession, telegram_id: int, unit_id: int) -> None:
    """A new claim replaces the person's claims still waiting in that unit."""
    await session.execute(
        update(Claim)
        .where(Claim.telegram_id == telegram_id, Claim.unit_id == unit_id, Claim.state == "pending")
        .values(state="withdrawn")
    )


async def _new_claim(
    session: AsyncSession,
    person: TelegramPerson,
    unit: Unit,
    member_id: int | None,
    how: str,
    state: str,
    now: datetime,
) -> Claim:
    claim = Claim(
        unit_id=unit.id,
        member_id=member_id,
        telegram_id=person.telegram_id,
        full_name=person.full_name or str(person.telegram_id),
        how=how,
        state=state,
        created_at=now,
        decided_at=now if state == "approved" else None,
    )
    session.add(claim)
    await session.flush()
    _audit(session, now, person.telegram_id, f"claim-{state}", claim)
    return claim


async def _entry_in_unit(session: AsyncSession, unit: Unit, member_id: int) -> Member | None:
    stmt = (
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Member.id == member_id, Membership.unit_id == unit.id, Member.erased_at.is_(None))
    )
    return await session.scalar(stmt)


async def claim_by_name(
    session: AsyncSession, person: TelegramPerson, unit: Unit, member_id: int, now: datetime
) -> ClaimOutcome:
    """The person says they are the unit's entry ``member_id``: approved at once if the unit
    asks no approval, else a pending claim for its secretaries."""
    entry = await _entry_in_unit(session, unit, member_id)
    if entry is None:
        return ClaimOutcome(ClaimStatus.INVALID, unit)
    name = entry.full_name
    if entry.telegram_id == person.telegram_id:
        return ClaimOutcome(ClaimStatus.ALREADY, unit, entry_name=name)
    if entry.telegram_id is not None:
        return ClaimOutcome(ClaimStatus.TAKEN, unit, entry_name=name)
    if await _holds_entry(session, person.telegram_id):
        return ClaimOutcome(ClaimStatus.HOLDS_ENTRY, unit, entry_name=name)
    await _withdraw_open(session, person.telegram_id, unit.id)
    if unit.join_approval:
        claim = await _new_claim(session, person, unit, member_id, "name", "pending", now)
        deciders = await deciders_of(session, unit)
        return ClaimOutcome(ClaimStatus.PENDING, unit, claim, name, deciders)
    if not await take_entry(session, member_id, person.telegram_id):
        return ClaimOutcome(ClaimStatus.TAKEN, unit, entry_name=name)
    claim = await _new_claim(session, person, unit, member_id, "name", "approved", now)
    return ClaimOutcome(ClaimStatus.APPROVED, unit, claim, name)


async def claim_by_phone(
    session: AsyncSession, person: TelegramPerson, unit: Unit, raw_phone: str, now: datetime
) -> ClaimOutcome:
    """The person shared their own phone number: the unit's unclaimed entry with that number
    is theirs at once."""
    phone = normalise_phone(raw_phone)
    if phone is None:
        return ClaimOutcome(ClaimStatus.NO_MATCH, unit)
    stmt = (
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.unit_id == unit.id, Member.phone == phone, Member.erased_at.is_(None))
        .order_by(Member.id)
    )
    entries: Sequence[Member] = (await session.scalars(stmt)).all()
    if any(e.telegram_id == person.telegram_id for e in entries):
        return ClaimOutcome(ClaimStatus.ALREADY, unit, entry_name=entries[0].full_name)
    free = [e for e in entries if e.telegram_id is None]
    if not free:
        status = ClaimStatus.TAKEN if entries else ClaimStatus.NO_MATCH
        return ClaimOutcome(status, unit)
    if await _holds_entry(session, person.telegram_id):
        return ClaimOutcome(ClaimStatus.HOLDS_ENTRY, unit, entry_name=free[0].full_name)
    entry_id, name = free[0].id, free[0].full_name
    if not await take_entry(session, entry_id, person.telegram_id):
        return ClaimOutcome(ClaimStatus.TAKEN, unit, entry_name=name)
    await _withdraw_open(session, person.telegram_id, unit.id)
    claim = await _new_claim(session, person, unit, entry_id, "phone", "approved", now)
    return ClaimOutcome(ClaimStatus.APPROVED, unit, claim, name)


async def _add_to_unit(session: AsyncSession, claim: Claim) -> None:
    """Approving a request to be added: the person's row (made from their Telegram name when
    they opened the link) becomes an entry of the unit's roster."""
    member = await queries.member_by_telegram_id(session, claim.telegram_id)
    if member is None:
        member = Member(telegram_id=claim.telegram_id, full_name=claim.full_name, language="vi")
        session.add(member)
        await session.flush()
    await queries.add_membership_if_absent(session, member.id, claim.unit_id, "member")
    claim.member_id = member.id


async def ask_to_be_added(
    session: AsyncSession, person: TelegramPerson, unit: Unit, now: datetime
) -> ClaimOutcome:
    """The person is not on the list: a request for the secretaries (added at once if the unit
    asks no approval)."""
    if await _on_roster(session, person.telegram_id, unit.id):
        return ClaimOutcome(ClaimStatus.ALREADY, unit)
    await _withdraw_open(session, person.telegram_id, unit.id)
    if unit.join_approval:
        claim = await _new_claim(session, person, unit, None, "ask", "pending", now)
        return ClaimOutcome(
            ClaimStatus.PENDING, unit, claim, deciders=await deciders_of(session, unit)
        )
    claim = await _new_claim(session, person, unit, None, "ask", "approved", now)
    await _add_to_unit(session, claim)
    return ClaimOutcome(ClaimStatus.APPROVED, unit, claim)


async def decide(
    session: AsyncSession,
    decider: int,
    data: str,
    now: datetime,
    config_admins: Collection[int],
) -> DecideOutcome:
    """A secretary's Approve/Decline press (``data`` not trusted: the presser must be allowed
    to decide the claim's unit, and the claim must still wait)."""
    parsed = parse_decide_data(data)
    claim = await session.get(Claim, parsed[0]) if parsed else None
    if parsed is None or claim is None:
        return DecideOutcome(DecideStatus.INVALID)
    unit = await session.get(Unit, claim.unit_id)
    if unit is None or not await may_decide(session, decider, unit, config_admins):
        return DecideOutcome(DecideStatus.REFUSED)
    entry = await session.get(Member, claim.member_id) if claim.member_id is not None else None
    name = entry.full_name if entry is not None else ""
    approve = parsed[1]
    state = "approved" if approve else "declined"
    decided_by = await queries.member_by_telegram_id(session, decider)
    turned = await session.execute(  # the claim itself: of two presses, one decides
        update(Claim)
        .where(Claim.id == claim.id, Claim.state == "pending")
        .values(state=state, decided_at=now, decided_by=decided_by.id if decided_by else None)
        .execution_options(synchronize_session=False)
    )
    if queries.rows_touched(turned) != 1:
        await session.refresh(claim)
        return DecideOutcome(DecideStatus.DECIDED, claim, unit, name)
    await session.refresh(claim)
    status = DecideStatus.APPROVED if approve else DecideStatus.DECLINED
    if approve and claim.member_id is not None:
        if await _holds_entry(session, claim.telegram_id) or not await take_entry(
            session, claim.member_id, claim.telegram_id
        ):
            claim.state, status = "declined", DecideStatus.TAKEN
    elif approve:
        await _add_to_unit(session, claim)
    await session.flush()
    _audit(session, now, decider, f"claim-{claim.state}", claim)
    claimant = await queries.member_by_telegram_id(session, claim.telegram_id)
    language = claimant.language if claimant is not None else "vi"
    return DecideOutcome(status, claim, unit, name, language)
