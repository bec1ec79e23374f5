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
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
    # A plain open(), not pathlib: Path interns each part of the path ("statm" among them), and
    # this runs every 50 ms in a thread beside the traced reminder tick; one of those interns
    # was caught re-allocating the interpreter's table of interned strings (1.9 MiB, counted
    # by tracemalloc as the tick's while the old table it replaced was not).
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


CHATS = 100  # the benches' province: one linked group per cell
IMPORT_CHUNK = 5000  # members per import transaction (PostgreSQL: < 32,767 parameters)


async def fill_province(
    db_url: str,
    chats: list[tuple[int, list[int]]],
    *,
    secretaries: int = 0,
    province_secretary: int | None = None,
) -> None:
    """The province (one cell per chat), its members (the first member of each of the first
    ``secretaries`` cells its secretary; ``province_secretary``, a Telegram id, the whole
    province's) and linked groups, before the bot starts: a long import would otherwise hold
    SQLite's write lock while the bot's workers start."""
    from bot.services.tree import import_members, import_units
    from storage import queries
    from storage.db import create_engine, session_factory, transaction
    from storage.models import Chat

    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        units = "code,parent_code,name,kind\nROOT,,Tỉnh,province\n" + "".join(
            f"C{c},ROOT,Chi bộ {c},cell\n" for c in range(len(chats))
        )
        async with transaction(sessions) as s:
            await import_units(s, units)
        rows = [
            f"{uid},Người {c}-{i},,C{c},{'secretary' if i == 0 and c < secretaries else 'member'},vi\n"
            for c, (_, users) in enumerate(chats)
            for i, uid in enumerate(users)
        ]
        if province_secretary is not None:
            rows.append(f"{province_secretary},Bí thư Tỉnh ủy,,ROOT,secretary,vi\n")
        header = "telegram_id,full_name,username,unit_code,role,language\n"
        for at in range(0, len(rows), IMPORT_CHUNK):
            async with transaction(sessions) as s:
                await import_members(s, header + "".join(rows[at : at + IMPORT_CHUNK]))
        async with transaction(sessions) as s:
            codes = await queries.units_by_code(s)
            for c, (chat_id, _) in enumerate(chats):
                unit_id = codes[f"C{c}"].id
                s.add(Chat(telegram_id=chat_id, type="supergroup", title=f"C{c}", unit_id=unit_id))
    finally:
        await engine.dispose()


def sandbox_province(
    server: Any, token: str, n_chats: int, per_chat: int, *, announce: bool = True
) -> list[tuple[int, list[int]]]:
    """In the sandbox: ``n_chats`` supergroups of ``per_chat`` people each, the bot added to
    every one (by its first member); ``(chat id, member ids)`` per chat."""
    chats = []
    for c in range(n_chats):
        chat = server.create_chat(type="supergroup", title=f"Chi bộ {c}")
        users = [server.create_user(first_name=f"Người {c}-{i}").id for i in range(per_chat)]
        for uid in users:
            server.add_chat_member(chat.id, uid)
        server.add_bot_to_chat(chat.id, token, by_user_id=users[0], announce=announce)
        chats.append((chat.id, users))
    return chats


async def publish_to_province(
    sessions: Any,
    *,
    number: str,
    title: str,
    body: str,
    now: datetime,
    tz: ZoneInfo,
    texts: Any,
    issuer: str = "Bench",
    requires_study: bool = True,
) -> int:
    """Publish one directive to the whole province (``ROOT``) in one transaction; its id."""
    from bot.services.drafts import DirectiveDraft
    from bot.services.publish import publish
    from storage.db import transaction

    draft = DirectiveDraft(
        number=number,
        title=title,
        issuer=issuer,
        targets=["ROOT"],
        requires_study=requires_study,
        body=body,
    )
    async with transaction(sessions) as s:
        result = await publish(
            s, draft, publisher=None, config_admins=[], now=now, tz=tz, texts=texts
        )
        return int(result.directive.id)
