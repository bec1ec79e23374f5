"""Benchmark: how long the province's heavy reads hold the event loop.

The province of bench/queries.py (11 districts, 1,100 cells, 50,000 members; 80% received,
60% studied) with only a few directives (``--directives``, default 2: the build takes
seconds, and each measured read concerns one directive anyway). While each operation runs
``--runs`` times, a ``bot.lag.LagMonitor`` sampling every 5 ms records how late the loop
woke: the max and p99 of that lateness is how long the operation held the loop in one piece.

Operations, as the handlers do them (each in its own read transaction):
- /pending of the province secretary (the report, its pages);
- /stats of the province (the roll-up, the text);
- /export of the province (rows, XLSX + CSV built in a thread).

    PYTHONPATH=. python bench/loop_lag.py [--backend sqlite|postgresql|both] [--runs N]
        [--only /pending]

Run it from another checkout (``PYTHONPATH=/path/to/other``) to compare before/after: on a
checkout without the off-loop /pending (no ``handlers.pending.Answer``) the report and its
pages are built on the loop, as that code did. Compare figures within one run only: the
machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bench import queries
from bench.common import fresh_database, machine, percentile
from bot.i18n import Texts, Translator
from bot.lag import LagMonitor
from bot.services import exports, pending, stats
from bot.services.pending_text import render_pages
from bot.services.stats_text import render_view
from storage.db import create_engine, reading, session_factory
from storage.models import Directive, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLE = 0.005  # the monitor's wake-up interval (s)

Operation = Callable[[queries.Province, Translator, object], Awaitable[object]]


async def _loaded(s: object, p: queries.Province) -> tuple[Directive, Unit]:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(s, AsyncSession)
    directive = await s.get(Directive, p.directive_id)
    unit = await s.get(Unit, p.province_id)
    assert directive is not None and unit is not None
    return directive, unit


async def pending_of_the_province(p: queries.Province, t: Translator, sessions: object) -> object:
    async with reading(sessions) as s:  # type: ignore[arg-type]
        directive, unit = await _loaded(s, p)
        try:
            from handlers.pending import Answer, _show  # noqa: F401  (this branch: off the loop)
        except ImportError:  # before: the report and its pages on the loop
            report = await pending.pending_report(s, directive, [unit])
            return render_pages(t, report)
        return await _show(t, s, directive, [unit], 0)


async def stats_of_the_province(p: queries.Province, t: Translator, sessions: object) -> object:
    async with reading(sessions) as s:  # type: ignore[arg-type]
        directive, unit = await _loaded(s, p)
        view = await stats.stats_view(s, directive, unit, [unit], queries.NOW)
        return render_view(t, view, 0)


async def export_of_the_province(p: queries.Province, t: Translator, sessions: object) -> object:
    async with reading(sessions) as s:  # type: ignore[arg-type]
        directive, unit = await _loaded(s, p)
        data = await exports.collect(s, [directive], [unit], queries.NOW, TZ, t, "P")
    return await asyncio.to_thread(exports.build_files, data)


OPERATIONS: list[tuple[str, Operation]] = [
    ("/pending of the province", pending_of_the_province),
    ("/stats of the province", stats_of_the_province),
    ("/export of the province", export_of_the_province),
]


async def measure(
    url: str, runs: int, operations: list[tuple[str, Operation]]
) -> dict[str, tuple[float, float, float]]:
    built = time.perf_counter()
    province = await queries.build(url)
    print(f"  built in {time.perf_counter() - built:.1f} s", flush=True)
    engine = create_engine(url)
    sessions = session_factory(engine)
    t = Texts().for_lang("vi")
    results: dict[str, tuple[float, float, float]] = {}
    try:
        for name, operation in operations:
            await operation(province, t, sessions)  # warm caches and connections
            monitor = LagMonitor(interval=SAMPLE, window=1_000_000, warn_after=1e9)
            monitor.start()
            await asyncio.sleep(SAMPLE * 4)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                await operation(province, t, sessions)
                times.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(SAMPLE * 4)
            await monitor.stop()
            lag = monitor.figures()
            results[name] = (percentile(times, 50), lag.p99_ms, lag.max_ms)
            print(
                f"  {name}: took p50 {results[name][0]:.0f} ms; loop lag p99 {lag.p99_ms:.1f} ms,"
                f" max {lag.max_ms:.1f} ms ({lag.samples} samples)",
                flush=True,
            )
    finally:
        await engine.dispose()
    return results


async def run(backends: list[str], runs: int, directives: int, only: str | None) -> None:
    operations = [(n, op) for n, op in OPERATIONS if only is None or only in n]
    queries.DIRECTIVES = directives  # the build reads it: a few directives build in seconds
    print(machine())
    print(f"SQLite {sqlite3.sqlite_version}")
    print(
        f"province: {queries.DISTRICTS} districts, "
        f"{queries.DISTRICTS * queries.CELLS_PER_DISTRICT} cells, {queries.MEMBERS:,} members, "
        f"{directives} directives; {runs} runs each; loop sampled every {SAMPLE * 1000:.0f} ms"
    )
    table: dict[str, dict[str, tuple[float, float, float]]] = {}
    for backend in backends:
        print(f"{backend}:", flush=True)
        async with fresh_database(backend) as url:
            table[backend] = await measure(url, runs, operations)
    print()
    print(f"{'operation':<28}" + "".join(f"{b + ' took / lag p99 / max ms':>36}" for b in backends))
    for name, _op in operations:
        cells = "".join(
            f"{table[b][name][0]:>16.0f} / {table[b][name][1]:>6.1f} / {table[b][name][2]:>6.1f}"
            for b in backends
        )
        print(f"{name:<28}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--directives", type=int, default=2)
    parser.add_argument("--only", help="the operations whose name has this, e.g. /pending")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    asyncio.run(run(backends, args.runs, args.directives, args.only))


if __name__ == "__main__":
    main()
