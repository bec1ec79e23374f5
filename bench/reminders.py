"""Benchmark: reminders for one deadline in a province-sized tree.

50,000 members in 1,000 units (1 province, 9 districts, 990 cells), every member with a private
chat, one secretary per unit, 20% already studied; one directive to the whole tree with a study
deadline. Measures the tick that computes who is pending and enqueues every private reminder
and secretary summary (untraced), the same work again under tracemalloc (its peak), and the
escalation tick. Several sizes in one run, each on a fresh database, printed as one table:

    PYTHONPATH=. python bench/reminders.py [--backend sqlite|postgresql]
        [--members 50000 200000 1000000] [--units N] [--chunk-size N]

Targets: the tick under 5 s at 50,000 on SQLite; peak traced memory flat (within 20%) from 50k
to 1M members, time linear (the same time per member).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, func, insert, literal, select, update

from bench.common import RssSampler, fresh_database, machine
from bot.config import Settings
from bot.i18n import Texts
from bot.services.reminder_tick import run_due_reminders
from bot.services.reminders import ReminderRules, plan_directive
from storage.db import SessionFactory, create_engine, session_factory, transaction
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


SEED_SLICE = 200_000  # members per seeding statement (one transaction each)


def _numbers(first: int, last: int) -> Any:
    """``i`` from ``first`` to ``last - 1``, made by the database (a recursive CTE: SQLite and
    PostgreSQL alike), so seeding a million members sends no rows from Python."""
    n = select(literal(first).label("i")).cte("n", recursive=True)
    return n.union_all(select(n.c.i + 1).where(n.c.i < last - 1))


async def populate(url: str, members: int, units: int) -> int:
    """The tree, the members (one secretary per unit), 20% studied; set-based (INSERT ...
    SELECT in slices): the seeding is not what is measured."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    per_unit = max(1, members // units)
    async with transaction(sessions) as s:
        await s.execute(insert(Unit), tree(units))
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
    at = Confirmation.__table__.c.at.type
    for first in range(0, members, SEED_SLICE):
        n = _numbers(first, min(members, first + SEED_SLICE))
        async with transaction(sessions) as s:
            await s.execute(
                insert(Member).from_select(
                    ["id", "telegram_id", "full_name", "language", "private_chat", "blocked"],
                    select(
                        n.c.i + 1,
                        n.c.i + 800_000_000,
                        literal("Đảng viên ").concat(cast(n.c.i + 10_000_000, String)),
                        literal("vi"),
                        literal(True),
                        literal(False),
                    ),
                )
            )
            cell = n.c.i // per_unit
            await s.execute(
                insert(Membership).from_select(
                    ["member_id", "unit_id", "role"],
                    select(
                        n.c.i + 1,
                        case((cell < units - 1, cell + 1), else_=units),
                        case((n.c.i % per_unit == 0, "secretary"), else_="member"),
                    ),
                )
            )
            await s.execute(
                insert(Confirmation).from_select(
                    ["directive_id", "member_id", "kind", "at"],
                    select(
                        literal(directive_id),
                        n.c.i + 1,
                        literal("studied"),
                        literal(PUBLISHED, at),
                    ).where(n.c.i % 5 == 0),  # 20% studied already
                )
            )
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


@dataclass
class Figures:
    members: int
    seeded_s: float
    tick_s: float  # the reminder tick, untraced
    messages: int  # outbox rows that tick wrote
    peak_mib: float  # traced (tracemalloc) during the same tick again
    rss_growth_mib: float  # the process's RSS during the traced tick, above its start
    escalation_s: float


async def plan_reminders(sessions: SessionFactory, directive_id: int, rules: ReminderRules) -> None:
    """The populated directive's reminder rows, as publishing plans them."""
    async with transaction(sessions) as s:
        directive = await s.get(Directive, directive_id)
        assert directive is not None
        await plan_directive(s, directive, now=PUBLISHED, rules=rules)


async def run_size(backend: str, members: int, units: int, chunk_size: int) -> Figures:
    async with fresh_database(backend) as url:
        started = time.perf_counter()
        directive_id = await populate(url, members, units)
        seeded = time.perf_counter() - started
        settings = Settings.model_validate(
            {"database": {"url": url}, "reminders": {"chunk_size": chunk_size}}
        )
        texts = Texts()
        rules = ReminderRules.from_settings(settings)
        engine = create_engine(url)
        sessions = session_factory(engine)
        try:
            await plan_reminders(sessions, directive_id, rules)
            started = time.perf_counter()
            result = await run_due_reminders(
                sessions, DEADLINE - timedelta(days=3), settings, texts
            )
            tick = time.perf_counter() - started
            # The next offset: the same work (new outbox keys), traced this time.
            gc.collect()
            with RssSampler() as rss:
                tracemalloc.start()
                await run_due_reminders(sessions, DEADLINE - timedelta(days=1), settings, texts)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            started = time.perf_counter()
            await run_due_reminders(sessions, DEADLINE, settings, texts)
            escalation = time.perf_counter() - started
            async with transaction(sessions) as s:
                by_kind = dict(
                    (
                        await s.execute(select(Delivery.kind, func.count()).group_by(Delivery.kind))
                    ).all()
                )
                states = dict(
                    (
                        await s.execute(
                            select(Reminder.state, func.count()).group_by(Reminder.state)
                        )
                    ).all()
                )
        finally:
            await engine.dispose()
    print(
        f"  {members:>9,} members: seeded in {seeded:.1f} s; outbox rows by kind {by_kind}; "
        f"reminder rows {states}",
        flush=True,
    )
    return Figures(
        members,
        seeded,
        tick,
        result.messages,
        peak / 1024 / 1024,
        rss.peak_mb - rss.start_mb,
        escalation,
    )


def table(rows: list[Figures]) -> None:
    print(
        f"{'members':>10} {'tick s':>8} {'outbox rows':>12} {'µs/member':>10} "
        f"{'peak traced MiB':>16} {'RSS growth MiB':>15} {'escalation s':>13}"
    )
    for f in rows:
        print(
            f"{f.members:>10,} {f.tick_s:>8.2f} {f.messages:>12,} "
            f"{f.tick_s / f.members * 1e6:>10.1f} {f.peak_mib:>16.1f} "
            f"{f.rss_growth_mib:>15.1f} {f.escalation_s:>13.2f}"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"from {first.members:,} to {last.members:,} members ({last.members / first.members:.0f}x): "
            f"peak traced memory x{last.peak_mib / first.peak_mib:.2f} (target within 1.20), "
            f"time per member x{(last.tick_s / last.members) / (first.tick_s / first.members):.2f} "
            f"(linear: 1.00)"
        )


async def run(backend: str, sizes: list[int], units: int, chunk_size: int) -> None:
    print(machine())
    print(
        f"database: {backend}; {units:,} units (1 province, 9 districts, the rest cells), the "
        f"members spread evenly, one secretary each, 20% studied; [reminders] chunk_size "
        f"{chunk_size}",
        flush=True,
    )
    rows = [await run_size(backend, members, units, chunk_size) for members in sizes]
    print()
    table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--members",
        type=int,
        nargs="+",
        default=[50_000],
        help="one or more sizes, each on a fresh database, e.g. 50000 200000 1000000",
    )
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--chunk-size", type=int, default=2_000, help="[reminders] chunk_size")
    args = parser.parse_args()
    asyncio.run(run(args.backend, args.members, args.units, args.chunk_size))


if __name__ == "__main__":
    main()
