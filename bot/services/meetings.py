"""Confirmations a secretary records for others: a directive studied at the cell's meeting (one
Meeting, a confirmation for each attendee) or one member marked received/studied on their
behalf. They count like presses everywhere (the same Confirmation rows, ``how`` says where they
came from), never overwrite a press, refresh the posts' counters and are audited."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access, chain, counters
from bot.services.dates import read_day
from bot.services.drafts import DraftError
from bot.services.names import vietnamese_sort_key
from bot.services.pending import targets_of
from bot.services.people_lookup import find_people
from storage import queries
from storage.models import AuditEvent, Confirmation, Directive, Meeting, Member, Membership, Unit
from storage.upsert import insert_ignore_returning

MARKABLE = ("received", "studied")


@dataclass(frozen=True)
class RosterEntry:
    member_id: int
    name: str


@dataclass(frozen=True)
class Recorded:
    """What a save wrote: confirmations new (a press or an earlier record is kept as it was)."""

    attendees: int
    received: int
    studied: int
    kind: str  # what attending counts as: studied, or received for a directive without study


def parse_held_on(text: str | None, today: date) -> date:
    """``dd/mm/yyyy`` (today when absent); a day after today is refused."""
    if text is None:
        return today
    value = read_day(text)
    if value is None:
        raise DraftError("meeting-bad-date", example=today.strftime("%d/%m/%Y"))
    if value > today:
        raise DraftError("meeting-future-date", date=value.strftime("%d/%m/%Y"))
    return value


def kinds_for(kind: str) -> list[str]:
    """What recording ``kind`` writes: studying implies having received."""
    return ["received", "studied"] if kind == "studied" else ["received"]


async def unit_roster(session: AsyncSession, unit_id: int) -> list[RosterEntry]:
    """Everyone on the unit's list (with a Telegram account or not), in Vietnamese order."""
    stmt = (
        select(Member.id, Member.full_name)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.unit_id == unit_id)
    )
    rows = [RosterEntry(int(mid), name) for mid, name in await session.execute(stmt)]
    return sorted(rows, key=lambda r: (vietnamese_sort_key(r.name), r.member_id))


async def sent_to(session: AsyncSession, directive: Directive, unit: Unit) -> bool:
    """Was the open directive sent to this unit (to it or to a unit above it)?"""
    if directive.status != "published":
        return False
    return queries.covers(await targets_of(session, directive.id), unit)


async def managed_unit(
    session: AsyncSession,
    telegram_id: int,
    code: str | None,
    config_admins: Collection[int],
) -> Unit | None:
    """The unit the secretary names (one they manage), or without a code the one unit they hold
    a role in; None otherwise ("not yours" and "no such unit" alike)."""
    if code is not None:
        return await access.unit_for(session, telegram_id, code, config_admins)
    member = await queries.member_by_telegram_id(session, telegram_id)
    if member is None:
        return None
    stmt = select(Unit).join(Membership, Membership.unit_id == Unit.id)
    held = (
        await session.scalars(
            stmt.where(
                Membership.member_id == member.id, Membership.role.in_(access.MANAGING_ROLES)
            )
        )
    ).all()
    return held[0] if len(held) == 1 else None


async def _write(
    session: AsyncSession,
    directive: Directive,
    member_ids: Sequence[int],
    kinds: Sequence[str],
    *,
    how: str,
    by: Member,
    now: datetime,
    meeting_id: int | None = None,
) -> dict[str, int]:
    rows = [
        {
            "directive_id": directive.id,
            "member_id": member_id,
            "kind": kind,
            "at": now,
            "chat_id": None,
            "how": how,
            "recorded_by": by.id,
            "meeting_id": meeting_id,
        }
        for member_id in member_ids
        for kind in kinds
    ]
    # Studied at a meeting on the district's document: studied the province's letter in it too.
    rows += chain.rows_above(await chain.above(session, directive), rows)
    new = await insert_ignore_returning(
        session, Confirmation, rows, ["directive_id", "member_id", "kind"]
    )
    await counters.mark_dirty(session, {(d, m) for d, m, _k in new})
    return {
        kind: sum(1 for d, _m, k in new if k == kind and d == directive.id) for kind in MARKABLE
    }


async def record_meeting(
    session: AsyncSession,
    directive: Directive,
    unit: Unit,
    held_on: date,
    attendees: Collection[int],
    *,
    by: Member,
    now: datetime,
) -> Recorded:
    """The unit studied ``directive`` at a meeting on ``held_on``: a Meeting and, for each
    attendee still on the unit's roster, studied (and received) unless already recorded."""
    roster = {r.member_id for r in await unit_roster(session, unit.id)}
    present = sorted(m for m in attendees if m in roster)
    meeting = Meeting(
        directive_id=directive.id,
        unit_id=unit.id,
        held_on=held_on,
        recorded_by=by.id,
        attendees=len(present),
    )
    session.add(meeting)
    await session.flush()
    kind = "studied" if directive.requires_study else "received"
    new = await _write(
        session,
        directive,
        present,
        kinds_for(kind),
        how="meeting",
        by=by,
        now=now,
        meeting_id=meeting.id,
    )
    session.add(
        AuditEvent(
            at=now,
            actor=str(by.telegram_id),
            action="meeting",
            subject=directive.number,
            detail={
                "meeting": meeting.id,
                "unit": unit.code,
                "held_on": held_on.isoformat(),
                "recorded_by": by.id,
                "attendees": present,
                "absent": len(roster) - len(present),
                "new": new,
            },
        )
    )
    await session.flush()
    return Recorded(len(present), new["received"], new["studied"], kind)


async def mark(
    session: AsyncSession,
    directive: Directive,
    member_id: int,
    kind: str,
    *,
    by: Member,
    now: datetime,
) -> bool:
    """Mark one member ``kind`` on their behalf (audited); False if it was already recorded."""
    if kind not in MARKABLE:
        raise ValueError(f"unknown confirmation kind {kind!r}")
    new = await _write(
        session, directive, [member_id], kinds_for(kind), how="behalf", by=by, now=now
    )
    if not any(new.values()):
        return False  # already recorded (by a press or before): nothing changed, nothing to audit
    session.add(
        AuditEvent(
            at=now,
            actor=str(by.telegram_id),
            action="mark",
            subject=directive.number,
            detail={"member": member_id, "kind": kind, "recorded_by": by.id, "new": new},
        )
    )
    await session.flush()
    return new[kind] > 0


async def find_members(
    session: AsyncSession, units: Sequence[Unit], query: str, limit: int = 8
) -> list[tuple[RosterEntry, Unit]]:
    """Roster entries of ``units`` whom ``query`` names (the one person lookup,
    :func:`find_people`: part of a name, case and accents ignored, or a phone or card number), in
    Vietnamese order; at most ``limit``."""
    found_by_id = {
        person.id: person
        for part in queries.chunks(list(units))  # below the drivers' parameter limits
        for person in await find_people(session, query, part, limit, subtree=False)
    }
    people = list(found_by_id.values())
    if not people:
        return []
    by_id = {u.id: u for u in units}
    unit_of: dict[int, Unit] = {}
    for ms in await queries.memberships_of_members(session, [m.id for m in people]):
        if ms.unit_id in by_id:
            unit_of.setdefault(ms.member_id, by_id[ms.unit_id])
    found = [(RosterEntry(m.id, m.full_name), unit_of[m.id]) for m in people if m.id in unit_of]
    found.sort(key=lambda f: (vietnamese_sort_key(f[0].name), f[0].member_id))
    return found[:limit]


async def member_in(session: AsyncSession, member_id: int, units: Sequence[Unit]) -> Unit | None:
    """The unit among ``units`` the member is on the roster of, if any."""
    stmt = select(Membership.unit_id).where(
        Membership.member_id == member_id, Membership.unit_id.in_([u.id for u in units])
    )
    unit_id = await session.scalar(stmt.limit(1))
    return next((u for u in units if u.id == unit_id), None)
