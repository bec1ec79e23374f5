"""Starts the press batcher: presses that arrive together are recorded in one transaction."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.runtime import Runtime
from bot.services.presses import PressBatcher


async def start_press_batcher(runtime: Runtime, bot: Bot) -> asyncio.Task[None] | None:
    batcher = PressBatcher(runtime.sessions)
    runtime.extras["presses"] = batcher
    return asyncio.create_task(batcher.run(), name="press-batcher")


def batcher_of(runtime: Runtime) -> PressBatcher:
    batcher = runtime.extras.get("presses")
    if not isinstance(batcher, PressBatcher):
        raise RuntimeError("the press batcher is not running")
    return batcher
