"""Texts live in locale files: both languages have the same keys, and code uses only known keys."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import Texts

ROOT = Path(__file__).resolve().parent.parent
# t("key"...), texts(lang, "key"...), RowError(.., "import-..."), and "key" passed as text_key=
_USE = re.compile(r"""(?:\bt|texts|_t)\(\s*(?:[a-z_.]+,\s*)?["']([a-z][a-z0-9-]+)["']""")


def test_vietnamese_and_english_have_the_same_keys() -> None:
    texts = Texts()
    vi, en = texts.keys("vi"), texts.keys("en")
    assert sorted(vi - en) == [], "missing in English"
    assert sorted(en - vi) == [], "missing in Vietnamese"


def test_every_key_used_in_code_exists() -> None:
    texts = Texts()
    known = texts.keys("vi")
    used: set[tuple[str, str]] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            for key in _USE.findall(path.read_text(encoding="utf-8")):
                used.add((str(path.relative_to(ROOT)), key))
    missing = sorted((p, k) for p, k in used if k not in known)
    assert missing == []
    assert len(used) > 10
