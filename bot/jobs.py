"""The bot's periodic ticks, scheduled on PTB's ``JobQueue`` (APScheduler).

Each tick is a short round that reads its work from the database (reminder rows due, active
broadcasts), so a restart loses nothing and no job state is stored: the jobs are scheduled
afresh at every start, with a first run at once (reminders missed while the bot was down go
out at start-up).

* ``max_instances=1``: a round still running when the next is due is not doubled;
* ``coalesce=True``: runs missed meanwhile (a long round, a blocked loop) collapse into one;
* ``misfire_grace_time=None``: a late run still runs, however late.

Not here, on purpose: the outbox sender and the press batcher are event-driven (they wake on
new work, not on a period); the sender's lease renewal lives and dies with the sender, which
also runs without an ``Application`` (``chithi run --sender-only``, ``drain()`` in the CLI and
tests). See the README ("Scheduling").

Tests run a tick on demand through the same objects (``runtime.reminders.tick()``,
``runtime.broadcast_progress.tick()``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from telegram import Bot
from telegram.ext import CallbackContext, Job, JobQueue

from bot.broadcast_worker import ProgressUpdater
from bot.context import ChithiApp
from bot.delivery.telegram_port import TelegramPort
from bot.reminder_worker import ReminderTicker
from bot.runtime import Runtime
from bot.services.scheduled import ScheduleResult, run_due
from storage.db import is_sqlite, refresh_statistics

log = logging.getLogger(__name__)

# SQLite's planner statistics, refreshed at start and then hourly (storage.db).
STATISTICS_EVERY = 3600.0

TICK_JOB_KWARGS: dict[str, Any] = {
    "max_instances": 1,
    "coalesce": True,
    "misfire_grace_time": None,
}


@dataclass(frozen=True)
class Tick:
    """One periodic round: its job name, its period (seconds) and what it runs."""

    name: str
    every: float
    run: Callable[[], Awaitable[object]]


class ScheduleTicker:
    """``tick()`` publishes the scheduled directives due on the runtime's clock (the job, or a
    test, calls it); one round at a time in this process, one across processes (PostgreSQL
    advisory lock, see ``bot.services.scheduled``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = asyncio.Lock()

    async def tick(self) -> ScheduleResult:
        rt = self.runtime
        async with self._lock:
            result = await run_due(rt.sessions, rt.now(), rt.settings, rt.texts)
        if result.published or result.failed:
            log.info("schedule tick: %s", result)
        return result


def ticks(runtime: Runtime, bot: Bot) -> list[Tick]:
    """The bot's periodic rounds; each round's object is also kept on the runtime."""
    reminders = ReminderTicker(runtime)
    runtime.reminders = reminders
    every = max(runtime.settings.delivery.counter_refresh_seconds, 0.1)
    progress = ProgressUpdater(runtime.sessions, TelegramPort(bot), runtime.texts)
    runtime.broadcast_progress = progress
    scheduled = ScheduleTicker(runtime)
    runtime.scheduled = scheduled
    sqlite = is_sqlite(runtime.settings.database.url)
    return [
        *(
            [Tick("statistics", STATISTICS_EVERY, partial(refresh_statistics, runtime.sessions))]
            if sqlite
            else []
        ),
        Tick("reminder-tick", runtime.settings.reminders.tick_seconds, reminders.tick),
        # Scheduled directives go out on the reminders' period (a minute by default).
        Tick("schedule-tick", runtime.settings.reminders.tick_seconds, scheduled.tick),
        Tick("broadcast-progress", every, progress.tick),
    ]


def schedule_ticks(app: ChithiApp, runtime: Runtime) -> list[Job[Any]]:
    """Put the ticks on the application's job queue (started and stopped with the app)."""
    queue: JobQueue[Any] | None = app.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    jobs = []
    for tick in ticks(runtime, app.bot):
        kwargs = {**TICK_JOB_KWARGS, "next_run_time": datetime.now(UTC)}  # first run at start
        jobs.append(
            queue.run_repeating(
                _run_tick, interval=tick.every, data=tick, name=tick.name, job_kwargs=kwargs
            )
        )
    return jobs


async def _run_tick(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
    job = ctx.job
    assert job is not None and isinstance(job.data, Tick)
    try:
        await job.data.run()
    except Exception:  # logged here, tried again at the next period
        log.exception("%s failed", job.data.name)
