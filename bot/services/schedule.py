"""Time arithmetic for deadlines, reminders and report cycles (pure functions, no database).

All moments are timezone-aware; local rules (quiet hours, calendar months) are applied in the
configured zone and the results returned in UTC.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_MONTHS = {"quarter": 3, "half-year": 6, "year": 12}
OFFSET, ESCALATION = "offset", "escalation"


@dataclass(frozen=True)
class QuietHours:
    """A daily window ``[start, end)`` in local time; it may wrap midnight (21:00–07:00)."""

    start: time
    end: time
    tz: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_end(self, moment: datetime) -> datetime:
        """The first end of quiet hours strictly after ``moment`` (UTC)."""
        local = moment.astimezone(self.tz)
        for days in (0, 1):
            candidate = datetime.combine(local.date() + timedelta(days=days), self.end, self.tz)
            if candidate > local:
                return candidate.astimezone(UTC)
        raise AssertionError("unreachable: one of today's or tomorrow's ends is later")

    def began(self, moment: datetime) -> datetime:
        """When the quiet period containing ``moment`` began (UTC)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) < self.end:
            day -= timedelta(days=1)  # after midnight: the window opened yesterday evening
        return datetime.combine(day, self.start, self.tz).astimezone(UTC)

    def out_of(self, moment: datetime) -> datetime:
        """``moment`` if it is outside quiet hours, else the morning after (quiet end)."""
        return self.next_end(moment) if self.contains(moment) else moment


def reminder_time(due: datetime, deadline: datetime, quiet: QuietHours) -> datetime:
    """When a reminder meant for ``due`` goes out: quiet hours wait for the morning, unless the
    morning is already past the deadline; then it goes just before quiet hours began."""
    if not quiet.contains(due):
        return due
    morning = quiet.next_end(due)
    if morning < deadline:
        return morning
    return quiet.began(due) - timedelta(minutes=1)


@dataclass(frozen=True)
class Slot:
    """One planned reminder row for a deadline: an offset reminder or the escalation."""

    kind: str
    offset_seconds: int
    due_at: datetime


def plan_slots(
    deadline: datetime, offsets: Iterable[int], quiet: QuietHours, now: datetime
) -> list[Slot]:
    """Reminder times before ``deadline`` (latest offset first dropped if already past) and the
    escalation after it. Offsets whose time is not after ``now`` are left out: a directive
    published two days before its deadline gets no "three days left" reminder."""
    slots: list[Slot] = []
    for offset in sorted(set(offsets), reverse=True):
        due = reminder_time(deadline - timedelta(seconds=offset), deadline, quiet)
        if now < due < deadline:
            slots.append(Slot(OFFSET, offset, due))
    slots.append(Slot(ESCALATION, 0, quiet.out_of(deadline)))
    return slots


def add_months(day: date, months: int, day_of_month: int) -> date:
    """``day`` moved by ``months`` calendar months, on ``day_of_month`` clamped to the month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def next_cycle_deadline(previous: datetime, anchor: datetime, every: str, tz: ZoneInfo) -> datetime:
    """The deadline of the report cycle after the one due at ``previous``: one period later, at
    the same local time, on the anchor's day of the month (31/03 → 30/06 → 30/09 → 31/12)."""
    local = previous.astimezone(tz)
    day = add_months(local.date(), PERIOD_MONTHS[every], anchor.astimezone(tz).day)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tz).astimezone(UTC)


def time_left(deadline: datetime, now: datetime) -> tuple[str, int]:
    """How long until the deadline, as (unit, count) with unit days/hours/minutes/overdue;
    rounded to the nearest unit so "2 days 23 hours" reads "3 days"."""
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        return "overdue", 0
    if seconds >= 86400 - 1800:
        return "days", max(1, round(seconds / 86400))
    if seconds >= 3600 - 300:
        return "hours", max(1, round(seconds / 3600))
    return "minutes", max(1, round(seconds / 60))
