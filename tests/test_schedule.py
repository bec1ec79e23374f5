"""Quiet hours, reminder slots and report-cycle dates: plain functions, plain tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.schedule import (
    ESCALATION,
    OFFSET,
    QuietHours,
    add_months,
    next_cycle_deadline,
    plan_slots,
    reminder_time,
    time_left,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = QuietHours(time(21, 0), time(7, 0), VN)
DAY, HOUR = 86400, 3600


def local(text: str) -> datetime:
    """'20/01/2027 17:00' in Vietnam, as UTC."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN).astimezone(UTC)


def shown(moment: datetime) -> str:
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M")


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        ("20/01/2027 20:59", False),
        ("20/01/2027 21:00", True),
        ("20/01/2027 23:30", True),
        ("21/01/2027 00:00", True),
        ("21/01/2027 06:59", True),
        ("21/01/2027 07:00", False),
        ("21/01/2027 12:00", False),
    ],
)
def test_quiet_hours_wrap_midnight(at: str, quiet: bool) -> None:
    assert NIGHT.contains(local(at)) is quiet


@pytest.mark.parametrize(
    ("at", "out"),
    [
        ("20/01/2027 15:00", "20/01/2027 15:00"),  # daytime: unchanged
        ("20/01/2027 21:00", "21/01/2027 07:00"),  # evening: next morning
        ("20/01/2027 23:45", "21/01/2027 07:00"),
        ("21/01/2027 04:00", "21/01/2027 07:00"),  # small hours: the same morning
    ],
)
def test_a_time_in_quiet_hours_waits_for_the_morning(at: str, out: str) -> None:
    assert shown(NIGHT.out_of(local(at))) == out


def test_a_daytime_quiet_window_and_no_window() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30), VN)
    assert lunch.contains(local("20/01/2027 12:10"))
    assert not lunch.contains(local("20/01/2027 13:30"))
    assert shown(lunch.out_of(local("20/01/2027 12:10"))) == "20/01/2027 13:30"
    never = QuietHours(time(0, 0), time(0, 0), VN)
    assert not never.contains(local("20/01/2027 03:00"))


def test_quiet_hours_follow_the_configured_zone() -> None:
    paris = QuietHours(time(21, 0), time(7, 0), ZoneInfo("Europe/Paris"))
    # 22:00 in Vietnam is 16:00 in Paris (winter): not quiet there
    assert not paris.contains(local("20/01/2027 22:00"))


@pytest.mark.parametrize(
    ("due", "deadline", "sent"),
    [
        ("20/01/2027 15:00", "20/01/2027 17:00", "20/01/2027 15:00"),
        ("21/01/2027 06:00", "21/01/2027 08:00", "21/01/2027 07:00"),  # 2 h before 08:00
        # the morning would be after the deadline: just before quiet hours began instead
        ("21/01/2027 04:00", "21/01/2027 06:00", "20/01/2027 20:59"),
        ("20/01/2027 22:00", "21/01/2027 00:00", "20/01/2027 20:59"),
    ],
)
def test_reminder_time(due: str, deadline: str, sent: str) -> None:
    assert shown(reminder_time(local(due), local(deadline), NIGHT)) == sent


def test_plan_slots_default_offsets() -> None:
    deadline = local("20/01/2027 17:00")
    slots = plan_slots(deadline, [3 * DAY, DAY, 2 * HOUR], NIGHT, local("10/01/2027 08:00"))
    assert [(s.kind, s.offset_seconds, shown(s.due_at)) for s in slots] == [
        (OFFSET, 3 * DAY, "17/01/2027 17:00"),
        (OFFSET, DAY, "19/01/2027 17:00"),
        (OFFSET, 2 * HOUR, "20/01/2027 15:00"),
        (ESCALATION, 0, "20/01/2027 17:00"),
    ]


def test_plan_slots_leaves_out_offsets_already_past_and_moves_night_ones() -> None:
    deadline = local("20/01/2027 08:00")
    slots = plan_slots(deadline, [3 * DAY, DAY, 2 * HOUR], NIGHT, local("18/01/2027 10:00"))
    assert [(s.offset_seconds, shown(s.due_at)) for s in slots] == [
        (DAY, "19/01/2027 08:00"),
        (2 * HOUR, "20/01/2027 07:00"),  # 06:00 is quiet
        (0, "20/01/2027 08:00"),
    ]


def test_an_escalation_at_night_waits_for_the_morning() -> None:
    deadline = local("20/01/2027 23:00")
    [*_, escalation] = plan_slots(deadline, [], NIGHT, local("10/01/2027 08:00"))
    assert shown(escalation.due_at) == "21/01/2027 07:00"


@pytest.mark.parametrize(
    ("start", "months", "day", "out"),
    [
        ("2027-01-31", 1, 31, "2027-02-28"),
        ("2028-01-31", 1, 31, "2028-02-29"),
        ("2027-03-31", 3, 31, "2027-06-30"),
        ("2027-06-30", 3, 31, "2027-09-30"),
        ("2027-09-30", 3, 31, "2027-12-31"),
        ("2027-12-15", 3, 15, "2028-03-15"),
        ("2027-08-31", 6, 31, "2028-02-29"),
        ("2027-02-28", 12, 28, "2028-02-28"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(
    start: str, months: int, day: int, out: str
) -> None:
    assert add_months(datetime.fromisoformat(start).date(), months, day).isoformat() == out


@pytest.mark.parametrize(
    ("every", "first", "expected"),
    [
        (
            "quarter",
            "31/03/2027 17:00",
            ["31/03/2027 17:00", "30/06/2027 17:00", "30/09/2027 17:00", "31/12/2027 17:00"],
        ),
        ("half-year", "30/06/2027 09:30", ["30/06/2027 09:30", "30/12/2027 09:30"]),
        ("year", "15/12/2027 17:00", ["15/12/2027 17:00", "15/12/2028 17:00"]),
    ],
)
def test_report_cycle_deadlines(every: str, first: str, expected: list[str]) -> None:
    anchor = local(first)
    moments = [anchor]
    while len(moments) < len(expected):
        moments.append(next_cycle_deadline(moments[-1], anchor, every, VN))
    assert [shown(m) for m in moments] == expected


@pytest.mark.parametrize(
    ("delta", "out"),
    [
        (timedelta(days=3), ("days", 3)),
        (timedelta(days=2, hours=23), ("days", 3)),
        (timedelta(days=1), ("days", 1)),
        (timedelta(hours=2), ("hours", 2)),
        (timedelta(hours=1, minutes=50), ("hours", 2)),
        (timedelta(minutes=20), ("minutes", 20)),
        (timedelta(0), ("overdue", 0)),
    ],
)
def test_time_left(delta: timedelta, out: tuple[str, int]) -> None:
    now = local("20/01/2027 08:00")
    assert time_left(now + delta, now) == out
