"""Vietnamese phone numbers in one canonical form, so a number typed in a spreadsheet, in a
chat command and shared from Telegram's contact button compare equal."""

from __future__ import annotations

import re

# What people put between digits: spaces, dots, dashes, brackets.
_SEPARATORS = re.compile(r"[\s.\-()/]")
_DIGITS = re.compile(r"^\+?\d+$")
COUNTRY = "84"


def normalise_phone(raw: str | int | None) -> str | None:
    """``0912 345 678``, ``+84 912345678``, ``84912345678``, ``0084912345678`` and a number whose
    leading zero a spreadsheet dropped (``912345678``) all give ``"0912345678"``; None for
    anything that is not a Vietnamese mobile (9 digits after the 0) or landline (10 digits
    after the 0, area codes start with 2)."""
    if raw is None:
        return None
    text = _SEPARATORS.sub("", str(raw).strip())
    if not text or not _DIGITS.match(text):
        return None
    plus, digits = text.startswith("+"), text.lstrip("+")
    if digits.startswith("00" + COUNTRY):
        plus, digits = True, digits[2:]
    if plus or (digits.startswith(COUNTRY) and len(digits) in (11, 12)):
        if not digits.startswith(COUNTRY):
            return None  # another country's number
        national = digits[len(COUNTRY) :]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits  # a spreadsheet cell read as a number loses its leading zero
    national = national.removeprefix("0")  # "+84 0912..." is written too
    mobile = len(national) == 9 and national[0] in "35789"
    landline = len(national) == 10 and national[0] == "2"
    return "0" + national if mobile or landline else None
