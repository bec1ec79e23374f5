"""Changing a deadline after publishing reschedules everything that depends on it: by /deadline
in a chat, by ``chithi deadline`` on the command line, and for an open report cycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main as cli_main
from bot.i18n import Texts
from bot.services.deadlines import change_deadline
from bot.services.drafts import DraftError
from bot.services.pending import directive_by_number
from bot.services.publish import publish
from bot.services.reminder_tick import run_due_reminders
from bot.services.reminders import ReminderRules
from bot.services.tree import import_units
from storage.db import SessionFactory, transaction
from storage.models import Reminder, ReportCycle
from tests.kit.harness import Harness
from tests.kit.paths import SAMPLE
from tests.kit.reminders import (
    Inbox,
    draft,
    fast_harness,
    fast_settings,
    local,
    naive,
    publish_as,
    shown,
    start_private,
    tick,
)
from tests.kit.scene import build_scene

NUMBER = "45-CV/HU"


@pytest.fixture
async def h(sandbox: Any, sqlite_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, sqlite_url, clock) as harness:
        yield harness


async def plan(sessions: SessionFactory) -> list[tuple[str, str, str]]:
    async with transaction(sessions) as s:
        rows = (await s.scalars(select(Reminder).order_by(Reminder.id))).all()
        return [(r.kind, shown(r.due_at), r.state) for r in rows]


async def test_deadline_command_reschedules_reminders_and_escalation(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "m1")
    inbox = Inbox(h, scene)
    await publish_as(h, scene, draft(NUMBER, study_by=naive("20/01/2027 17:00")))
    h.rt.clock.now = local("17/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    assert len(inbox.take()["m1"]) == 2  # the private copy and the 3-day reminder

    admin, m1 = scene.users["admin"], scene.users["m1"]
    answers = [
        (m1, f"/deadline {NUMBER} hoc 25/01/2027 17:00", "Chỉ quản trị viên, người ban hành"),
        (admin, f"/deadline {NUMBER}", "Cách đổi hạn: /deadline số-văn-bản"),
        (admin, f"/deadline {NUMBER} hoc mai", 'Không đọc được thời điểm "mai".'),
        (admin, f"/deadline {NUMBER} xem 25/01/2027 17:00", 'Không rõ hạn "xem".'),
        (admin, f"/deadline {NUMBER} hoc 15/01/2027 17:00", "Thời điểm 15/01/2027 17:00 đã qua."),
        (admin, "/deadline 1-XX hoc 25/01/2027 17:00", "Không tìm thấy văn bản số 1-XX."),
    ]
    for who, command, start in answers:
        [reply] = await h.send(who, command)
        assert reply["text"].startswith(start), command
    before = await plan(h.rt.sessions)
    [reply] = await h.send(admin, f"/deadline {NUMBER} hoc 25/01/2027 17:00")
    assert reply["text"] == (
        f"✅ Đã đổi hạn học tập của văn bản {NUMBER}: 17:00 Thứ Tư, 20/01/2027 → "
        "17:00 Thứ Hai, 25/01/2027. Các lượt nhắc đã được lên lịch lại theo hạn mới."
    )
    assert before == [
        ("offset", "17/01/2027 17:00", "done"),
        ("offset", "19/01/2027 17:00", "pending"),
        ("offset", "20/01/2027 15:00", "pending"),
        ("escalation", "20/01/2027 17:00", "pending"),
    ]
    assert await plan(h.rt.sessions) == [
        ("offset", "17/01/2027 17:00", "done"),
        ("offset", "19/01/2027 17:00", "cancelled"),
        ("offset", "20/01/2027 15:00", "cancelled"),
        ("escalation", "20/01/2027 17:00", "cancelled"),
        ("offset", "22/01/2027 17:00", "pending"),
        ("offset", "24/01/2027 17:00", "pending"),
        ("offset", "25/01/2027 15:00", "pending"),
        ("escalation", "25/01/2027 17:00", "pending"),
    ]
    inbox.take()
    for moment in ("19/01/2027 17:00", "20/01/2027 17:00"):  # the old times: nothing
        h.rt.clock.now = local(moment)  # type: ignore[attr-defined]
        assert (await tick(h)).processed == 0
    assert inbox.take() == {}
    h.rt.clock.now = local("22/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    [text] = inbox.take()["m1"]
    assert "Hạn: 17:00 Thứ Hai, 25/01/2027 (còn 3 ngày)." in text


async def test_cli_deadline_command(db_url: str, sessions: SessionFactory, tmp_path: Path) -> None:
    settings = fast_settings(db_url)
    async with transaction(sessions) as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with transaction(sessions) as s:
        await publish(
            s,
            draft(NUMBER, receive_by=naive("20/01/2027 17:00")),
            publisher=None,
            config_admins=[],
            now=local("10/01/2027 08:00"),
            tz=settings.locale.tz,
            texts=Texts(),
            reminder_settings=settings.reminders,
        )
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    args = ["--config", str(config), "deadline", NUMBER, "nhan", "22/01/2027", "09:30"]
    assert await asyncio.to_thread(cli_main, args) == 0
    rows = await plan(sessions)
    assert [r for r in rows if r[2] == "pending"] == [
        ("offset", "19/01/2027 09:30", "pending"),
        ("offset", "21/01/2027 09:30", "pending"),
        ("offset", "22/01/2027 07:30", "pending"),
        ("escalation", "22/01/2027 09:30", "pending"),
    ]
    # back to the first deadline: its cancelled rows come back, nothing is duplicated
    args[-2:] = ["20/01/2027", "17:00"]
    assert await asyncio.to_thread(cli_main, args) == 0
    rows = await plan(sessions)
    assert [r for r in rows if r[2] == "pending"] == [
        ("offset", "17/01/2027 17:00", "pending"),
        ("offset", "19/01/2027 17:00", "pending"),
        ("offset", "20/01/2027 15:00", "pending"),
        ("escalation", "20/01/2027 17:00", "pending"),
    ]
    assert len(rows) == 8
    args[-2:] = ["bo"]
    assert await asyncio.to_thread(cli_main, args) == 0
    assert [r for r in await plan(sessions) if r[2] == "pending"] == []


async def test_moving_an_open_report_cycle(sessions: SessionFactory) -> None:
    settings = fast_settings("sqlite+aiosqlite:///unused.db")
    texts, rules = Texts(), ReminderRules.from_settings(settings)
    async with transaction(sessions) as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with transaction(sessions) as s:
        await publish(
            s,
            draft(
                NUMBER,
                targets=["BP-DX-01"],
                report_by=naive("31/03/2027 17:00"),
                report_every="quarter",
            ),
            publisher=None,
            config_admins=[],
            now=local("10/01/2027 08:00"),
            tz=settings.locale.tz,
            texts=texts,
            reminder_settings=settings.reminders,
        )
    await run_due_reminders(sessions, local("01/04/2027 08:00"), settings, texts)
    async with transaction(sessions) as s:
        directive = await directive_by_number(s, NUMBER)
        assert directive is not None
        with pytest.raises(DraftError) as refused:
            await change_deadline(
                s, directive, "baocao", None, now=local("01/04/2027 08:00"), rules=rules, actor="t"
            )
        assert refused.value.key == "deadline-report-needed"
        await change_deadline(
            s,
            directive,
            "baocao",
            naive("15/07/2027 17:00"),
            now=local("01/04/2027 08:00"),
            rules=rules,
            actor="test",
        )
    await run_due_reminders(sessions, local("15/07/2027 17:00"), settings, texts)
    async with transaction(sessions) as s:
        due = (await s.scalars(select(ReportCycle.due_at).order_by(ReportCycle.cycle))).all()
    # quarter 2 moved to 15/07; quarter 3 follows from it, on the new day of the month
    assert [shown(d) for d in due] == ["31/03/2027 17:00", "15/07/2027 17:00", "15/10/2027 17:00"]
