"""Crash safety: kill -9 a sender mid fan-out, start it again; every chat ends with its post,
duplicates only for messages that were in flight at the kill (counted and printed)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bench.fanout import publish_to_all, seed_province
from bot.delivery.sender import OutboxSender
from bot.delivery.sender_identity import is_dead, machine_tag, new_sender_id
from bot.i18n import Texts
from bot.services import outbox
from sandbox import FloodLimits, SandboxServer
from storage.db import SessionFactory, create_engine, session_factory, transaction
from storage.models import Delivery
from tests.kit.harness import make_settings
from tests.kit.sender_process import (
    SenderProcess,
    make_groups,
    posts_per_chat,
    wait_until_all_sent,
    write_config,
)

SCALE = 2.0  # 60 messages/s: a 500-chat fan-out takes about 8 s


class FakePort:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        self.sent.append(target)
        return len(self.sent)

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        return None


def reaped_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_sender_is_dead_only_when_its_process_on_this_machine_is_gone() -> None:
    me = new_sender_id()
    host, tag, pid, started, _ = me.split(":")
    assert tag == machine_tag() and int(pid) == os.getpid()
    assert not is_dead(me)
    assert is_dead(f"{host}:{tag}:{reaped_pid()}:{started}:beef")
    assert is_dead(f"{host}:{tag}:{pid}:{int(started) + 1}:beef")  # a recycled pid
    assert not is_dead(f"elsewhere:00000000:{reaped_pid()}:1:beef")  # another machine: lease
    assert not is_dead("something-else")


async def held_rows(sessions: SessionFactory, holder: str, states: list[str], at: Any) -> None:
    async with transaction(sessions) as s:
        items = [
            outbox.Outgoing(f"r{i}", "post", -(i + 1), {"method": "message", "text": "x"})
            for i in range(len(states))
        ]
        await outbox.enqueue(s, items)
        for i, state in enumerate(states):
            await s.execute(
                update(Delivery)
                .where(Delivery.dedupe_key == f"r{i}")
                .values(state=state, claimed_by=holder, claimed_at=at)
            )


async def test_rows_of_a_sender_that_died_here_are_taken_back_at_once(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    dead = f"host:{machine_tag()}:{reaped_pid()}:0:dead"
    await held_rows(sessions, dead, ["queued", "queued", "sending", "sending"], outbox.wall_now())
    settings = make_settings(sqlite_url, delivery={"claim_lease_seconds": 600})
    port = FakePort()
    sender = OutboxSender(sessions, port, settings, Texts())
    await sender.drain(timeout=10)  # a lease of 600 s was not waited for
    assert sorted(port.sent) == [-4, -3, -2, -1]
    assert sender.stats.interrupted == 2  # the two caught mid-call may have been posted
    await engine.dispose()


async def test_rows_of_a_sender_elsewhere_wait_for_its_lease(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    now = outbox.wall_now()
    await held_rows(sessions, "far:00000000:1:1:beef", ["queued", "sending"], now)
    lease = timedelta(seconds=20)
    async with transaction(sessions) as s:
        assert await outbox.recover(s, now=now, lease=lease) == 0
        assert await outbox.reserve_due(s, now=now, limit=10, worker="me", lease=lease) == []
    later = now + timedelta(seconds=21)
    async with transaction(sessions) as s:
        assert await outbox.recover(s, now=later, lease=lease) == 1
        taken = await outbox.reserve_due(s, now=later, limit=10, worker="me", lease=lease)
    assert len(taken) == 2
    await engine.dispose()


async def test_kill_9_mid_fan_out_and_restart_posts_to_every_chat(
    sqlite_url: str, tmp_path: Path
) -> None:
    sandbox = SandboxServer(FloodLimits(time_scale=SCALE))
    await sandbox.start()
    token = sandbox.create_bot()
    chats = make_groups(sandbox, token, 500)
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    try:
        async with transaction(sessions) as s:
            await seed_province(s, chats)
        async with transaction(sessions) as s:
            assert (await publish_to_all(s, Texts())).messages == 500
        config = write_config(tmp_path / "c.toml", sandbox, token, sqlite_url, time_scale=SCALE)
        log = tmp_path / "sender.log"
        in_flight_at_kill: list[set[int]] = []
        for fraction in (0.3, 0.65):
            sender = await SenderProcess.start(config, log)
            await sender.started()
            await sandbox.wait_for(
                lambda f=fraction: sandbox.stats.requests["sendMessage"] >= f * 500, timeout=60
            )
            await sender.kill()
            async with sessions() as s:
                sending = await s.scalars(
                    select(Delivery.target_telegram_id).where(Delivery.state == "sending")
                )
                in_flight_at_kill.append(set(sending.all()))
        sender = await SenderProcess.start(config, log)
        await sender.started()
        await wait_until_all_sent(sessions, timeout=60)
        assert await sender.stop() == 0

        counts = posts_per_chat(sandbox, chats)
        lost = [c for c, n in counts.items() if n == 0]
        duplicated = {c: n - 1 for c, n in counts.items() if n > 1}
        for i, ambiguous in enumerate(in_flight_at_kill, 1):
            dups = sum(n for c, n in duplicated.items() if c in ambiguous)
            print(
                f"\ncrash {i}: {len(ambiguous)} message(s) in flight at kill -9, {dups} posted twice"
            )
        assert lost == []
        assert set(duplicated) <= set().union(*in_flight_at_kill)
        assert all(n == 1 for n in duplicated.values())
    finally:
        await engine.dispose()
        await sandbox.stop()


def test_sender_only_needs_a_token(tmp_path: Path, capsys: Any) -> None:
    from bot.cli import main

    config = tmp_path / "c.toml"
    config.write_text('[bot]\ntoken = ""\n', encoding="utf-8")
    assert main(["--config", str(config), "run", "--sender-only"]) == 2
    assert "--sender-only cần token của Chithi" in capsys.readouterr().err
