"""What a broadcast costs the database: writing it, counting its progress, the guard's check
before each announcement, and stopping it — for a province-sized and a large fan-out.

    python bench/broadcast.py [--chats 1000 10000] [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database, machine, percentile
from bot.services import broadcast
from bot.services.broadcast import Announcement
from storage.db import create_engine, session_factory, transaction
from storage.models import Chat, Unit

NOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)


async def _run(backend: str, chats: int) -> str:
    async with fresh_database(backend) as url:
        engine = create_engine(url)
        sessions = session_factory(engine)
        try:
            async with transaction(sessions) as s:
                root = Unit(code="ROOT", name="Tỉnh", kind="province", path="/", join_token="t0")
                s.add(root)
                await s.flush()
                root.path = f"/{root.id}/"
                s.add_all(
                    Chat(
                        telegram_id=-(10**12) - i, type="supergroup", title=f"N{i}", unit_id=root.id
                    )
                    for i in range(chats)
                )
            started = time.perf_counter()
            async with transaction(sessions) as s:
                row, written = await broadcast.create(
                    s, Announcement("Thông báo"), [root], creator=None, config_admins=(), now=NOW
                )
                broadcast_id = row.id
            create_ms = (time.perf_counter() - started) * 1000
            ticks = []
            for _ in range(30):
                started = time.perf_counter()
                async with transaction(sessions) as s:
                    await broadcast.progress(s, broadcast_id)
                ticks.append((time.perf_counter() - started) * 1000)
            checks = []
            for _ in range(500):
                started = time.perf_counter()
                async with sessions() as s:
                    await broadcast.is_stopped(s, broadcast_id)
                checks.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            async with transaction(sessions) as s:
                outcome = await broadcast.stop(s, broadcast_id, by=None, config_admins=(), now=NOW)
            stop_ms = (time.perf_counter() - started) * 1000
            assert written == chats and outcome.cancelled == chats
        finally:
            await engine.dispose()
    return (
        f"{backend:10} {chats:>6} chats: create {create_ms:7.0f} ms · progress tick p50 "
        f"{percentile(ticks, 50):6.1f} ms · guard check p50 {percentile(checks, 50):5.2f} ms "
        f"p99 {percentile(checks, 99):5.2f} ms · stop {stop_ms:6.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(machine())
    for backend in args.backend:
        for chats in args.chats:
            print(await _run(backend, chats), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
