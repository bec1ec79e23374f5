"""Event-driven background work beside the update handlers (the outbox sender, the press
batcher): tasks that wake on new work, not on a period. Periodic ticks are jobs on PTB's job
queue (``bot.jobs``).

Each starter returns its task; ``bot.app`` starts them after the bot is up and stops them
before it shuts down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Bot

from bot.runtime import Runtime

WorkerStarter = Callable[[Runtime, Bot], Awaitable[asyncio.Task[None] | None]]


def _starters() -> list[WorkerStarter]:
    from bot.delivery.worker import start_sender
    from bot.intake.press_lane import start_press_batcher

    return [start_press_batcher, start_sender]


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
