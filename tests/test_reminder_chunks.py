"""The reminder tick streams (issue 15): with ``[reminders] chunk_size`` far below the
number of members it writes the same reminders and summaries, each once; a tick run again
(a crash before the round was marked done) adds nothing; a summary keeps only the names
its message can show, with the true counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bench.reminders import DEADLINE, plan_reminders, populate
from bot.config import Settings
from bot.i18n import Texts
from bot.services.reminder_scope import member_scope
from bot.services.reminder_tick import SUMMARY_TEXT_AT_ONCE, run_due_reminders
from bot.services.reminders import PENDING, ReminderRules
from bot.services.tg_text import tg_len
from storage.db import create_engine, session_factory, transaction
from storage.models import Delivery, Reminder

MEMBERS, UNITS = 60, 12  # 5 members per unit, the first of each its secretary (studied)


async def test_a_tick_in_chunks_of_three_writes_each_message_once(db_url: str) -> None:
    directive_id = await populate(db_url, MEMBERS, UNITS)
    settings = Settings.model_validate(
        {"database": {"url": db_url}, "reminders": {"chunk_size": 3}}
    )
    rules = ReminderRules.from_settings(settings)
    assert rules.chunk_size == 3
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        await plan_reminders(sessions, directive_id, rules)
        at = DEADLINE - timedelta(days=1)
        result = await run_due_reminders(sessions, at, settings, Texts())
        # 4 of each unit's 5 have not studied; each unit's secretary gets the summary
        assert result.messages == 4 * UNITS + UNITS

        async def kinds() -> dict[str, int]:
            async with sessions() as s:
                rows = await s.execute(select(Delivery.kind, func.count()).group_by(Delivery.kind))
                return dict(rows.all())

        assert await kinds() == {"reminder": 4 * UNITS, "summary": UNITS}
        async with sessions() as s:
            summary = (
                await s.scalars(select(Delivery.payload).where(Delivery.kind == "summary"))
            ).first()
        assert summary is not None and "4/5" in summary["text"]
        # A crash after the outbox rows, before the round was marked done: run it again.
        async with transaction(sessions) as s:
            await s.execute(update(Reminder).values(state=PENDING))
        again = await run_due_reminders(sessions, at, settings, Texts())
        assert again.messages == 0
        assert await kinds() == {"reminder": 4 * UNITS, "summary": UNITS}
    finally:
        await engine.dispose()


async def test_a_summary_keeps_only_the_names_it_can_show(db_url: str) -> None:
    directive_id = await populate(db_url, MEMBERS, UNITS)
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as s:
            scope = await member_scope(s, directive_id, "study_by", chunk_size=3, keep=2)
            full = await member_scope(s, directive_id, "study_by", chunk_size=1000)
        for unit_id, unit in scope.units.items():
            if not unit.total:
                continue
            assert (unit.total, unit.done, unit.waiting) == (5, 1, 4)
            assert len(full.units[unit_id].pending) == 4
            assert unit.pending == full.units[unit_id].pending[:2]  # the first two, in order
    finally:
        await engine.dispose()


async def test_summaries_full_of_names_are_each_written_once(db_url: str) -> None:
    """200 members a unit: each summary's names fill a message (more than Fluent takes in one
    placeable, cut with "… và N người nữa"), and the summaries together pass the text the
    tick holds before writing, so they go out in several statements: each once, whole."""
    members, units = 1_600, 8  # 160 of each unit's 200 have not studied
    directive_id = await populate(db_url, members, units)
    settings = Settings.model_validate({"database": {"url": db_url}})
    rules = ReminderRules.from_settings(settings)
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        await plan_reminders(sessions, directive_id, rules)
        result = await run_due_reminders(sessions, DEADLINE - timedelta(days=1), settings, Texts())
        assert result.messages == 160 * units + units
        async with sessions() as s:
            full = await member_scope(s, directive_id, "study_by")
            rows = (
                await s.execute(
                    select(Delivery.dedupe_key, Delivery.payload).where(Delivery.kind == "summary")
                )
            ).all()
        assert sum(len(payload["text"]) for _, payload in rows) > SUMMARY_TEXT_AT_ONCE
        assert sorted(int(key.split(":")[1][1:]) for key, _ in rows) == list(range(1, units + 1))
        for key, payload in rows:
            unit = full.units[int(key.split(":")[1][1:])]
            message = payload["text"]
            assert "160/200" in message and "người nữa" in message
            assert unit.pending[0] in message and unit.pending[-1] not in message
            assert "\ue000" not in message  # no marker left of the long list of names
            assert tg_len(message) <= 4096
    finally:
        await engine.dispose()
