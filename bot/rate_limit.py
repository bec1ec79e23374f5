"""One flood-limit schedule for everything the bot sends.

The outbox sender reserves its slots in the shared ``Pacer`` itself; replies sent straight from
handlers (a toast's follow-up edit, a /pending page, a join confirmation) go through this PTB
rate limiter, which reserves a slot in the same ``Pacer`` and waits for it. So a handler's reply
and a directive post to the same chat never together exceed Telegram's limits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.sender import Pacer

# Methods that put a message in a chat, and those that change one.
_SENDS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)
_EDITS = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "editMessageMedia"}
)
MAX_RETRIES = 2

Result = bool | dict[str, Any] | list[dict[str, Any]]


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB rate limiter over the shared ``Pacer``; ``rate_limit_args={"paced": True}`` marks a
    call whose slot was already reserved (by the outbox sender)."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        target = _chat_id(data.get("chat_id"))
        limited = target is not None and (endpoint in _SENDS or endpoint in _EDITS)
        if rate_limit_args and rate_limit_args.get("paced"):
            limited = False
        if limited and target is not None:
            at = self.pacer.reserve(target, edit=endpoint in _EDITS)
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        for attempt in range(MAX_RETRIES + 1):
            try:
                if limited and target is not None:
                    async with self.pacer.turn(target):
                        result = await callback(*args, **kwargs)
                else:
                    result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                if not limited or target is None or attempt == MAX_RETRIES:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                self.pacer.penalize(target, seconds)
                await asyncio.sleep(seconds)
                continue
            return result
        raise AssertionError("unreachable")


def _chat_id(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
