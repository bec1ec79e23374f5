"""Benchmark: the read queries behind /pending and /stats (and, later, the exports) at
province scale, on SQLite and PostgreSQL side by side.

The province: 1 province, 11 districts, 1,100 cells (100 a district), 50,000 members spread
over the cells (the first of each cell its secretary), 100 published directives sent to the
whole province, 80% of the members received each (60% studied it too, one in three of those
at a meeting). Built with set-based inserts: rows in chunks below the parameter limits
(PostgreSQL: 32,767 a statement), confirmations as INSERT ... SELECT in the database.

    PYTHONPATH=. python bench/queries.py [--backend sqlite|postgresql|both] [--runs N]

Prints the machine, then p50/p99 (ms) of each measured operation per backend. Targets:
/pending of a cell < 50 ms, /stats of the province < 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, insert, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import fresh_database, machine, percentile
from bot.i18n import Texts, Translator
from bot.services import pending, stats
from bot.services.pending_text import render_pages
from bot.services.stats_text import render_view
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Member,
    Membership,
    Unit,
    UTCDateTime,
)

DISTRICTS = 11
CELLS_PER_DISTRICT = 100
MEMBERS = 50_000
DIRECTIVES = 100
CHUNK = 2_000  # rows a statement: at most 7 columns, so < 14,000 parameters
NOW = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)
PUBLISHED = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)


@dataclass
class Province:
    """What the operations need: the measured directive (the newest), the province, a
    district and a cell (ids; each run loads them in its own session)."""

    directive_id: int
    province_id: int
    district_id: int
    cell_id: int


def _units() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(id=1, code="P", name="Tỉnh ủy", kind="province", parent_id=None, path="/1/", depth=0)
    ]
    next_id = 2 + DISTRICTS
    for d in range(DISTRICTS):
        did = 2 + d
        rows.append(
            dict(
                id=did,
                code=f"D{d:02d}",
                name=f"Huyện ủy {d}",
                kind="district",
                parent_id=1,
                path=f"/1/{did}/",
                depth=1,
            )
        )
        for c in range(CELLS_PER_DISTRICT):
            rows.append(
                dict(
                    id=next_id,
                    code=f"D{d:02d}-C{c:03d}",
                    name=f"Chi bộ {c} huyện {d}",
                    kind="cell",
                    parent_id=did,
                    path=f"/1/{did}/{next_id}/",
                    depth=2,
                )
            )
            next_id += 1
    for row in rows:
        row["join_token"] = f"t{row['id']}"
    return rows


async def _insert(s: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for at in range(0, len(rows), CHUNK):
        await s.execute(insert(model).values(rows[at : at + CHUNK]))


async def build(url: str) -> Province:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        units = _units()
        cells = [u["id"] for u in units if u["kind"] == "cell"]
        async with transaction(sessions) as s:
            await _insert(s, Unit, units)
        members = [
            dict(id=i + 1, telegram_id=900_000_000 + i, full_name=f"Đảng viên {i:05d}")
            for i in range(MEMBERS)
        ]
        per_cell = MEMBERS / len(cells)
        memberships = [
            dict(
                member_id=i + 1,
                unit_id=cells[int(i / per_cell)],
                role="secretary" if int(i / per_cell) != int((i - 1) / per_cell) else "member",
            )
            for i in range(MEMBERS)
        ]
        async with transaction(sessions) as s:
            await _insert(s, Member, members)
            await _insert(s, Membership, memberships)
        directives = [
            dict(
                id=d + 1,
                number=f"{d + 1}-CT/TU",
                title=f"Chỉ thị số {d + 1} của Tỉnh ủy",
                issuer="Tỉnh ủy",
                requires_study=True,
                status="published",
                published_at=PUBLISHED,
            )
            for d in range(DIRECTIVES)
        ]
        async with transaction(sessions) as s:
            await _insert(s, Directive, directives)
            await _insert(
                s, DirectiveTarget, [dict(directive_id=d["id"], unit_id=1) for d in directives]
            )
        # Confirmations in the database: received by 80%, studied by 60% (a third of them at a
        # meeting); which ones shifts with the directive.
        spread = (Member.id + Directive.id) % 10
        at = literal(PUBLISHED, UTCDateTime())
        columns = ["directive_id", "member_id", "kind", "at", "how"]
        async with transaction(sessions) as s:
            received = select(
                Directive.id, Member.id, literal("received"), at, literal("press")
            ).join(Member, true())  # every member with every directive, filtered below
            await s.execute(
                insert(Confirmation).from_select(columns, received.where(spread.not_in([0, 5])))
            )
            how = case((spread.in_([6, 7]), literal("meeting")), else_=literal("press"))
            studied = select(Directive.id, Member.id, literal("studied"), at, how).join(
                Member, true()
            )
            await s.execute(
                insert(Confirmation).from_select(
                    columns, studied.where(spread.in_([1, 2, 3, 4, 6, 7]))
                )
            )
        # Statistics as a live database has them (autovacuum / ANALYZE): without them the
        # PostgreSQL planner guesses on freshly loaded tables.
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE")
        return Province(DIRECTIVES, 1, 2, cells[len(cells) // 2])
    finally:
        await engine.dispose()


# -- the measured operations: (name, runs, operation) -----------------------------------------
#
# Each operation is what a handler does for one update, in a session of its own: the queries
# and the text (or file) it builds. The exports helper adds the province XLSX and the DOCX draft
# here (targets: XLSX < 5 s, DOCX < 2 s).

Operation = Callable[[AsyncSession, Province, Translator], Awaitable[object]]


async def pending_of_a_cell(s: AsyncSession, p: Province, t: Translator) -> object:
    directive = await s.get(Directive, p.directive_id)
    cell = await s.get(Unit, p.cell_id)
    assert directive is not None and cell is not None
    report = await pending.pending_report(s, directive, [cell])
    return render_pages(t, report)


async def _stats_of(s: AsyncSession, p: Province, t: Translator, unit_id: int) -> object:
    directive = await s.get(Directive, p.directive_id)
    unit = await s.get(Unit, unit_id)
    assert directive is not None and unit is not None
    view = await stats.stats_view(s, directive, unit, [unit], NOW)
    return render_view(t, view, 0)


async def stats_of_the_province(s: AsyncSession, p: Province, t: Translator) -> object:
    return await _stats_of(s, p, t, p.province_id)


async def stats_of_a_district(s: AsyncSession, p: Province, t: Translator) -> object:
    return await _stats_of(s, p, t, p.district_id)


OPERATIONS: list[tuple[str, int, Operation]] = [
    ("/pending of one cell", 50, pending_of_a_cell),
    ("/stats of the province", 20, stats_of_the_province),
    ("/stats of one district", 30, stats_of_a_district),
    # ("XLSX of the province", 5, ...),  -- branch exports
    # ("DOCX report draft", 5, ...),     -- branch exports
]


async def measure(url: str, scale: float) -> dict[str, tuple[float, float]]:
    built = time.perf_counter()
    province = await build(url)
    print(f"  built in {time.perf_counter() - built:.1f} s", flush=True)
    engine = create_engine(url)
    sessions = session_factory(engine)
    t = Texts().for_lang("vi")
    results: dict[str, tuple[float, float]] = {}
    try:
        for name, runs, operation in OPERATIONS:
            times = []
            for _ in range(max(3, int(runs * scale)) + 1):
                start = time.perf_counter()
                async with sessions() as s:
                    await operation(s, province, t)
                times.append((time.perf_counter() - start) * 1000)
            times = times[1:]  # the first run warms caches and connections
            results[name] = (percentile(times, 50), percentile(times, 99))
            print(
                f"  {name}: p50 {results[name][0]:.1f} ms, p99 {results[name][1]:.1f} ms",
                flush=True,
            )
    finally:
        await engine.dispose()
    return results


async def run(backends: list[str], scale: float) -> None:
    print(machine())
    print(f"SQLite {sqlite3.sqlite_version}")
    print(
        f"province: {DISTRICTS} districts, {DISTRICTS * CELLS_PER_DISTRICT} cells, "
        f"{MEMBERS:,} members, {DIRECTIVES} directives, 80% received, 60% studied"
    )
    table: dict[str, dict[str, tuple[float, float]]] = {}
    for backend in backends:
        print(f"{backend}:", flush=True)
        async with fresh_database(backend) as url:
            table[backend] = await measure(url, scale)
    head = f"{'operation':<28}" + "".join(f"{b + ' p50/p99 ms':>26}" for b in backends)
    print()
    print(head)
    for name, _runs, _op in OPERATIONS:
        cells = "".join(f"{table[b][name][0]:>14.1f} / {table[b][name][1]:<9.1f}" for b in backends)
        print(f"{name:<28}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=float, default=1.0, help="scale the runs of each operation")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    asyncio.run(run(backends, args.runs))


if __name__ == "__main__":
    main()
