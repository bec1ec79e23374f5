"""One flood-limit schedule for everything the bot sends.

The outbox sender takes its slots in the shared ``Pacer`` itself; replies sent straight from
handlers (a toast's follow-up edit, a /pending page, a join confirmation) go through this PTB
rate limiter, which waits for a slot in the same ``Pacer`` (ahead of the outbox: someone is
waiting for the reply). So a handler's reply and a directive post never together exceed
Telegram's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import Pacer
from bot.delivery.telegram_port import retry_seconds

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
        edit = endpoint in _EDITS
        for attempt in range(MAX_RETRIES + 1):
            try:
                if limited and target is not None:
                    async with self.pacer.slot(target, edit=edit):
                        result = await callback(*args, **kwargs)
                else:
                    result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                if not limited or target is None or attempt == MAX_RETRIES:
                    raise
                self.pacer.penalize(target, retry_seconds(exc))
                continue  # slot() waits out the penalty
            return result
        raise AssertionError("unreachable")


def _chat_id(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
