"""How many updates the bot handles at once: many button presses, fewer of everything else.

A press holds no database connection while it waits: it is queued for the press batcher
(group commit) and answered after that commit. So thousands may be in flight, and the more
arrive together, the larger (and cheaper per press) the batch. Every other update holds a
session for its whole handling, so those are capped near the database pool's size, as PTB's
plain ``concurrent_updates`` did for all updates before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.services.buttons import is_confirm


def is_press(update: object) -> bool:
    query = update.callback_query if isinstance(update, Update) else None
    return query is not None and is_confirm(query.data)


class PressFirstProcessor(BaseUpdateProcessor):
    """Up to ``presses`` updates at once, of which at most ``others`` are not presses."""

    def __init__(self, presses: int, others: int) -> None:
        super().__init__(max(presses, others))
        self._others_limit = others
        self._others: asyncio.Semaphore | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if is_press(update):
            await coroutine
            return
        if self._others is None:  # created in the running loop
            self._others = asyncio.Semaphore(self._others_limit)
        async with self._others:
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
