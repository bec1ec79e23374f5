"""/report: a unit's secretary submits the unit's report for its oldest open cycle."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.access import MANAGING_ROLES
from bot.services.tg_text import clean_text
from storage.models import AuditEvent, Member, Membership, ReportCycle, Unit

_COMMAND = re.compile(r"^/report(?:@\w+)?(?:\s+(\S+))?(?:\s+(.*))?$", re.DOTALL)

SUBMITTED, LATE, UPDATED = "submitted", "submitted-late", "updated"
UNKNOWN, NOT_SECRETARY, NOT_REQUIRED, CHOOSE, EMPTY, USAGE = (
    "unknown-number",
    "not-secretary",
    "not-required",
    "choose-unit",
    "empty",
    "usage",
)


@dataclass(frozen=True)
class ReportInput:
    """What the secretary sent: the command text (or caption) and maybe a document. Cleaned of
    control characters on the way in (a NUL would fail the statement that stores it)."""

    text: str
    document_file_id: str | None = None
    document_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text, keep_lines=True))
        if self.document_name is not None:
            object.__setattr__(self, "document_name", clean_text(self.document_name))


@dataclass(frozen=True)
class ReportOutcome:
    status: str
    number: str | None = None
    unit: str | None = None
    cycle: int = 0
    due_at: datetime | None = None
    codes: list[str] = field(default_factory=list)


def parse_command(text: str) -> tuple[str, str] | None:
    """``/report <number> [rest]`` → (number, rest); None without a number."""
    match = _COMMAND.match(text.strip())
    if match is None or not match.group(1):
        return None
    return match.group(1), (match.group(2) or "").strip()


async def _owing_units(session: AsyncSession, member: Member, directive_id: int) -> list[Unit]:
    """Units this member manages that owe the directive a report."""
    stmt = (
        select(Unit)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.member_id == member.id, Membership.role.in_(MANAGING_ROLES))
        .where(
            select(ReportCycle.id)
            .where(ReportCycle.directive_id == directive_id, ReportCycle.unit_id == Unit.id)
            .exists()
        )
        .order_by(Unit.path)
    )
    return list((await session.scalars(stmt)).all())


async def _manages_any(session: AsyncSession, member: Member) -> bool:
    stmt = select(Membership.id).where(
        Membership.member_id == member.id, Membership.role.in_(MANAGING_ROLES)
    )
    return (await session.scalar(stmt.limit(1))) is not None


async def submit_report(
    session: AsyncSession,
    member: Member | None,
    sent: ReportInput,
    now: datetime,
    config_admins: Collection[int] = (),
) -> ReportOutcome:
    """Record the report on the unit's oldest cycle not yet reported (a late report fills the
    gap it left); when every cycle so far is reported, the latest one is updated."""
    parsed = parse_command(sent.text)
    if parsed is None:
        return ReportOutcome(USAGE)
    number, rest = parsed
    if member is None or not await _manages_any(session, member):
        return ReportOutcome(NOT_SECRETARY, number)
    directive = await access.directive_for(session, member.chat_id, number, config_admins)
    if directive is None:  # no such directive, or not the member's: one answer
        return ReportOutcome(UNKNOWN, number)
    units = await _owing_units(session, member, directive.id)
    if not units:
        return ReportOutcome(NOT_REQUIRED, directive.number)
    head, *tail = rest.split(maxsplit=1) or [""]
    named = [u for u in units if u.code.lower() == head.lower()]
    if named:
        unit, rest = named[0], (tail[0] if tail else "").strip()
    elif len(units) == 1:
        unit = units[0]
    else:
        return ReportOutcome(CHOOSE, directive.number, codes=[u.code for u in units])
    if not rest and not sent.document_file_id:
        return ReportOutcome(EMPTY, directive.number)
    base = select(ReportCycle).where(
        ReportCycle.directive_id == directive.id, ReportCycle.unit_id == unit.id
    )
    cycle = (
        await session.scalars(
            base.where(ReportCycle.submitted_at.is_(None)).order_by(ReportCycle.cycle).limit(1)
        )
    ).first()
    status = SUBMITTED
    if cycle is None:
        cycle = (await session.scalars(base.order_by(ReportCycle.cycle.desc()).limit(1))).one()
        status = UPDATED
    else:
        cycle.submitted_at = now
        status = LATE if now > cycle.due_at else SUBMITTED
    cycle.submitted_by = member.id
    cycle.text = rest or cycle.text
    if sent.document_file_id:
        cycle.document_file_id = sent.document_file_id
        cycle.document_name = sent.document_name
    session.add(
        AuditEvent(
            at=now,
            actor=str(member.telegram_id),
            action="report",
            subject=directive.number,
            detail={"unit": unit.code, "cycle": cycle.cycle, "status": status},
        )
    )
    await session.flush()
    return ReportOutcome(status, directive.number, unit.name, cycle.cycle, cycle.due_at)
