"""Helpers shared by the benchmarks: machine facts, fresh databases, percentiles, memory."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from storage.db import upgrade

PG_ADMIN_DSN = os.environ.get("CHITHI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def machine() -> str:
    """One line: CPU model, cores, memory, Python, OS."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(pct * 10) - 1]


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A migrated, empty database for one benchmark run; removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            await upgrade(url)
            yield url
        return
    import asyncpg

    name = f"chithi_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{base}/{name}"
    try:
        await upgrade(url)
        yield url
    finally:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.close()


class RssSampler:
    """The peak resident memory of this process while it runs, sampled from /proc every
    ``every`` seconds in a thread of its own (so a busy event loop does not hide a peak)."""

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.start_mb = self.peak_mb = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, rss_mb())


def rss_mb() -> float:
    """This process's resident memory now, in MiB (0 where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


CHATS = 100  # the benches' province: one linked group per cell
IMPORT_CHUNK = 5000  # members per import transaction (PostgreSQL: < 32,767 parameters)


async def fill_province(db_url: str, chats: list[tuple[int, list[int]]], count: int) -> None:
    """The province, its members and linked groups, before the bot starts: a long import
    would otherwise hold SQLite's write lock while the bot's workers start."""
    from bot.services.tree import import_members, import_units
    from storage import queries
    from storage.db import create_engine, session_factory, transaction
    from storage.models import Chat

    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        units = "code,parent_code,name,kind\nROOT,,Tỉnh,province\n" + "".join(
            f"C{c},ROOT,Chi bộ {c},cell\n" for c in range(count)
        )
        async with transaction(sessions) as s:
            await import_units(s, units)
        rows = [
            f"{uid},Người {c}-{i},,C{c},member,vi\n"
            for c, (_, users) in enumerate(chats)
            for i, uid in enumerate(users)
        ]
        header = "telegram_id,full_name,username,unit_code,role,language\n"
        for at in range(0, len(rows), IMPORT_CHUNK):
            async with transaction(sessions) as s:
                await import_members(s, header + "".join(rows[at : at + IMPORT_CHUNK]))
        async with transaction(sessions) as s:
            for c, (chat_id, _) in enumerate(chats):
                unit = await queries.unit_by_code(s, f"C{c}")
                assert unit is not None
                s.add(Chat(telegram_id=chat_id, type="supergroup", title=f"C{c}", unit_id=unit.id))
    finally:
        await engine.dispose()
