"""People's names in the order a Vietnamese list is read: by given name (tên, the last word),
then the rest (họ, tên đệm), compared with ICU's Vietnamese collation (not code points: "Đ"
after "D", "Ư" after "U", tones in the dictionary's order)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import icu

# One collator for the process: the bot runs its handlers on one event loop thread.
_COLLATOR = icu.Collator.createInstance(icu.Locale("vi_VN"))


def vietnamese_sort_key(full_name: str) -> bytes:
    """Sort key of a full name: the given name's ICU key, then the rest's.

    ICU sort keys end with a zero byte and hold none inside, so the two keys joined compare as
    the pair (given name, rest) would."""
    words = full_name.split()
    given = words[-1] if words else ""
    rest = " ".join(words[:-1])
    return bytes(_COLLATOR.getSortKey(given)) + bytes(_COLLATOR.getSortKey(rest))


# The keys of names sorted again and again (a province's /pending, every few seconds: tens
# of thousands of the same names); bounded, ~250 bytes an entry.
KEYS_REMEMBERED = 65_536


@lru_cache(maxsize=KEYS_REMEMBERED)
def remembered_sort_key(full_name: str) -> bytes:
    """``vietnamese_sort_key``, remembered for the names most recently sorted."""
    return vietnamese_sort_key(full_name)


def sort_names(names: Iterable[str]) -> list[str]:
    """``names`` in Vietnamese list order."""
    return sorted(names, key=vietnamese_sort_key)


def folded(text: str) -> str:
    """``text`` without case, Vietnamese diacritics or extra spaces ("Lê  ĐỨC" → "le duc"), for
    finding a name typed without accents: the one way names are compared as people type them."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
