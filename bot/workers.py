"""Background work that runs beside the update handlers (sender loop, reminder tick...).

Each feature adds a starter here; ``bot.app`` starts them after the bot is up and stops them
before it shuts down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Bot

from bot.runtime import Runtime

WorkerStarter = Callable[[Runtime, Bot], Awaitable[asyncio.Task[None] | None]]


def _starters() -> list[WorkerStarter]:
    from bot.broadcast_worker import start_progress
    from bot.delivery.worker import start_sender
    from bot.intake.press_lane import start_press_batcher
    from bot.reminder_worker import start_reminder_tick

    return [start_press_batcher, start_sender, start_progress, start_reminder_tick]


async def start_workers(runtime: Runtime, bot: Bot) -> list[asyncio.Task[None]]:
    tasks = []
    for starter in _starters():
        task = await starter(runtime, bot)
        if task is not None:
            tasks.append(task)
    return tasks


async def stop_workers(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
