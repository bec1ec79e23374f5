"""Benchmark: the read queries behind /pending and /stats (and, later, the exports) at
province scale, on SQLite and PostgreSQL side by side.

The province: 1 province, 11 districts, 1,100 cells (100 a district), 50,000 members spread
over the cells (the first of each cell its secretary), 100 published directives sent to the
whole province, 80% of the members received each (60% studied it too, one in three of those
at a meeting). Built with set-based inserts: rows in chunks below the parameter limits
(PostgreSQL: 32,767 a statement), confirmations as INSERT ... SELECT in the database.

Each unit owes the measured directive a report (70% submitted one) and every district
issued a plan to carry it out, so that the XLSX and the DOCX have their sheets and lists.

    PYTHONPATH=. python bench/queries.py [--backend sqlite|postgresql|both] [--runs N] [--keep]

The build takes minutes (7 million confirmations). With ``--keep`` the province is built once
and kept: SQLite in ``--sqlite-file`` (default /tmp/chithi-bench-province.db), PostgreSQL in
the database ``--pg-database`` (default chithi_bench_province); a later run with ``--keep``
migrates them to the current schema (an index added by a migration is built on the kept rows)
and reuses them if they hold this province (a marker row names the build). ``--drop`` removes
the kept databases.

Prints the machine, then p50/p99 (ms) of each measured operation per backend, side by side,
with its target: /pending of a cell < 50 ms, /stats of the province < 300 ms, the province
XLSX < 5 s, the DOCX draft < 2 s (/stats of a district: no target of its own, shown for scale).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import LXML, Workbook
from sqlalchemy import case, func, insert, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import PG_ADMIN_DSN, fresh_database, machine, percentile
from bot.i18n import Texts, Translator
from bot.services import pending, stats
from bot.services.exports import ExportData, build_export, build_xlsx, collect, neutralise
from bot.services.pending_text import render_pages
from bot.services.report_draft import build_report_draft
from bot.services.stats_text import render_view
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import (
    AuditEvent,
    Confirmation,
    Directive,
    DirectiveTarget,
    Member,
    Membership,
    ReportCycle,
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
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The marker row of a kept province: a change to build() must change it (a kept database
# without it is built again).
BUILD = "province-v2"


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
        # The measured directive (the newest): every unit owes a report (70% submitted one),
        # each district issued a plan to carry it out.
        due = NOW - timedelta(days=1)
        cycles = [
            dict(
                directive_id=DIRECTIVES,
                unit_id=u["id"],
                cycle=0,
                due_at=due,
                submitted_at=due - timedelta(hours=5) if u["id"] % 10 < 7 else None,
                text="Đã tổ chức học tập đầy đủ." if u["id"] % 10 < 7 else None,
            )
            for u in units
        ]
        plans = [
            dict(
                id=DIRECTIVES + 1 + d,
                number=f"{d + 1}-KH/HU",
                kind="KH",
                title=f"Kế hoạch thực hiện Chỉ thị số {DIRECTIVES}",
                issuer=f"Huyện ủy {d}",
                requires_study=False,
                status="published",
                published_at=PUBLISHED,
                parent_id=DIRECTIVES,
                issuer_unit_id=2 + d,
            )
            for d in range(DISTRICTS)
        ]
        async with transaction(sessions) as s:
            await _insert(s, ReportCycle, cycles)
            await _insert(s, Directive, plans)
            s.add(AuditEvent(at=NOW, actor="bench", action="bench-province", subject=BUILD))
        # Statistics as a live database has them (autovacuum / ANALYZE): without them the
        # planners guess on freshly loaded tables.
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            # PostgreSQL: VACUUM too, as autovacuum does after a load (the visibility map lets
            # index-only scans skip the table).
            vacuum = "" if url.startswith("sqlite") else "VACUUM "
            await conn.exec_driver_sql(f"{vacuum}ANALYZE")
        return province()
    finally:
        await engine.dispose()


def province() -> Province:
    cells = [u["id"] for u in _units() if u["kind"] == "cell"]
    return Province(DIRECTIVES, 1, 2, cells[len(cells) // 2])


async def _holds_province(url: str) -> bool:
    """Does the (migrated) database hold the province this build() makes?"""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            marker = select(func.count()).where(
                AuditEvent.action == "bench-province", AuditEvent.subject == BUILD
            )
            return bool(await s.scalar(marker))
    finally:
        await engine.dispose()


@asynccontextmanager
async def kept_database(backend: str, sqlite_file: Path, pg_name: str) -> AsyncIterator[str]:
    """The kept province of ``backend`` at the current schema, built first if missing."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{sqlite_file}"
        if await asyncio.to_thread(sqlite_file.exists):
            try:
                await upgrade(url)
                if await _holds_province(url):
                    print(f"  reusing {sqlite_file}", flush=True)
                    yield url
                    return
            except Exception as error:  # another branch's schema, a half-built file
                print(f"  {sqlite_file} not reusable ({error.__class__.__name__})", flush=True)
            await asyncio.to_thread(sqlite_file.unlink)
        await upgrade(url)
        await _build(url)
        yield url
        return
    import asyncpg

    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{base}/{pg_name}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", pg_name)
    finally:
        await conn.close()
    if exists:
        try:
            await upgrade(url)
            if await _holds_province(url):
                print(f"  reusing database {pg_name}", flush=True)
                yield url
                return
        except Exception as error:
            print(f"  database {pg_name} not reusable ({error.__class__.__name__})", flush=True)
        await drop_kept("postgresql", sqlite_file, pg_name)
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{pg_name}"')
    finally:
        await conn.close()
    await upgrade(url)
    await _build(url)
    yield url


async def drop_kept(backend: str, sqlite_file: Path, pg_name: str) -> None:
    if backend == "sqlite":
        await asyncio.to_thread(sqlite_file.unlink, missing_ok=True)
        return
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _build(url: str) -> Province:
    started = time.perf_counter()
    built = await build(url)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return built


# -- the measured operations: (name, runs, target ms, operation) ----------------------------
#
# Each operation is what a handler does for one update, in a session of its own: the queries
# and the text (or file) it builds. Nothing is committed (the export's audit row is not written:
# build_export is the export without it).

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


async def xlsx_of_the_province(s: AsyncSession, p: Province, t: Translator) -> object:
    directive = await s.get(Directive, p.directive_id)
    root = await s.get(Unit, p.province_id)
    assert directive is not None and root is not None
    files = await build_export(s, [directive], [root], NOW, TZ, t, label=directive.number)
    assert files.members == MEMBERS
    return files


async def docx_of_the_province(s: AsyncSession, p: Province, t: Translator) -> object:
    directive = await s.get(Directive, p.directive_id)
    root = await s.get(Unit, p.province_id)
    assert directive is not None and root is not None
    return await build_report_draft(s, directive, root, NOW, TZ, t)


OPERATIONS: list[tuple[str, int, float | None, Operation]] = [
    ("/pending of one cell", 50, 50, pending_of_a_cell),
    ("/stats of the province", 20, 300, stats_of_the_province),
    ("/stats of one district", 30, None, stats_of_a_district),
    ("XLSX of the province", 5, 5_000, xlsx_of_the_province),
    ("DOCX report draft", 10, 2_000, docx_of_the_province),
]


async def measure(url: str, scale: float, only: list[str] | None) -> dict[str, tuple[float, float]]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    t = Texts().for_lang("vi")
    results: dict[str, tuple[float, float]] = {}
    p = province()
    # As the bot does once started (bot/app.py): the heap of imports and texts frozen, so that
    # a full collection does not walk it in the middle of an update.
    gc.collect()
    gc.freeze()
    try:
        for name, runs, target, operation in OPERATIONS:
            if only and not any(o.lower() in name.lower() for o in only):
                continue
            times = []
            for _ in range(max(3, int(runs * scale)) + 1):
                start = time.perf_counter()
                async with sessions() as s:
                    await operation(s, p, t)
                times.append((time.perf_counter() - start) * 1000)
            times = times[1:]  # the first run warms caches and connections
            results[name] = (percentile(times, 50), percentile(times, 99))
            print(
                f"  {name}: p50 {results[name][0]:.1f} ms, p99 {results[name][1]:.1f} ms "
                f"({len(times)} runs; target {_target(target)})",
                flush=True,
            )
    finally:
        await engine.dispose()
    return results


def _target(target: float | None) -> str:
    return "—" if target is None else f"< {target:,.0f} ms"


def openpyxl_write_only(data: ExportData) -> bytes:
    """The contender: the workbook as exports.build_xlsx wrote it before XlsxWriter
    (openpyxl's write-only mode, a cell object and an XML element a value)."""
    book = Workbook(write_only=True)
    for sheet in (data.summary, data.members, data.reports):
        ws = book.create_sheet(sheet.title)
        for row in [sheet.header, *sheet.rows]:
            ws.append([neutralise(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def compare_writers(url: str, runs: int) -> None:
    """The province's workbook file alone (rows already fetched), by both writers."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            p = province()
            directive = await s.get(Directive, p.directive_id)
            root = await s.get(Unit, p.province_id)
            assert directive is not None and root is not None
            t = Texts().for_lang("vi")
            data = await collect(s, [directive], [root], NOW, TZ, t, directive.number)
    finally:
        await engine.dispose()
    cells = sum(len(r) for sh in (data.summary, data.members, data.reports) for r in sh.rows)
    print(f"\nthe XLSX file alone ({cells:,} cells, rows fetched; openpyxl lxml={LXML}):")
    for name, write in (
        ("openpyxl write-only", openpyxl_write_only),
        ("XlsxWriter (exports)", build_xlsx),
    ):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            size = len(write(data))
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"  {name:<20} p50 {percentile(times, 50):7.1f} ms, p99 {percentile(times, 99):7.1f}"
            f" ms ({runs} runs, {size / 1e6:.1f} MB)"
        )


async def run(
    backends: list[str],
    scale: float,
    keep: bool,
    sqlite_file: Path,
    pg_name: str,
    only: list[str] | None,
) -> None:
    print(machine())
    print(f"SQLite {sqlite3.sqlite_version}")
    print(
        f"province: {DISTRICTS} districts, {DISTRICTS * CELLS_PER_DISTRICT} cells, "
        f"{MEMBERS:,} members, {DIRECTIVES} directives, 80% received, 60% studied"
    )
    table: dict[str, dict[str, tuple[float, float]]] = {}
    writers = not only or any("xlsx" in o.lower() for o in only)
    for backend in backends:
        print(f"{backend}:", flush=True)
        async with AsyncExitStack() as stack:
            if keep:
                url = await stack.enter_async_context(kept_database(backend, sqlite_file, pg_name))
            else:
                url = await stack.enter_async_context(fresh_database(backend))
                await _build(url)
            table[backend] = await measure(url, scale, only)
            if writers:  # once: the file does not depend on the database
                await compare_writers(url, 3)
                writers = False
    print()
    print(
        f"{'operation':<26}{'target':>12}" + "".join(f"{b + ' p50 / p99 ms':>28}" for b in backends)
    )
    for name, _runs, target, _op in OPERATIONS:
        if not all(name in table[b] for b in backends):
            continue
        cells = ""
        for b in backends:
            p50, p99 = table[b][name]
            verdict = "" if target is None else (" ok" if p99 < target else " OVER")
            cells += f"{p50:>13.1f} / {p99:>8.1f}{verdict:<5}"
        print(f"{name:<26}{_target(target):>12}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=float, default=1.0, help="scale the runs of each operation")
    parser.add_argument("--keep", action="store_true", help="build once, reuse the kept province")
    parser.add_argument("--sqlite-file", type=Path, default=Path("/tmp/chithi-bench-province.db"))
    parser.add_argument("--pg-database", default="chithi_bench_province")
    parser.add_argument("--drop", action="store_true", help="remove the kept databases and stop")
    parser.add_argument(
        "--only", nargs="+", help="measure only the operations whose name holds one of these"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if args.drop:
        for backend in backends:
            asyncio.run(drop_kept(backend, args.sqlite_file, args.pg_database))
        return
    asyncio.run(run(backends, args.runs, args.keep, args.sqlite_file, args.pg_database, args.only))


if __name__ == "__main__":
    main()
