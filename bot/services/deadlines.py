"""Changing a directive's deadline after publishing: everything that depends on it (reminder
rows, escalation, the open report cycle) is cancelled and planned again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.dates import read_moment
from bot.services.directive_rules import check_deadline, to_utc
from bot.services.drafts import DraftError
from bot.services.pending import targets_of
from bot.services.reminders import (
    DEADLINES,
    ReminderRules,
    cancel_deadline,
    current_cycle,
    open_report_cycle,
    plan_deadline,
)
from storage import queries
from storage.models import AuditEvent, Directive, Member, ReportCycle

ALIASES = {
    "receive": "receive_by",
    "nhan": "receive_by",
    "nhận": "receive_by",
    "study": "study_by",
    "hoc": "study_by",
    "học": "study_by",
    "report": "report_by",
    "baocao": "report_by",
    "báo-cáo": "report_by",
    **{d: d for d in DEADLINES},
}
REMOVE = {"bo", "bỏ", "none", "-"}
# A deadline outside these years is a typing mistake; years 1 and 9999 also overflow date
# arithmetic (time zones, reminder offsets) further on.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class DeadlineChange:
    directive: Directive
    which: str
    old: datetime | None
    new: datetime | None
    cancelled: int
    planned: int


async def check_may_change(
    session: AsyncSession,
    member: Member | None,
    directive: Directive,
    admins: Sequence[int],
    denied: str = "deadline-not-allowed",
) -> None:
    """Admins, the publisher, and secretaries whose sub-trees hold every target may (also amend
    or recall it: ``denied`` is the refusal's text key)."""
    if member is None:
        raise DraftError(denied, number=directive.number)
    if directive.published_by == member.id or await access.is_admin(session, member, admins):
        return
    managed = await access.managed_roots(session, member, admins)
    targets = await targets_of(session, directive.id)
    if not managed or not all(queries.covers(managed, unit) for unit in targets):
        raise DraftError(denied, number=directive.number)


async def directive_to_change(
    session: AsyncSession,
    telegram_id: int,
    number: str,
    admins: Sequence[int],
    denied: str = "deadline-not-allowed",
) -> Directive:
    """The directive numbered ``number`` if the asker may move its deadlines; else DraftError.

    Someone who manages nothing is refused whatever the number; anyone else gets one answer for
    a number that does not exist and for one that is not theirs.
    """
    member = await queries.member_by_telegram_id(session, telegram_id)
    directive = await access.directive_for(session, telegram_id, number, admins)
    if directive is None:
        manages = telegram_id in admins or bool(await access.roots_of(session, member, admins))
        raise DraftError("directive-not-found" if manages else denied, number=number)
    await check_may_change(session, member, directive, admins, denied)
    return directive


def parse_which(value: str) -> str:
    which = ALIASES.get(value.strip().lower())
    if which is None:
        raise DraftError("deadline-bad-which", value=value)
    return which


def parse_local_time(value: str) -> datetime | None:
    """``dd/mm/yyyy hh:mm`` (local, naive); ``bo`` removes the deadline (None)."""
    text = " ".join(value.split())
    if text.lower() in REMOVE:
        return None
    moment = read_moment(text)
    if moment is None:
        raise DraftError("deadline-bad-time", value=value)
    return sane_moment(moment, value)


def sane_moment(moment: datetime, value: str) -> datetime:
    """``moment`` (read from ``value``) if its year is one a deadline can have; else a
    ``DraftError`` saying which years are."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise DraftError(
            "date-out-of-range", value=value, first=str(FIRST_YEAR), last=str(LAST_YEAR)
        )
    return moment


async def change_deadline(
    session: AsyncSession,
    directive: Directive,
    which: str,
    new_local: datetime | None,
    *,
    now: datetime,
    rules: ReminderRules,
    actor: str,
) -> DeadlineChange:
    """Set (or with None remove) one deadline, entered in local time, and re-plan.

    For a periodic report the change applies to the open (newest) cycle; later cycles follow
    from it. Raises ``DraftError`` for a past time or a deadline the directive cannot have.
    """
    which = parse_which(which)
    new = to_utc(new_local, rules.tz) if new_local is not None else None
    if new_local is not None and new is not None and new <= now:
        raise DraftError("deadline-past", when=new_local.strftime("%d/%m/%Y %H:%M"))
    if new_local is not None:  # the same bounds as at publishing (not years ahead)
        check_deadline(which, new_local, now, rules.tz)
    if which == "study_by" and not directive.requires_study:
        raise DraftError("deadline-no-study", number=directive.number)
    if which == "report_by" and new is None and directive.report_every:
        raise DraftError("deadline-report-needed", number=directive.number)
    old: datetime | None = getattr(directive, which)
    cycle = await current_cycle(session, directive.id) if which == "report_by" else 0
    cancelled = await cancel_deadline(session, directive.id, which, cycle)
    setattr(directive, which, new)
    if which == "report_by":
        await _move_cycle(session, directive, cycle, new)
    planned = 0
    if new is not None and (which != "study_by" or directive.requires_study):
        planned = await plan_deadline(
            session, directive, which, cycle=cycle, deadline=new, now=now, rules=rules
        )
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="deadline",
            subject=directive.number,
            detail={
                "which": which,
                "cycle": cycle,
                "old": old.isoformat() if old else None,
                "new": new.isoformat() if new else None,
                "cancelled": cancelled,
            },
        )
    )
    await session.flush()
    return DeadlineChange(directive, which, old, new, cancelled, planned)


async def _move_cycle(
    session: AsyncSession, directive: Directive, cycle: int, new: datetime | None
) -> None:
    """The open cycle's rows follow the new deadline; removing it drops unreported rows."""
    where = (ReportCycle.directive_id == directive.id, ReportCycle.cycle == cycle)
    if new is None:
        await session.execute(delete(ReportCycle).where(*where, ReportCycle.submitted_at.is_(None)))
        return
    result = await session.execute(update(ReportCycle).where(*where).values(due_at=new))
    if not queries.rows_touched(result):
        await open_report_cycle(session, directive, cycle, new)
