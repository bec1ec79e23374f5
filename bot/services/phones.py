"""Phone numbers as stored on roster entries: canonical digits, ``84XXXXXXXXX`` for Vietnam."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_phone(raw: str) -> str | None:
    """``0912 345 678``, ``+84 912345678``, ``84912345678`` -> ``84912345678``; None for
    anything that is not a Vietnamese phone number."""
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+"):
        text = text[1:]
    elif text.startswith("00"):
        text = text[2:]
    if not text.isdigit():
        return None
    if text.startswith("0"):
        text = "84" + text[1:]
    elif not text.startswith("84"):
        return None
    national = text[2:]
    if national.startswith("0"):  # "+84 0912..." as people write it
        national = national[1:]
    # Mobile and landline numbers: 9 digits after the country code (landlines 9-10).
    if not 9 <= len(national) <= 10 or national[0] == "0":
        return None
    return "84" + national
