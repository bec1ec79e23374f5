"""Text handling shared by methods: parse modes, length limits (UTF-16 code units after entity
parsing, as Telegram counts), the entities Telegram detects by itself."""

from __future__ import annotations

from typing import Any

from sandbox.entities import detect_entities
from sandbox.errors import bad_request
from sandbox.html import ParseError, parse_html, sort_entities, strip_text, utf16_len
from sandbox.markdown import parse_markdown, parse_markdown_v2

JSON = dict[str, Any]

MAX_TEXT = 4096  # 1-4096 characters after entities parsing, in UTF-16 code units
MAX_CAPTION = 1024  # 0-1024 characters after entities parsing, in UTF-16 code units
MAX_CALLBACK_TEXT = 200  # answerCallbackQuery: 0-200 characters
# Telegram's answers: sending and editing say it differently.
TEXT_TOO_LONG = "message is too long"
EDITED_TEXT_TOO_LONG = "MESSAGE_TOO_LONG"
CAPTION_TOO_LONG = "message caption is too long"
EDITED_CAPTION_TOO_LONG = "MEDIA_CAPTION_TOO_LONG"


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


def with_detected(plain: str, found: list[JSON]) -> list[JSON]:
    """The entities of a sent text plus those Telegram detects in it by itself."""
    detected = detect_entities(plain, found)
    return sort_entities(found + detected) if detected else found


def message_text(
    text: str | None,
    parse_mode: str | None,
    entities: list[JSON] | None,
    *,
    too_long: str = TEXT_TOO_LONG,
) -> tuple[str, list[JSON]]:
    """Format a message text and enforce Telegram's 1-4096 UTF-16 code units after entity
    parsing; add the entities Telegram detects (URLs, mentions, commands...)."""
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    plain, found = format_text(text, parse_mode, entities)
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request(too_long)
    return plain, with_detected(plain, found)


def caption_text(
    caption: str | None,
    parse_mode: str | None,
    entities: list[JSON] | None,
    *,
    too_long: str = CAPTION_TOO_LONG,
) -> tuple[str, list[JSON]] | None:
    """Format an optional caption and enforce Telegram's 0-1024 UTF-16 code units."""
    if caption is None or caption == "":
        return None
    plain, found = format_text(caption, parse_mode, entities)
    if utf16_len(plain) > MAX_CAPTION:
        raise bad_request(too_long)
    return (plain, with_detected(plain, found)) if plain else None


def check_length(value: str | None, limit: int, error: str, *, least: int = 0) -> None:
    """Raise 400 ``error`` unless ``value`` has ``least``..``limit`` UTF-16 code units."""
    if value is not None and not least <= utf16_len(value) <= limit:
        raise bad_request(error)
