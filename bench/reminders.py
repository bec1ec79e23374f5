"""Benchmark: reminders for one deadline in a province-sized tree.

50,000 members in 1,000 units (1 province, 9 districts, 990 cells), every member with a private
chat, one secretary per unit, 20% already studied; one directive to the whole tree with a study
deadline. Measures: planning the reminder rows at publish time, the tick that computes who is
pending and enqueues every private reminder and secretary summary, and the escalation tick.

    PYTHONPATH=. python bench/reminders.py [--db-url URL] [--members N] [--units N]

Prints machine information, timings and peak memory (tracemalloc during a second reminder tick,
and the process's peak RSS). Target: the reminder tick under 5 s on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

from bench.common import machine
from bot.config import Settings
from bot.i18n import Texts
from bot.services.reminder_tick import run_due_reminders
from bot.services.reminders import ReminderRules, plan_directive
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import (
    Confirmation,
    Delivery,
    Directive,
    DirectiveTarget,
    Member,
    Membership,
    Reminder,
    Unit,
)

PUBLISHED = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
DEADLINE = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam


def tree(units: int) -> list[dict[str, object]]:
    """1 province, 9 districts, the rest cells spread over the districts."""
    rows: list[dict[str, object]] = [
        {
            "id": 1,
            "code": "P",
            "name": "Tỉnh ủy",
            "kind": "province",
            "parent_id": None,
            "path": "/1/",
            "depth": 0,
            "join_token": "t1",
        },
    ]
    districts = list(range(2, 11))
    for d in districts:
        rows.append(
            {
                "id": d,
                "code": f"D{d}",
                "name": f"Huyện ủy {d}",
                "kind": "district",
                "parent_id": 1,
                "path": f"/1/{d}/",
                "depth": 1,
                "join_token": f"t{d}",
            }
        )
    for uid in range(11, units + 1):
        d = districts[uid % len(districts)]
        rows.append(
            {
                "id": uid,
                "code": f"C{uid}",
                "name": f"Chi bộ {uid}",
                "kind": "cell",
                "parent_id": d,
                "path": f"/1/{d}/{uid}/",
                "depth": 2,
                "join_token": f"t{uid}",
            }
        )
    return rows


async def populate(url: str, members: int, units: int) -> int:
    engine = create_engine(url)
    sessions = session_factory(engine)
    unit_rows = tree(units)
    per_unit = members // units
    async with transaction(sessions) as s:
        await s.execute(insert(Unit), unit_rows)
        directive = Directive(
            number="1-BENCH",
            kind="CV",
            title="Bench",
            issuer="Bench",
            requires_study=True,
            study_by=DEADLINE,
            status="published",
            published_at=PUBLISHED,
        )
        s.add(directive)
        await s.flush()
        s.add(DirectiveTarget(directive_id=directive.id, unit_id=1))
        directive_id = directive.id
    # Members in slices (a million rows of dicts at once would not fit the machine).
    step = 20_000
    for first in range(0, members, step):
        async with transaction(sessions) as s:
            member_rows, membership_rows, confirmations = [], [], []
            for i in range(first, min(members, first + step)):
                unit_id = unit_rows[min(i // per_unit, units - 1)]["id"]
                member_rows.append(
                    {
                        "id": i + 1,
                        "telegram_id": 800_000_000 + i,
                        "full_name": f"Đảng viên {i:07d}",
                        "language": "vi",
                        "private_chat": True,
                        "blocked": False,
                    }
                )
                role = "secretary" if i % per_unit == 0 else "member"
                membership_rows.append({"member_id": i + 1, "unit_id": unit_id, "role": role})
                if i % 5 == 0:  # 20% studied already
                    confirmations.append(
                        {
                            "directive_id": directive_id,
                            "member_id": i + 1,
                            "kind": "studied",
                            "at": PUBLISHED,
                        }
                    )
            await s.execute(insert(Member), member_rows)
            await s.execute(insert(Membership), membership_rows)
            await s.execute(insert(Confirmation), confirmations)
    async with transaction(sessions) as s:  # member 1 (the province's secretary) published it
        await s.execute(update(Directive).values(published_by=1))
    # Statistics as a live database has them (autovacuum analyses tables as they grow); on
    # freshly bulk-loaded PostgreSQL tables without them the planner picks nested loops and
    # the reminder query takes minutes instead of 0.1 s.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return directive_id


async def run(url: str, members: int, units: int, chunk_size: int) -> None:
    print(machine())
    print(f"database: {url.split('@')[-1]}; [reminders] chunk_size {chunk_size}")
    await upgrade(url)
    started = time.perf_counter()
    directive_id = await populate(url, members, units)
    print(
        f"populate: {members:,} members, {units:,} units in {time.perf_counter() - started:.1f} s"
    )
    settings = Settings.model_validate(
        {"database": {"url": url}, "reminders": {"chunk_size": chunk_size}}
    )
    texts = Texts()
    rules = ReminderRules.from_settings(settings)
    engine = create_engine(url)
    sessions = session_factory(engine)

    started = time.perf_counter()
    async with transaction(sessions) as s:
        directive = await s.get(Directive, directive_id)
        assert directive is not None
        rows = await plan_directive(s, directive, now=PUBLISHED, rules=rules)
    print(
        f"plan at publish: {rows} reminder rows in {(time.perf_counter() - started) * 1000:.1f} ms"
    )

    async def tick(at: datetime, label: str) -> None:
        started = time.perf_counter()
        result = await run_due_reminders(sessions, at, settings, texts)
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {result.messages:,} outbox rows in {elapsed:.2f} s "
            f"({result.messages / elapsed:,.0f} rows/s)"
        )

    await tick(DEADLINE - timedelta(days=3), "reminder tick (3 days before)")
    tracemalloc.start()
    await tick(DEADLINE - timedelta(days=1), "reminder tick (1 day before), traced")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await tick(DEADLINE, "escalation tick")
    async with transaction(sessions) as s:
        by_kind = dict(
            (await s.execute(select(Delivery.kind, func.count()).group_by(Delivery.kind))).all()
        )
        states = dict(
            (await s.execute(select(Reminder.state, func.count()).group_by(Reminder.state))).all()
        )
    await engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"outbox rows by kind: {by_kind}; reminder rows: {states}")
    print(
        f"peak memory: {peak / 1024 / 1024:.1f} MiB traced during a reminder tick; "
        f"process peak RSS {rss:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="default: a fresh SQLite file in a temp directory")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--chunk-size", type=int, default=2_000, help="[reminders] chunk_size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(url, args.members, args.units, args.chunk_size))


if __name__ == "__main__":
    main()
