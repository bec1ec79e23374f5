"""The reminder tick beside the bot: every ``tick_seconds`` it hands due reminder rows to the
outbox. Ticks at start-up too, so reminders missed while the bot was down go out at once."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.runtime import Runtime
from bot.services.reminder_tick import TickResult, run_due_reminders

log = logging.getLogger(__name__)


class ReminderTicker:
    """``tick()`` runs one round on the runtime's clock; ``run()`` loops until cancelled."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = asyncio.Lock()  # one round at a time in this process

    async def tick(self) -> TickResult:
        rt = self.runtime
        async with self._lock:
            result = await run_due_reminders(rt.sessions, rt.now(), rt.settings, rt.texts)
        if result.processed or result.postponed or result.cancelled:
            log.info("reminder tick: %s", result)
        return result

    async def run(self) -> None:
        every = self.runtime.settings.reminders.tick_seconds
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("reminder tick failed")
            await asyncio.sleep(every)


async def start_reminder_tick(runtime: Runtime, bot: Bot) -> asyncio.Task[None] | None:
    ticker = ReminderTicker(runtime)
    runtime.reminders = ticker
    return asyncio.create_task(ticker.run(), name="reminder-tick")
