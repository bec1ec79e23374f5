"""Restarts and clock jumps: a reminder missed while the bot was down goes out once, late, at
the first tick after the restart; nothing is repeated; two processes never double-send."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, update

from bot.i18n import Texts
from bot.services.publish import publish
from bot.services.reminder_tick import run_due_reminders
from bot.services.tree import import_members, import_units
from storage.db import create_engine, session_factory, transaction
from storage.models import Delivery, Member, Reminder
from tests.kit.harness import Harness
from tests.kit.paths import SAMPLE
from tests.kit.reminders import (
    Inbox,
    bot_process,
    draft,
    fast_settings,
    local,
    naive,
    publish_as,
    shown,
    start_private,
    tick,
)
from tests.kit.scene import Scene, build_scene

NUMBER = "45-CV/HU"


def reminders_to(h: Harness, scene: Scene, key: str) -> list[str]:
    return [m["text"] for m in h.bot_messages(scene.id(key)) if m.get("text", "").startswith("⏰")]


async def states(h: Harness) -> list[tuple[str, int, str]]:
    async with h.db() as s:
        rows = (await s.scalars(select(Reminder).order_by(Reminder.due_at))).all()
        return [(r.kind, r.offset_seconds, r.state) for r in rows]


async def first_run(sandbox: Any, sqlite_url: str, clock: Any) -> tuple[str, Scene]:
    """Publish, send the 3-day reminder, stop the bot. Returns the bot's token."""
    async with bot_process(sandbox, fast_settings(sqlite_url), clock) as h:
        scene = await build_scene(h)
        await start_private(h, scene, "m1", "sec_dx01", "sec_dx", "admin")
        await publish_as(h, scene, draft(NUMBER, study_by=naive("20/01/2027 17:00")))
        clock.now = local("17/01/2027 17:00")
        await tick(h)
        assert len(reminders_to(h, scene, "m1")) == 1
        return h.token, scene


async def test_a_reminder_missed_while_down_is_sent_once_late(
    sandbox: Any, sqlite_url: str, clock: Any
) -> None:
    token, scene = await first_run(sandbox, sqlite_url, clock)
    # Down over the 1-day reminder (19/01 17:00); back before the 2-hour one.
    clock.now = local("19/01/2027 18:00")
    settings = fast_settings(sqlite_url)
    async with bot_process(sandbox, settings, clock, token) as h:
        # the tick at start-up sends it, without anyone calling it
        await h.sandbox.wait_for(lambda: len(reminders_to(h, scene, "m1")) == 2, timeout=10)
        await h.outbox_idle()
        late = reminders_to(h, scene, "m1")[1]
        assert "Hạn: 17:00 Thứ Tư, 20/01/2027 (còn 23 giờ)." in late
        assert (await tick(h)).processed == 0
        assert await states(h) == [
            ("offset", 3 * 86400, "done"),
            ("offset", 86400, "done"),
            ("offset", 7200, "pending"),
            ("escalation", 0, "pending"),
        ]
    # Another restart at the same time repeats nothing.
    async with bot_process(sandbox, settings, clock, token) as h:
        assert (await tick(h)).processed == 0
        assert len(reminders_to(h, scene, "m1")) == 2
        assert len(reminders_to(h, scene, "sec_dx01")) == 2
        # and the 2-hour reminder still comes on time
        clock.now = local("20/01/2027 15:00")
        await tick(h)
        assert "(còn 2 giờ)" in reminders_to(h, scene, "m1")[2]
        async with h.db() as s:
            keys = (await s.scalars(select(Delivery.dedupe_key))).all()
        assert len(keys) == len(set(keys))


async def test_down_over_two_reminders_sends_only_the_latest(
    sandbox: Any, sqlite_url: str, clock: Any
) -> None:
    token, scene = await first_run(sandbox, sqlite_url, clock)
    clock.now = local("20/01/2027 15:30")  # past the 1-day and the 2-hour reminders
    async with bot_process(sandbox, fast_settings(sqlite_url), clock, token) as h:
        await tick(h)
        texts = reminders_to(h, scene, "m1")
        assert len(texts) == 2 and "(còn 2 giờ)" in texts[1]
        assert await states(h) == [
            ("offset", 3 * 86400, "done"),
            ("offset", 86400, "skipped"),
            ("offset", 7200, "done"),
            ("escalation", 0, "pending"),
        ]


async def test_down_past_the_deadline_sends_the_escalation_only(
    sandbox: Any, sqlite_url: str, clock: Any
) -> None:
    token, scene = await first_run(sandbox, sqlite_url, clock)
    clock.now = local("21/01/2027 09:00")
    async with bot_process(sandbox, fast_settings(sqlite_url), clock, token) as h:
        inbox = Inbox(h, scene)
        await tick(h)
        assert len(reminders_to(h, scene, "m1")) == 1  # no "before the deadline" reminder late
        got = inbox.take()
        assert sorted(got) == ["admin", "sec_dx"]
        assert [t.split(" (")[0] for t in got["sec_dx"]] == [
            f"🚨 Đã quá hạn học tập văn bản {NUMBER}"
        ]
        assert [t.split(" (")[0] for t in got["admin"]] == [f"📊 Hết hạn học tập văn bản {NUMBER}"]
        assert await states(h) == [
            ("offset", 3 * 86400, "done"),
            ("offset", 86400, "skipped"),
            ("offset", 7200, "skipped"),
            ("escalation", 0, "done"),
        ]


async def test_a_late_reminder_found_at_night_waits_for_the_morning(
    sandbox: Any, sqlite_url: str, clock: Any
) -> None:
    token, scene = await first_run(sandbox, sqlite_url, clock)
    clock.now = local("19/01/2027 22:00")
    async with bot_process(sandbox, fast_settings(sqlite_url), clock, token) as h:
        result = await tick(h)
        assert len(reminders_to(h, scene, "m1")) == 1
        async with h.db() as s:
            row = await s.scalar(select(Reminder).where(Reminder.offset_seconds == 86400))
            assert row is not None and shown(row.due_at) == "20/01/2027 07:00"
        assert result.processed == 0
        clock.now = local("20/01/2027 07:00")
        await tick(h)
        texts = reminders_to(h, scene, "m1")
        assert len(texts) == 2 and "(còn 10 giờ)" in texts[1]


async def test_the_clock_jumping_back_and_forth_repeats_nothing(
    sandbox: Any, sqlite_url: str, clock: Any
) -> None:
    token, scene = await first_run(sandbox, sqlite_url, clock)
    async with bot_process(sandbox, fast_settings(sqlite_url), clock, token) as h:
        for moment in ("10/01/2027 08:00", "17/01/2027 17:00", "01/01/2026 00:00"):
            clock.now = local(moment)
            assert (await tick(h)).processed == 0
        assert len(reminders_to(h, scene, "m1")) == 1


async def test_two_processes_ticking_at_once_send_each_reminder_once(pg_url: str) -> None:
    """Two bot processes share one PostgreSQL database; both tick at the same moment."""
    engines = [create_engine(pg_url) for _ in range(2)]
    factories = [session_factory(e) for e in engines]
    texts = Texts()
    settings = fast_settings(pg_url)
    try:
        async with transaction(factories[0]) as s:
            await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
        async with transaction(factories[0]) as s:
            await import_members(s, (SAMPLE / "members.csv").read_text(encoding="utf-8"))
        async with transaction(factories[0]) as s:
            await s.execute(update(Member).values(private_chat=True))
            await publish(
                s,
                draft(NUMBER, targets=["BP"], study_by=naive("20/01/2027 17:00")),
                publisher=None,
                config_admins=[],
                now=local("10/01/2027 08:00"),
                tz=settings.locale.tz,
                texts=texts,
                reminder_settings=settings.reminders,
            )
            members = await s.scalar(select(func.count(Member.id)))
        for moment in ("17/01/2027 17:00", "20/01/2027 16:00"):
            await asyncio.gather(
                *(run_due_reminders(f, local(moment), settings, texts) for f in factories)
            )
        async with transaction(factories[0]) as s:
            sent = await s.scalar(
                select(func.count(Delivery.id)).where(Delivery.kind == "reminder")
            )
            done = (await s.scalars(select(Reminder.state).order_by(Reminder.due_at))).all()
            payload = await s.scalar(
                select(Delivery.payload).where(Delivery.kind == "reminder").limit(1)
            )
        assert members and sent == 2 * members  # everyone pending, twice (3 days, 2 hours)
        assert done == ["done", "skipped", "done", "pending"]
        assert payload is not None and payload["buttons"][1][0]["data"].startswith("z:")
    finally:
        for engine in engines:
            await engine.dispose()
