"""What Chithi holds about a person (``/mydata``), leaving a unit (``/leave``), and erasing a
person on an administrator's order (``/forget``).

Erasing keeps the member's row and their confirmations, so every unit's anonymous figures
still add up; what names or reaches the person goes: the name becomes a neutral marker
(``#<entry id>``: no language, no personal data), phone, card number, date of birth, username
and Telegram id are cleared, roles fall back to plain member, and their claims and open
dialogue are deleted (they hold their Telegram name and id), and so are the messages the outbox
holds for their private chat (none is sent to them afterwards, and amending or recalling a
directive edits none of theirs). The audit log keeps every event, with the person only as their
entry: what they did is credited to ``#<entry id>`` instead of their Telegram id, and the names,
phone numbers and Telegram ids that events about them held (a roster edit, a claim) are cleared.
The event of the erasure records who erased whom by entry id only.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.people_lookup import find_people
from storage import queries
from storage.models import (
    AuditEvent,
    Claim,
    Confirmation,
    Delivery,
    DialogueDraft,
    Directive,
    Member,
    Membership,
    Unit,
)

RECENT_CONFIRMATIONS = 20  # /mydata lists this many, newest first, and counts the rest


def erased_name(member_id: int) -> str:
    """The neutral marker an erased entry's name becomes."""
    return f"#{member_id}"


@dataclass(frozen=True)
class HeldUnit:
    unit_id: int
    code: str
    name: str
    role: str


@dataclass(frozen=True)
class Confirmed:
    number: str
    title: str
    kind: str  # received, studied
    at: datetime
    how: str  # press, meeting, behalf


@dataclass(frozen=True)
class MyData:
    full_name: str
    username: str | None
    telegram_id: int | None
    phone: str | None
    card_number: str | None
    birth_date: date | None
    units: list[HeldUnit]
    confirmations: list[Confirmed]  # the newest RECENT_CONFIRMATIONS
    confirmations_total: int


async def units_of(session: AsyncSession, member: Member) -> list[HeldUnit]:
    """The units whose lists the member is on, with their role in each, in tree order."""
    stmt = (
        select(Membership, Unit)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.member_id == member.id)
        .order_by(Unit.path)
    )
    return [
        HeldUnit(u.id, u.code, u.name, ms.role) for ms, u in (await session.execute(stmt)).all()
    ]


async def my_data(session: AsyncSession, member: Member) -> MyData:
    """Everything Chithi holds about ``member`` that names them."""
    total = await session.scalar(
        select(func.count(Confirmation.id)).where(Confirmation.member_id == member.id)
    )
    stmt = (
        select(Confirmation, Directive)
        .join(Directive, Directive.id == Confirmation.directive_id)
        .where(Confirmation.member_id == member.id)
        .order_by(Confirmation.at.desc(), Confirmation.id.desc())
        .limit(RECENT_CONFIRMATIONS)
    )
    confirmations = [
        Confirmed(d.number, d.title, c.kind, c.at, c.how)
        for c, d in (await session.execute(stmt)).all()
    ]
    return MyData(
        full_name=member.full_name,
        username=member.username,
        telegram_id=member.telegram_id,
        phone=member.phone,
        card_number=member.card_number,
        birth_date=member.birth_date,
        units=await units_of(session, member),
        confirmations=confirmations,
        confirmations_total=int(total or 0),
    )


async def leave_unit(session: AsyncSession, member: Member, unit_id: int, now: datetime) -> bool:
    """Take ``member`` off the unit's list (their role there goes with it); False if they were
    not on it. Their confirmations stay."""
    held = await queries.membership(session, member.id, unit_id)
    if held is None:
        return False
    unit = await session.get(Unit, unit_id)
    session.add(
        AuditEvent(
            at=now,
            actor=str(member.telegram_id or f"#{member.id}"),
            action="member.leave",
            subject=f"member:{member.id}",
            detail={"unit": unit.code if unit else unit_id, "role": held.role},
        )
    )
    await session.delete(held)
    await session.flush()
    return True


async def may_forget(
    session: AsyncSession, actor: Member | None, person: Member, config_admins: Collection[int]
) -> bool:
    """An administrator (``actor`` None: the operator) may erase a person on the lists of units
    they manage; nobody erases themselves here (``/leave`` is theirs)."""
    if actor is None:
        return True
    if actor.id == person.id or not await access.is_admin(session, actor, config_admins):
        return False
    for held in await units_of(session, person):
        unit = await session.get(Unit, held.unit_id)
        if unit is None or not await access.can_manage_unit(session, actor, unit, config_admins):
            return False
    return True


async def forget(session: AsyncSession, actor_label: str, person: Member, now: datetime) -> None:
    """Erase ``person``'s personal data (see the module's docstring)."""
    telegram_id = person.telegram_id
    claims = or_(Claim.member_id == person.id, Claim.telegram_id == telegram_id)
    theirs = claims if telegram_id else Claim.member_id == person.id
    claim_ids = list((await session.scalars(select(Claim.id).where(theirs))).all())
    await session.execute(delete(Claim).where(theirs))
    await session.execute(delete(Delivery).where(Delivery.member_id == person.id))
    await _scrub_audit(session, person, claim_ids)
    if telegram_id is not None:
        await session.execute(delete(DialogueDraft).where(DialogueDraft.telegram_id == telegram_id))
    units = await units_of(session, person)
    for held in await queries.memberships_of(session, person.id):
        held.role = "member"
    confirmations = await session.scalar(
        select(func.count(Confirmation.id)).where(Confirmation.member_id == person.id)
    )
    person.full_name = erased_name(person.id)
    person.phone = None
    person.card_number = None
    person.birth_date = None
    person.username = None
    person.telegram_id = None
    person.private_chat = False
    person.erased_at = now
    session.add(
        AuditEvent(
            at=now,
            actor=actor_label,
            action="member.forget",
            subject=f"member:{person.id}",
            detail={
                "units": [u.code for u in units],
                "roles": sorted({u.role for u in units}),
                "confirmations_kept": int(confirmations or 0),
            },
        )
    )
    await session.flush()


# Keys of audit details that name or reach a person (a roster edit's names and phone, a
# claim's Telegram id): cleared in the events about someone erased.
PERSONAL_DETAIL = frozenset({"name", "old", "new", "phone", "card", "username", "telegram_id"})


async def _scrub_audit(session: AsyncSession, person: Member, claim_ids: list[int]) -> None:
    """The audit log without ``person``'s identity: their own actions credited to their
    entry's marker, the personal values of the events about them (or their claims) cleared."""
    if person.telegram_id is not None:
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.actor == str(person.telegram_id))
            .values(actor=erased_name(person.id))
        )
    subjects = [f"member:{person.id}", *(f"claim:{i}" for i in claim_ids)]
    for part in queries.chunks(subjects):
        for event in await session.scalars(select(AuditEvent).where(AuditEvent.subject.in_(part))):
            detail = dict(event.detail or {})
            if PERSONAL_DETAIL & detail.keys():
                event.detail = {k: (None if k in PERSONAL_DETAIL else v) for k, v in detail.items()}


class ToForget(enum.Enum):
    REFUSED = "refused"  # not an administrator, or the person is not wholly theirs
    NO_PERSON = "no-person"
    CHOOSE = "choose"
    CONFIRM = "confirm"


async def whom_to_forget(
    session: AsyncSession, actor: Member, ref: str | int, config_admins: Collection[int]
) -> tuple[ToForget, list[Member]]:
    """Whom ``/forget <ref>`` names (typed; or a member id, from a button), among the people on
    the lists the administrator manages."""
    if not await access.is_admin(session, actor, config_admins):
        return ToForget.REFUSED, []
    roots = await access.roots_of(session, actor, config_admins)
    found = await find_people(session, f"#{ref}" if isinstance(ref, int) else ref, roots)
    if not found:
        return ToForget.NO_PERSON, []
    if len(found) > 1:
        return ToForget.CHOOSE, found
    if not await may_forget(session, actor, found[0], config_admins):
        return ToForget.REFUSED, []
    return ToForget.CONFIRM, found
