"""Reading the days and moments people type: the one place for the formats Chithi accepts.

A day is written ``dd/mm/yyyy`` as Vietnamese offices write it (dots or dashes also do); a
moment adds a time, ``hh:mm`` or ``8h30``/``8g30`` (giờ), or is written ``yyyy-mm-dd hh:mm``.
Read here: an issue date and a deadline in /publish and /amend, a deadline in /deadline and
``chithi deadline``, a meeting's day, a date of birth in a roster file. What a day may be
(not in the future, not past) is each caller's rule; these only read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_DAY = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
_DAY_ONLY = re.compile(rf"^{_DAY}$")
_MOMENT = re.compile(rf"^{_DAY}(?:\s+(\d{{1,2}})(?:\s*[:hg]\s*(\d{{2}})?)?)?$")
_ISO_MOMENT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})$")


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def read_day(text: str) -> date | None:
    """A calendar day written ``dd/mm/yyyy`` (or with dots or dashes); None if it is not one."""
    match = _DAY_ONLY.match(_clean(text))
    try:
        return date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        return None


def read_moment(text: str, default_hour: int | None = None) -> datetime | None:
    """A local (naive) moment written ``dd/mm/yyyy hh:mm`` (``8h30``, ``8g``, ``8`` alike) or
    ``yyyy-mm-dd hh:mm``; a day alone means ``default_hour``:00, or is not a moment when
    ``default_hour`` is None. None if ``text`` is not one."""
    clean = _clean(text)
    iso = _ISO_MOMENT.match(clean)
    if iso:
        year, month, day, hour, minute = iso.groups()
    else:
        match = _MOMENT.match(clean)
        if match is None:
            return None
        day, month, year, hour, minute = match.groups()
        if hour is None:
            if default_hour is None:
                return None
            hour = str(default_hour)
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute or 0))
    except ValueError:
        return None
