"""The periodic ticks are jobs on PTB's job queue (APScheduler): scheduled with the settings'
periods, run at start-up and then every period without anyone calling them, and a failing
round is logged and tried again at the next period."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.reminder_worker import ReminderTicker
from storage.db import is_sqlite
from storage.models import Membership, Reminder
from tests.kit.harness import Harness, bot_on_sandbox, make_settings
from tests.kit.reminders import draft, local, naive, publish_as, start_private
from tests.kit.scene import build_scene

NUMBER = "77-CV/HU"


def settings_for(db_url: str, tick_seconds: float) -> Any:
    return make_settings(
        db_url,
        reminders={"tick_seconds": tick_seconds},
        flood={"per_chat_per_second": 1000, "per_group_per_minute": 1000},
    )


def reminders_to(h: Harness, chat_id: int) -> list[str]:
    return [m["text"] for m in h.bot_messages(chat_id) if m.get("text", "").startswith("⏰")]


async def test_ticks_are_jobs_that_run_every_period(sandbox: Any, db_url: str, clock: Any) -> None:
    async with bot_on_sandbox(sandbox, settings_for(db_url, 0.2), clock=clock) as h:
        queue = h.app.job_queue
        assert queue is not None
        jobs = {job.name: job for job in queue.jobs()}
        # SQLite's planner statistics are the bot's to keep; PostgreSQL keeps its own.
        statistics = {"statistics"} if is_sqlite(db_url) else set()
        assert set(jobs) == {"reminder-tick", "schedule-tick", "broadcast-progress", *statistics}
        trigger = jobs["reminder-tick"].job.trigger
        assert trigger.interval.total_seconds() == 0.2
        assert jobs["schedule-tick"].job.trigger.interval.total_seconds() == 0.2
        refresh = jobs["broadcast-progress"].job.trigger.interval.total_seconds()
        assert refresh == h.settings.delivery.counter_refresh_seconds
        assert jobs["reminder-tick"].job.max_instances == 1
        assert jobs["reminder-tick"].job.coalesce is True

        scene = await build_scene(h)
        await start_private(h, scene, "m1")
        await publish_as(h, scene, draft(NUMBER, study_by=naive("20/01/2027 17:00")))
        assert reminders_to(h, scene.id("m1")) == []
        # Time passes the 3-day reminder: the job's next round sends it; no test calls tick().
        clock.now = local("17/01/2027 17:00")
        await h.sandbox.wait_for(lambda: len(reminders_to(h, scene.id("m1"))) == 1, timeout=10)
        await h.outbox_idle()
        async with h.db() as s:
            done = (await s.scalars(select(Reminder.state).where(Reminder.state == "done"))).all()
        assert len(done) == 1
        assert "(còn 3 ngày)" in reminders_to(h, scene.id("m1"))[0]


async def test_a_failing_round_is_logged_and_tried_again(
    sandbox: Any, sqlite_url: str, clock: Any, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    calls: list[int] = []
    original = ReminderTicker.tick

    async def flaky(self: ReminderTicker) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await original(self)

    monkeypatch.setattr(ReminderTicker, "tick", flaky)
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        async with bot_on_sandbox(sandbox, settings_for(sqlite_url, 0.1), clock=clock) as h:
            await h.sandbox.wait_for(lambda: len(calls) >= 3, timeout=10)
    failed = [r for r in caplog.records if r.name == "bot.jobs"]
    assert [r.getMessage() for r in failed] == ["reminder-tick failed"]
    assert failed[0].exc_info is not None and "database went away" in str(failed[0].exc_info[1])


async def test_sqlite_statistics_are_taken_at_start_and_follow_growth(
    sandbox: Any, db_url: str, clock: Any
) -> None:
    """Without statistics SQLite guesses every table's size alike (the province's /pending
    walked every membership before the units); the statistics round runs at start-up and
    again each period, so the planner's figures follow the roster as it grows."""
    if not is_sqlite(db_url):
        pytest.skip("PostgreSQL analyzes its tables itself (autovacuum)")
    async with bot_on_sandbox(sandbox, settings_for(db_url, 60), clock=clock) as h:
        queue = h.app.job_queue
        assert queue is not None
        [job] = [job for job in queue.jobs() if job.name == "statistics"]

        async def memberships_stat() -> int | None:
            """The row count the planner holds for the roster (None: no statistics yet)."""
            async with h.db() as s:
                tables = await s.scalars(
                    text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
                )
                if tables.first() is None:
                    return None
                stat = await s.scalars(
                    text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'memberships'")
                )
                found = stat.first()
            return int(found.split()[0]) if found else 0

        for _ in range(200):  # the round at start-up
            if await memberships_stat() is not None:
                break
            await asyncio.sleep(0.05)
        assert await memberships_stat() == 0
        await build_scene(h)
        async with h.db() as s:
            roster = await s.scalar(select(func.count()).select_from(Membership))
        assert roster
        await job.run(h.app)  # the next period's round
        assert await memberships_stat() == roster
