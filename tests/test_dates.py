"""The one reader of typed days and moments (bot.services.dates), as every caller uses it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.services import dates, deadlines, meetings
from bot.services import publish_dialogue as pd
from bot.services.drafts import DraftError


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15/02/2019", date(2019, 2, 15)),
        (" 5.2.2019 ", date(2019, 2, 5)),
        ("05-02-2019", date(2019, 2, 5)),
        ("31/02/2019", None),
        ("15/2", None),
        ("hôm qua", None),
    ],
)
def test_a_day_is_read_as_offices_write_it(text: str, day: date | None) -> None:
    assert dates.read_day(text) == day


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("10/01/2027 08:30", datetime(2027, 1, 10, 8, 30)),
        ("10/01/2027 8h30", datetime(2027, 1, 10, 8, 30)),
        ("10/01/2027 8g", datetime(2027, 1, 10, 8, 0)),
        ("2027-01-10 08:30", datetime(2027, 1, 10, 8, 30)),
        ("2027-01-10T08:30", datetime(2027, 1, 10, 8, 30)),
        ("10/01/2027 25:00", None),
        ("10/01/2027", None),
    ],
)
def test_a_moment_is_a_day_and_a_time(text: str, moment: datetime | None) -> None:
    assert dates.read_moment(text) == moment


def test_a_day_alone_is_a_moment_only_with_a_default_hour() -> None:
    assert dates.read_moment("10/01/2027", 17) == datetime(2027, 1, 10, 17, 0)


def test_every_caller_reads_the_same_formats() -> None:
    today = date(2027, 1, 10)
    assert meetings.parse_held_on("5.1.2027", today) == date(2027, 1, 5)
    assert pd.parse_issue_date("5.1.2027", today) == date(2027, 1, 5)
    assert deadlines.parse_local_time("20.1.2027 8h30") == datetime(2027, 1, 20, 8, 30)
    for bad in ("31/02/2027", "5/1"):
        with pytest.raises(DraftError):
            meetings.parse_held_on(bad, today)
        with pytest.raises(DraftError):
            deadlines.parse_local_time(bad + " 08:00")
