"""Timings of the province's XLSX export and DOCX report draft, on SQLite and PostgreSQL.

    python bench/export_timing.py [--backends sqlite postgresql] [--xlsx-runs 5] [--docx-runs 20]

The province (as issue 12 asks for bench/queries.py, which lives on another branch): 11
districts, 1,100 cells, 50,000 members (about 45 per cell), 100 directives, 80% of the members
a directive reaches have received and studied it (10% of those at a meeting, 10% recorded by
the secretary). Ten directives go to the whole province, the other ninety to one district
each (1.5 million confirmations in all, instead of 8 million if every directive went to
everyone: the build stays a minute, and the measured directive's rows are the same). Every
unit owes the measured directive a report; 70% submitted one. Rows are bulk-inserted.

Measured: the whole /export of the province (the roll-up, the member and report queries, the
workbook and CSV built in a thread, the audit row) and the whole report draft (roll-up,
documents issued, DOCX), each from a fresh session. Targets: XLSX < 5 s, DOCX < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench.common import fresh_database, machine, percentile
from bot.i18n import Texts
from bot.services.exports import export
from bot.services.report_draft import build_report_draft
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Member,
    Membership,
    ReportCycle,
    Unit,
)

DISTRICTS, CELLS, MEMBERS, DIRECTIVES, WHOLE = 11, 1_100, 50_000, 100, 10
CHUNK = 5_000
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def _bulk(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for at in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[at : at + CHUNK])


async def build(url: str) -> None:
    engine = create_engine(url)
    units: list[dict[str, Any]] = [
        dict(id=1, code="P", name="Đảng bộ tỉnh", kind="province", parent_id=None, path="/1/",
             depth=0, join_token="t1")
    ]  # fmt: skip
    for d in range(DISTRICTS):
        uid = 2 + d
        units.append(
            dict(id=uid, code=f"D{d}", name=f"Huyện ủy {d}", kind="district", parent_id=1,
                 path=f"/1/{uid}/", depth=1, join_token=f"t{uid}")
        )  # fmt: skip
    cell_ids = []
    for c in range(CELLS):
        uid, district = 2 + DISTRICTS + c, 2 + c % DISTRICTS
        cell_ids.append(uid)
        units.append(
            dict(id=uid, code=f"C{c}", name=f"Chi bộ {c}", kind="cell", parent_id=district,
                 path=f"/1/{district}/{uid}/", depth=2, join_token=f"t{uid}")
        )  # fmt: skip
    district_of = {u["id"]: u["parent_id"] for u in units if u["depth"] == 2}
    members = [
        dict(id=i, full_name=f"Nguyễn Văn {i}", telegram_id=None) for i in range(1, MEMBERS + 1)
    ]
    cell_of = {i: cell_ids[i % CELLS] for i in range(1, MEMBERS + 1)}
    memberships = [dict(member_id=i, unit_id=cell_of[i], role="member") for i in cell_of]
    directives, targets, confirmations = [], [], []
    for k in range(1, DIRECTIVES + 1):
        whole = k <= WHOLE
        target = 1 if whole else 2 + k % DISTRICTS
        directives.append(
            dict(id=k, number=f"{k}-CT/TU", kind="CT", title=f"Chỉ thị {k}", issuer="Tỉnh ủy",
                 body="", requires_study=True, status="published", parent_id=None,
                 issuer_unit_id=None, published_at=NOW - timedelta(hours=k))
        )  # fmt: skip
        targets.append(dict(directive_id=k, unit_id=target))
        for i in range(1, MEMBERS + 1):
            if i % 10 >= 8 or not (whole or district_of[cell_of[i]] == target):
                continue
            how = "meeting" if i % 10 == 0 else "behalf" if i % 10 == 1 else "press"
            confirmations.append(
                dict(directive_id=k, member_id=i, kind="received", at=NOW, how="press")
            )
            confirmations.append(dict(directive_id=k, member_id=i, kind="studied", at=NOW, how=how))
    # Districts forward the first directive; every unit owes it a report, 70% submitted.
    for d in range(DISTRICTS):
        directives.append(
            dict(id=DIRECTIVES + 1 + d, number=f"{d}-KH/HU", kind="KH", title="Kế hoạch",
                 issuer=f"Huyện ủy {d}", body="", requires_study=False, status="published", parent_id=1,
                 issuer_unit_id=2 + d, published_at=NOW)
        )  # fmt: skip
    cycles = [
        dict(directive_id=1, unit_id=u["id"], cycle=0, due_at=NOW - timedelta(days=1),
             submitted_at=NOW - timedelta(days=2) if u["id"] % 10 < 7 else None,
             text="Đã tổ chức học tập đầy đủ." if u["id"] % 10 < 7 else None)
        for u in units
    ]  # fmt: skip
    async with engine.begin() as conn:
        for table, rows in (
            (Unit.__table__, units),
            (Member.__table__, members),
            (Membership.__table__, memberships),
            (Directive.__table__, directives),
            (DirectiveTarget.__table__, targets),
            (Confirmation.__table__, confirmations),
            (ReportCycle.__table__, cycles),
        ):
            await _bulk(conn, table, rows)
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE")
    print(f"  built: {len(units)} units, {MEMBERS} members, {len(confirmations)} confirmations")
    await engine.dispose()


async def measure(url: str, xlsx_runs: int, docx_runs: int) -> dict[str, list[float]]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    t = Texts("vi").for_lang("vi")
    times: dict[str, list[float]] = {"xlsx": [], "docx": []}
    sizes: dict[str, int] = {}
    for _ in range(xlsx_runs):
        start = time.perf_counter()
        async with transaction(sessions) as s:
            directive = await s.get(Directive, 1)
            root = (await s.scalars(select(Unit).where(Unit.id == 1))).one()
            assert directive is not None
            files = await export(s, [directive], [root], NOW, TZ, t, label="1", actor="bench")
        times["xlsx"].append(time.perf_counter() - start)
        sizes["xlsx"], sizes["rows"] = len(files.xlsx), files.members
    for _ in range(docx_runs):
        start = time.perf_counter()
        async with transaction(sessions) as s:
            directive = await s.get(Directive, 1)
            root = (await s.scalars(select(Unit).where(Unit.id == 1))).one()
            assert directive is not None
            document = await build_report_draft(s, directive, root, NOW, TZ, t)
        times["docx"].append(time.perf_counter() - start)
        sizes["docx"] = len(document)
    print(
        f"  files: XLSX {sizes['xlsx'] / 1e6:.1f} MB with {sizes['rows']} member rows, "
        f"DOCX {sizes['docx'] / 1e3:.0f} kB"
    )
    await engine.dispose()
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--xlsx-runs", type=int, default=5)
    parser.add_argument("--docx-runs", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for backend in args.backends:
        print(f"{backend}:")
        async with fresh_database(backend) as url:
            start = time.perf_counter()
            await build(url)
            print(f"  build took {time.perf_counter() - start:.0f} s")
            times = await measure(url, args.xlsx_runs, args.docx_runs)
        for what, target in (("xlsx", 5.0), ("docx", 2.0)):
            values = times[what]
            p50, p99 = percentile(values, 50), percentile(values, 99)
            verdict = "ok" if p99 < target else "OVER TARGET"
            print(
                f"  province {what.upper()}: p50 {p50:.2f} s, p99 {p99:.2f} s "
                f"({len(values)} runs; target < {target:.0f} s: {verdict})"
            )


if __name__ == "__main__":
    asyncio.run(main())
