"""Entities Telegram finds in a text by itself: URLs, mentions, commands, hashtags and more.

Telegram adds these to every text message and caption, the bots' included, following tdlib's
matchers (``td/telegram/MessageEntity.cpp``): a mention is ``@`` and 5-32 letters, digits or
underscores (shorter only for a few inline bots), not preceded by a word character; a bot
command is ``/`` and 1-64 such characters with an optional ``@bot`` of 3-32; a hashtag has at
least one letter and is not followed by ``#``; a cashtag is ``$`` and 1-8 capitals; a URL has
an http(s) scheme or a host with a known top-level domain (``t.me/x`` is a url), or is a
``tg://`` link; an email is
``local@host.tld``; a phone number is an international number ``+`` and 7-15 digits.

Offsets and lengths are UTF-16 code units. A found entity that overlaps an entity the text
already has is dropped unless that one is plain formatting (bold, italic...), as Telegram does
for ``code``, ``pre``, links and the like.
"""

from __future__ import annotations

import re
from typing import Any

JSON = dict[str, Any]

SHORT_USERNAMES = frozenset(
    {"gif", "wiki", "vid", "bing", "pic", "bold", "imdb", "coub", "like", "vote"}
)
# Entities that may contain a detected one (formatting only); anything else excludes it.
FORMATTING = frozenset({
    "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote",
    "expandable_blockquote",
})  # fmt: skip
TLDS = frozenset({
    "com", "org", "net", "me", "io", "vn", "ru", "de", "uk", "fr", "info", "biz", "edu", "gov",
    "co", "app", "dev", "ai", "us", "eu", "tv", "cc", "ly", "gl", "be", "to", "xyz", "online",
    "site", "store", "tech", "jp", "cn", "kr", "in", "ca", "au", "it", "es", "nl", "pl", "ch",
})  # fmt: skip

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})"
_PATH = r"(?:[/?#][^\s<>\"«»]*)?"
_URL = re.compile(
    rf"(?<![\w@.\-/])(https?://)?{_HOST}(?::\d{{1,5}})?{_PATH}", re.IGNORECASE
)  # fmt: skip
_TG_URL = re.compile(r"(?<![\w/])tg://[A-Za-z0-9_\-]+(?:[/?#][^\s<>\"«»]*)?", re.IGNORECASE)
_EMAIL = re.compile(rf"(?<![\w.+\-])[\w.+\-]+@{_HOST}(?![\w\-])")
_MENTION = re.compile(r"(?<!\w)@([A-Za-z0-9_]{2,32})(?!\w)")
_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_HASHTAG = re.compile(r"(?<![\w\u200c\u00b7])#([\w\u200c\u00b7]{1,256})(?![\w\u200c\u00b7]*#)")
_CASHTAG = re.compile(r"(?<![\w\u200c$])\$(?:1INCH|[A-Z]{1,8})(?![\w\u200c$])")
_PHONE = re.compile(r"(?<![\w+])\+\d[\d\- ()]{5,20}\d(?![\w])")


def _trim_url(text: str, start: int, end: int) -> int:
    """Drop trailing punctuation and an unbalanced closing bracket from a URL match."""
    while end > start and text[end - 1] in ".,:;!?'\"":
        end -= 1
    while (
        end > start
        and text[end - 1] == ")"
        and text.count("(", start, end) < text.count(")", start, end)
    ):
        end -= 1
    return end


def _spans(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) in code points, in tdlib's order of precedence."""
    found: list[tuple[str, int, int]] = []
    for match in _EMAIL.finditer(text):
        if match.group(1).lower() in TLDS:
            found.append(("email", *match.span()))
    for match in _URL.finditer(text):
        scheme, tld = match.group(1), match.group(2).lower()
        if scheme is None and tld not in TLDS:
            continue
        end = _trim_url(text, match.start(), match.end())
        found.append(("url", match.start(), end))
    for match in _TG_URL.finditer(text):
        found.append(("url", match.start(), _trim_url(text, match.start(), match.end())))
    for match in _MENTION.finditer(text):
        name = match.group(1)
        if len(name) >= 5 or name.lower() in SHORT_USERNAMES:
            found.append(("mention", *match.span()))
    for match in _COMMAND.finditer(text):
        found.append(("bot_command", *match.span()))
    for match in _HASHTAG.finditer(text):
        if any(ch.isalpha() for ch in match.group(1)):
            found.append(("hashtag", *match.span()))
    for match in _CASHTAG.finditer(text):
        found.append(("cashtag", *match.span()))
    for match in _PHONE.finditer(text):
        if 7 <= sum(ch.isdigit() for ch in match.group()) <= 15:
            found.append(("phone_number", *match.span()))
    return found


def detect_entities(text: str, existing: list[JSON] | None = None) -> list[JSON]:
    """The entities Telegram adds to ``text`` by itself, not overlapping each other or a
    non-formatting entity of ``existing``; UTF-16 offsets, in text order."""
    units = [0]
    for ch in text:  # code point index -> UTF-16 offset
        units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing or []
        if e.get("type") not in FORMATTING
    ]
    taken: list[tuple[int, int]] = []
    result: list[JSON] = []
    for kind, start, end in _spans(text):
        a, b = units[start], units[end]
        if b <= a or any(s < b and a < e for s, e in blocked + taken):
            continue
        taken.append((a, b))
        result.append({"type": kind, "offset": a, "length": b - a})
    return sorted(result, key=lambda e: e["offset"])
