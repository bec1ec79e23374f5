"""Helpers for the amend / recall / supersede tests: a bot on a sandbox that enforces
(sped-up) flood limits, with the sender configured to the same limits; edit counting."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from sandbox import FloodLimits, SandboxServer
from storage.models import Confirmation, Delivery
from tests.kit.harness import Harness, bot_on_sandbox, buttons_of, make_settings

# 5 per 50 ms overall (100/s), 1 per 50 ms per chat, 20 per 3 s per group (as in
# tests/test_delivery_limits.py).
SCALE = 20.0
LIMITS = {"global_per_second": 5, "per_chat_per_second": 1, "per_group_per_minute": 20}
NUMBER = "45-CV/HU"


@asynccontextmanager
async def limited_harness(db_url: str, clock: Callable[[], datetime]) -> AsyncIterator[Harness]:
    sandbox = SandboxServer(FloodLimits(time_scale=SCALE, **LIMITS))
    await sandbox.start()
    settings = make_settings(
        db_url,
        flood={**LIMITS, "time_scale": SCALE},
        delivery={"retry_base_seconds": 0.05},
    )
    try:
        async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
            yield h
    finally:
        await sandbox.stop()


def edits_per_message(h: Harness, since: int) -> Counter[tuple[int, int]]:
    """editMessageText calls made after call number ``since``, by (chat, message)."""
    return Counter(
        (int(c.params["chat_id"]), int(c.params["message_id"]))
        for c in h.sandbox.calls[since:]
        if c.method == "editMessageText" and c.token == h.token and c.ok
    )


def no_flood(h: Harness) -> bool:
    return not any(c.error_code == 429 for c in h.sandbox.calls)


async def posted(h: Harness, directive_id: int) -> list[Delivery]:
    """The directive's posts and private copies, as sent."""
    async with h.db() as s:
        rows = await s.scalars(
            select(Delivery)
            .where(Delivery.directive_id == directive_id, Delivery.kind.in_(("post", "private")))
            .order_by(Delivery.id)
        )
        return list(rows)


async def confirmations(h: Harness) -> list[tuple[int, int, str, str]]:
    async with h.db() as s:
        rows = await s.scalars(select(Confirmation).order_by(Confirmation.id))
        return [(c.directive_id, c.member_id, c.kind, c.at.isoformat()) for c in rows]


def message(h: Harness, chat_id: int, message_id: int) -> dict[str, Any]:
    return next(m for m in h.bot_messages(chat_id) if m["message_id"] == message_id)


def button(msg: dict[str, Any], data_end: str) -> str:
    return next(
        b["callback_data"] for b in buttons_of(msg) if b["callback_data"].endswith(data_end)
    )


async def settled_counters(h: Harness, chat_id: int, message_id: int, line: str) -> None:
    """Wait until the post shows ``line`` (the counters refresher has drawn the presses)."""
    await h.settle(lambda: line in message(h, chat_id, message_id).get("text", ""), timeout=15)


async def forged_press(h: Harness, user: Any, chat_id: int, message_id: int, data: str) -> str:
    """A press on a post whose buttons are gone (a client still showing the old keyboard);
    returns the toast."""
    query = h.sandbox.press_button(h.token, user.id, chat_id, message_id, data, forged=True)
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers, timeout=10)
    return str(h.sandbox.callback_answers[query]["text"])
