"""Two ``chithi run --sender-only`` processes share one queue on PostgreSQL (FOR UPDATE SKIP
LOCKED): every chat gets its post exactly once and both processes do part of the work."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bench.fanout import publish_to_all, seed_province
from bot.i18n import Texts
from sandbox import FloodLimits, SandboxServer
from storage.db import create_engine, session_factory, transaction
from storage.models import Delivery
from tests.kit.sender_process import (
    SenderProcess,
    make_groups,
    posts_per_chat,
    wait_until_all_sent,
    write_config,
)

SCALE = 5.0


async def test_two_sender_processes_share_one_queue_without_double_posting(
    pg_url: str, tmp_path: Path
) -> None:
    sandbox = SandboxServer(FloodLimits(time_scale=SCALE))
    await sandbox.start()
    token = sandbox.create_bot()
    chats = make_groups(sandbox, token, 500)
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    senders: list[SenderProcess] = []
    try:
        async with transaction(sessions) as s:
            await seed_province(s, chats)
        config = write_config(tmp_path / "c.toml", sandbox, token, pg_url, time_scale=SCALE)
        for i in range(2):
            senders.append(await SenderProcess.start(config, tmp_path / f"sender{i}.log"))
        await asyncio.gather(*(p.started() for p in senders))  # both wait for work
        async with transaction(sessions) as s:
            assert (await publish_to_all(s, Texts())).messages == 500
        await wait_until_all_sent(sessions, timeout=60)
        assert [await p.stop() for p in senders] == [0, 0]

        counts = Counter(posts_per_chat(sandbox, chats).values())
        async with sessions() as s:
            by_worker = dict(
                (
                    await s.execute(
                        select(Delivery.claimed_by, func.count()).group_by(Delivery.claimed_by)
                    )
                ).all()
            )
        print(f"\nposts per chat: {dict(counts)}; sent by: {by_worker}; "
              f"429s: {dict(sandbox.stats.flood_by_reason)}")  # fmt: skip
        assert counts == Counter({1: 500})  # none lost, none twice
        assert len(by_worker) == 2 and all(n > 0 for n in by_worker.values())
        assert sum(by_worker.values()) == 500
    finally:
        for p in senders:
            if p.proc.returncode is None:
                await p.kill()
        await engine.dispose()
        await sandbox.stop()
