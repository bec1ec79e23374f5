"""Benchmark: importing a 50,000-row roster from XLSX (the secretary's list, Vietnamese headers).

1 province, 10 districts, 500 cells (100 people each); every row with a phone (written in
mixed Vietnamese formats), a party card number and a date of birth (an Excel date cell); a
third with a Telegram id. Measures, on each backend: the first import (everyone new) and the
same file again (nothing to change), each in one transaction: wall time (without tracemalloc)
and peak Python memory (tracemalloc, a second run of the same import on a fresh database).

    PYTHONPATH=. python bench/roster_import.py [--rows N] [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import openpyxl

from bench.common import fresh_database, machine
from bot.services.tree import ImportResult, import_members, import_units, xlsx_table
from storage.db import create_engine, session_factory, transaction

HEADER = [
    "Mã đơn vị",
    "Họ và tên",
    "Chức vụ",
    "Số điện thoại",
    "Số thẻ đảng viên",
    "Ngày sinh",
    "Telegram ID",
]
DISTRICTS, CELLS = 10, 500
PHONE_SHAPES = ("09{:08d}", "+84 9{:08d}", "849{:08d}", "09{:02d}.{:03d}.{:03d}")


def units_csv() -> str:
    lines = ["code,parent_code,name,kind", "T,,Tỉnh ủy,province"]
    lines += [f"D{d},T,Huyện ủy {d},district" for d in range(DISTRICTS)]
    lines += [f"C{c},D{c % DISTRICTS},Chi bộ {c},cell" for c in range(CELLS)]
    return "\n".join(lines) + "\n"


def write_roster(path: Path, rows: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách đảng viên")
    sheet.append(HEADER)
    for i in range(rows):
        shape = PHONE_SHAPES[i % len(PHONE_SHAPES)]
        if shape.count("{") == 3:
            phone = shape.format(i // 1_000_000, (i // 1000) % 1000, i % 1000)
        else:
            phone = shape.format(i)
        role = "bí thư" if i % 100 == 0 else "đảng viên"
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        telegram = 900_000_000 + i if i % 3 == 0 else None
        sheet.append([f"C{i % CELLS}", f"Người Thứ {i}", role, phone, f"{i:08d}", born, telegram])
    book.save(path)


async def one_import(url: str, path: Path) -> tuple[float, float, ImportResult]:
    """Wall seconds, this process's CPU seconds, and the import's counts."""
    engine = create_engine(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        async with transaction(session_factory(engine)) as session:
            result = await import_members(session, xlsx_table(path), path.name)
        return time.perf_counter() - started, time.process_time() - cpu, result
    finally:
        await engine.dispose()


async def run(backend: str, path: Path) -> None:
    for traced in (False, True):
        async with fresh_database(backend) as url:
            engine = create_engine(url)
            async with transaction(session_factory(engine)) as session:
                await import_units(session, units_csv())
            await engine.dispose()
            for label in ("first import", "same file again"):
                if traced:
                    tracemalloc.start()
                seconds, cpu, result = await one_import(url, path)
                peak = ""
                if traced:
                    peak_bytes = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                    peak = f"peak Python memory {peak_bytes / 1024 / 1024:.0f} MiB (tracemalloc)"
                    print(f"  {backend:10} {label:16} {peak}", flush=True)
                else:
                    print(
                        f"  {backend:10} {label:16} {seconds:6.1f} s wall, {cpu:6.1f} s CPU (bot "
                        f"process), load average {os.getloadavg()[0]:.1f}; created {result.created}, "
                        f"updated {result.updated}, unchanged {result.unchanged}",
                        flush=True,
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        started = time.perf_counter()
        write_roster(path, args.rows)
        size = path.stat().st_size / 1024 / 1024
        print(
            f"roster: {args.rows} rows in {CELLS} cells, {size:.1f} MiB XLSX "
            f"(written in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        for backend in args.backend:
            asyncio.run(run(backend, path))


if __name__ == "__main__":
    main()
