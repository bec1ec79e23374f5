"""Text handling shared by methods: parse modes, length limits, entity detection."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.html import ParseError, parse_html, sort_entities, strip_text, utf16_len
from bot.sandbox.markdown import parse_markdown, parse_markdown_v2

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
_DETECTORS = [
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("url", re.compile(r"(?<!\w)https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
]


def format_text(
    text: str, parse_mode: str | None, entities: list[JSON] | None
) -> tuple[str, list[JSON]]:
    """Apply ``parse_mode`` (or explicit entities) like Telegram; raise 400 on bad markup."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return parse_html(text)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
        if mode == "markdown":
            return parse_markdown(text)
    except ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return strip_text(text, list(entities or []))


def message_text(
    text: str | None, parse_mode: str | None, entities: list[JSON] | None
) -> tuple[str, list[JSON]]:
    """Format a message text and enforce Telegram's 1..4096 characters."""
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    plain, found = format_text(text, parse_mode, entities)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, found


def caption_text(
    caption: str | None, parse_mode: str | None, entities: list[JSON] | None
) -> tuple[str, list[JSON]] | None:
    """Format an optional caption and enforce Telegram's 1024 characters."""
    if caption is None or caption == "":
        return None
    plain, found = format_text(caption, parse_mode, entities)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return (plain, found) if plain else None


def detect_entities(text: str) -> list[JSON]:
    """Entities Telegram's clients add to typed text: commands, mentions, URLs, hashtags."""
    found: list[JSON] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[:start]),
                    "length": utf16_len(match.group()),
                }
            )
    return sort_entities(found)


def check_length(value: str | None, limit: int, error: str) -> None:
    """Raise 400 ``error`` when ``value`` is longer than ``limit`` characters."""
    if value is not None and len(value) > limit:
        raise bad_request(error)
