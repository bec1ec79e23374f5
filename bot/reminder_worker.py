"""The reminder round: hands due reminder rows to the outbox. ``bot.jobs`` runs it every
``tick_seconds`` on the job queue, and at start-up, so reminders missed while the bot was down
go out at once."""

from __future__ import annotations

import asyncio
import logging

from bot.runtime import Runtime
from bot.services.reminder_tick import TickResult, run_due_reminders

log = logging.getLogger(__name__)


class ReminderTicker:
    """``tick()`` runs one round on the runtime's clock (the job, or a test, calls it)."""

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
