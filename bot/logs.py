"""Logging: the bot token is never written, and an update is named by its ids, not its contents.

The token is part of every Bot API URL, so any error text that quotes a URL (aiohttp's, a
proxy's, PTB's) carries it. Rather than trust each place that logs, one filter on the root
handlers rewrites every record, its message, its arguments and its traceback, before any
handler writes it. Updates hold people's names and message texts; an error line names the
update by ``update_id``, kind, chat, user and message ids, which is enough to find it again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<token>"
# A Telegram bot token, "<bot id>:<secret>", wherever one shows up (also ones not configured).
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")
_NOISY = ("httpx", "aiohttp.access", "apscheduler", "alembic")


class TokenFilter(logging.Filter):
    """Replaces the configured token(s), and anything shaped like a bot token, by ``<token>``."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add_secret(self, token: str) -> None:
        if token:
            self.secrets.add(token)
            # The secret half alone also stays out of the logs (it never appears shorter).
            _bot_id, sep, secret = token.partition(":")
            if sep and len(secret) >= 16:
                self.secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it, as without a filter
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


TOKENS = TokenFilter()


def redact(text: str) -> str:
    """``text`` without the bot token (for error texts built outside logging)."""
    return TOKENS.redact(text)


def protect(token: str | None = None) -> None:
    """Keep ``token`` out of every log line: the filter goes on each root handler."""
    if token:
        TOKENS.add_secret(token)
    for handler in logging.getLogger().handlers:
        if TOKENS not in handler.filters:
            handler.addFilter(TOKENS)


def setup(level: str | int, token: str | None = None) -> None:
    """The process's logging: one line per record, quiet libraries, the token filtered."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    protect(token)


def describe_update(update: object) -> str:
    """An update named by ids only: ``update 7 (callback_query, chat 5, user 9, query 3)``.

    Takes a PTB ``Update`` or the raw JSON of one; names and texts are never included.
    """
    data: Any = update
    if hasattr(update, "to_dict") and callable(update.to_dict):
        try:
            data = update.to_dict()
        except Exception:
            return type(update).__name__
    if not isinstance(data, Mapping):
        return "no update" if update is None else type(update).__name__
    kind = next((k for k in data if k != "update_id"), "?")
    body = data.get(kind)
    parts = [str(kind)]
    if isinstance(body, Mapping):
        message = body.get("message") if kind == "callback_query" else body
        chat = _field(message, "chat", "id") or _field(body, "chat", "id")
        user = _field(body, "from", "id") or _field(body, "user", "id")
        if chat is not None:
            parts.append(f"chat {chat}")
        if user is not None:
            parts.append(f"user {user}")
        message_id = _field(message, "message_id")
        if message_id is not None:
            parts.append(f"message {message_id}")
        if kind in ("callback_query", "inline_query") and body.get("id") is not None:
            parts.append(f"query {body['id']}")
    return f"update {data.get('update_id')} ({', '.join(parts)})"


def _field(data: object, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data if isinstance(data, int | str) else None
