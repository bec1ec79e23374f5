"""Planning reminders as rows: at publish time, when a deadline changes, when a report cycle
opens. One row per (directive, deadline, cycle, offset) plus one escalation row; who is still
pending is worked out when a row falls due (``bot.services.reminder_tick``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ReminderSettings, Settings
from bot.services.reminder_scope import scope_units
from bot.services.schedule import ESCALATION, QuietHours, plan_slots
from storage import queries
from storage.models import Directive, Reminder, ReportCycle
from storage.upsert import insert_ignore

DEADLINES = ("receive_by", "study_by", "report_by")
PENDING, DONE, SKIPPED, CANCELLED = "pending", "done", "skipped", "cancelled"


@dataclass(frozen=True)
class ReminderRules:
    """What the planner and the tick need from the settings."""

    offsets: tuple[int, ...]
    quiet: QuietHours
    threshold: float
    admins: tuple[int, ...] = ()
    chunk_size: int = 2000  # members per statement in a tick

    @property
    def tz(self) -> ZoneInfo:
        return self.quiet.tz

    @classmethod
    def build(
        cls, reminders: ReminderSettings, tz: ZoneInfo, admins: Sequence[int] = ()
    ) -> ReminderRules:
        return cls(
            offsets=tuple(reminders.offset_seconds),
            quiet=QuietHours(_naive(reminders.quiet_start), _naive(reminders.quiet_end), tz),
            threshold=reminders.escalation_threshold,
            admins=tuple(admins),
            chunk_size=reminders.chunk_size,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderRules:
        return cls.build(settings.reminders, settings.locale.tz, settings.bot.admins)


def _naive(moment: time) -> time:
    return moment.replace(tzinfo=None)


def reminder_key(directive_id: int, which: str, cycle: int, slot: str, deadline: datetime) -> str:
    """Unique per planned deadline: re-planning the same deadline is a no-op, a new deadline
    gets new rows (and so new outbox keys: the new deadline is reminded anew)."""
    return f"d{directive_id}:{which}:c{cycle}:{slot}:{int(deadline.timestamp())}"


def needs_reminders(directive: Directive, which: str) -> bool:
    return not (which == "study_by" and not directive.requires_study)


async def plan_directive(
    session: AsyncSession, directive: Directive, *, now: datetime, rules: ReminderRules
) -> int:
    """Plan every deadline of a freshly published directive; returns rows planned."""
    planned = 0
    for which in DEADLINES:
        deadline: datetime | None = getattr(directive, which)
        if deadline is None or not needs_reminders(directive, which):
            continue
        if which == "report_by":
            await open_report_cycle(session, directive, 0, deadline)
        planned += await plan_deadline(
            session, directive, which, cycle=0, deadline=deadline, now=now, rules=rules
        )
    return planned


async def plan_deadline(
    session: AsyncSession,
    directive: Directive,
    which: str,
    *,
    cycle: int,
    deadline: datetime,
    now: datetime,
    rules: ReminderRules,
) -> int:
    """Rows for one deadline (idempotent). Rows cancelled for this same deadline earlier (a
    deadline changed away and back) come back to life; rows already done stay done."""
    rows = []
    for slot in plan_slots(deadline, rules.offsets, rules.quiet, now):
        name = "esc" if slot.kind == ESCALATION else f"o{slot.offset_seconds}"
        rows.append(
            {
                "dedupe_key": reminder_key(directive.id, which, cycle, name, deadline),
                "directive_id": directive.id,
                "deadline": which,
                "kind": slot.kind,
                "offset_seconds": slot.offset_seconds,
                "cycle": cycle,
                "due_at": slot.due_at,
                "deadline_at": deadline,
                "state": PENDING,
                "created_at": now,
            }
        )
    for row in rows:
        await session.execute(
            update(Reminder)
            .where(Reminder.dedupe_key == row["dedupe_key"], Reminder.state == CANCELLED)
            .values(state=PENDING, due_at=row["due_at"], done_at=None)
        )
    await insert_ignore(session, Reminder, rows, ["dedupe_key"])
    return len(rows)


async def cancel_deadline(
    session: AsyncSession, directive_id: int, which: str, cycle: int | None = None
) -> int:
    """Cancel the pending rows of one deadline (of one report cycle, if given)."""
    stmt = update(Reminder).where(
        Reminder.directive_id == directive_id,
        Reminder.deadline == which,
        Reminder.state == PENDING,
    )
    if cycle is not None:
        stmt = stmt.where(Reminder.cycle == cycle)
    result = await session.execute(stmt.values(state=CANCELLED))
    return queries.rows_touched(result)


async def open_report_cycle(
    session: AsyncSession, directive: Directive, cycle: int, due_at: datetime
) -> int:
    """One ``ReportCycle`` row per unit in the directive's sub-trees; returns rows created."""
    units = await scope_units(session, directive.id)
    rows = [
        {"directive_id": directive.id, "unit_id": u.id, "cycle": cycle, "due_at": due_at}
        for u in units
    ]
    return await insert_ignore(session, ReportCycle, rows, ["directive_id", "unit_id", "cycle"])


async def current_cycle(session: AsyncSession, directive_id: int) -> int:
    """The newest report cycle opened for a directive (0 when none is open yet)."""
    latest = await session.scalar(
        select(func.max(ReportCycle.cycle)).where(ReportCycle.directive_id == directive_id)
    )
    return int(latest or 0)
