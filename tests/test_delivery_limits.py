"""Posting at Telegram's limits: the sandbox enforces them (sped up), the sender keeps under
them. Every chat gets its messages exactly once, in order; 429s come only from injected
faults; a 429 holds back its own chat, not the others."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from bench.fanout import publish_to_all, seed_province
from bot.config import FloodSettings, Settings
from bot.delivery.pacing import NEVER, Limit, Pacer
from bot.delivery.sender import OutboxSender
from bot.delivery.telegram_port import TelegramPort
from bot.i18n import Texts
from bot.services import outbox
from bot.services.ports import RetryLater
from sandbox import FloodLimits, SandboxServer
from storage.db import SessionFactory, create_engine, session_factory, transaction
from storage.models import Delivery
from tests.kit.harness import make_settings

# 5 per 50 ms overall (100/s), 1 per 50 ms per chat, 20 per 3 s per group.
SCALE = 20.0
LIMITS = {"global_per_second": 5, "per_chat_per_second": 1, "per_group_per_minute": 20}


# -- the pacer on its own (a fake clock) ------------------------------------------------------
class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_windows_come_from_the_config_and_its_time_scale() -> None:
    pacer = Pacer(FloodSettings(time_scale=10))
    assert pacer.chat_limit == Limit(1, 0.1)
    assert pacer.group_limit == Limit(20, 6.0)
    assert pacer.global_rate == pytest.approx(300)
    slow = Pacer(FloodSettings(per_chat_per_second=0.5, per_group_per_minute=10))
    assert slow.chat_limit == Limit(1, 2.0)  # one message per two seconds
    assert slow.group_limit == Limit(10, 60.0)


def test_a_chat_waits_a_full_window_after_the_answer_not_after_the_start() -> None:
    clock = FakeTime()
    pacer = Pacer(FloodSettings(), clock)
    pacer.start(-1)
    assert pacer.ready_at(-1) == NEVER  # in flight: wait for the answer
    clock.now += 0.3  # the answer took 300 ms
    pacer.finish(-1)
    assert pacer.ready_at(-1) == pytest.approx(101.3)
    assert pacer.ready_at(-2) <= clock.now + pacer.gap  # other chats are free


def test_the_global_window_holds_the_31st_message_until_the_first_answer_is_a_second_old() -> None:
    clock = FakeTime()
    pacer = Pacer(FloodSettings(), clock)
    for target in range(1, 31):
        clock.now = max(clock.now, pacer.ready_at(target))
        pacer.start(target)
        clock.now += 0.01
        pacer.finish(target)
        if target == 1:
            first_answer = clock.now
    assert pacer.ready_at(31) == pytest.approx(first_answer + 1.0)


def test_a_group_gets_twenty_messages_per_window() -> None:
    clock = FakeTime()
    pacer = Pacer(FloodSettings(), clock)
    for _ in range(20):
        clock.now = pacer.ready_at(-5)
        pacer.start(-5)
        pacer.finish(-5)
    assert pacer.ready_at(-5) == pytest.approx(100.0 + 60.0)


def test_a_429_holds_back_its_chat_and_three_chats_refused_together_hold_back_all() -> None:
    clock = FakeTime()
    pacer = Pacer(FloodSettings(), clock)
    assert pacer.penalize(-1, 5.0) is False
    assert pacer.ready_at(-1) == pytest.approx(105.0)
    assert pacer.ready_at(-2) == pytest.approx(100.0)
    assert pacer.penalize(-2, 5.0) is False
    assert pacer.penalize(-3, 5.0) is True  # three chats within a second: the bot's limit
    assert pacer.ready_at(-4) == pytest.approx(105.0)
    assert pacer.ready_at(-4, edit=True) == pytest.approx(100.0)  # edits count per chat only
    # a message that already had its slot when the 429s came back is held too
    assert pacer.held_until(-4) == pytest.approx(105.0)
    assert pacer.held_until(-4, edit=True) == 0.0
    assert pacer.held_until(-1, edit=True) == pytest.approx(105.0)


def test_an_album_in_flight_holds_a_place_for_each_of_its_items() -> None:
    clock = FakeTime()
    pacer = Pacer(FloodSettings(global_per_second=5, time_scale=1), clock)
    pacer.gap = 0.0  # the windows alone
    pacer.start(-1, weight=3)  # three items, counted by Telegram as they arrive
    pacer.start(-2)
    assert pacer.ready_at(-3) == pytest.approx(100.0)  # the fifth place
    pacer.start(-3)
    assert pacer.ready_at(-4) == NEVER  # five in flight: wait for an answer
    clock.now += 0.2
    pacer.finish(-1, weight=3)
    assert pacer.ready_at(-4) == pytest.approx(101.2)  # the album counts three, from its answer
    pacer.finish(-2)
    pacer.finish(-3)
    assert pacer.ready_at(-4) == pytest.approx(101.2)


def test_senders_sharing_a_bot_split_the_global_limit() -> None:
    pacer = Pacer(FloodSettings())
    pacer.set_share(2)
    assert pacer.global_rate == pytest.approx(15)
    pacer.set_share(1)
    assert pacer.global_rate == pytest.approx(30)


async def test_a_handler_reply_waits_for_a_slot_and_goes_before_the_outbox() -> None:
    pacer = Pacer(FloodSettings(time_scale=100))  # 30 per 10 ms
    for target in range(1, 31):
        pacer.start(target)  # a whole window in flight
    entered = asyncio.Event()

    async def reply() -> None:
        async with pacer.slot(-99):
            entered.set()

    task = asyncio.create_task(reply())
    await asyncio.sleep(0.02)
    assert not entered.is_set() and pacer.waiting == 1  # the sender holds back meanwhile
    pacer.finish(1)
    await asyncio.wait_for(task, 1.0)
    assert entered.is_set() and pacer.waiting == 0


# -- through the sandbox ------------------------------------------------------------------------
@dataclass
class Bench:
    sandbox: SandboxServer
    token: str
    sessions: SessionFactory
    settings: Settings
    sender: OutboxSender

    def groups(self, n: int) -> list[int]:
        ids = []
        for i in range(n):
            chat = self.sandbox.create_chat("supergroup", f"Nhóm {i}")
            self.sandbox.add_bot_to_chat(chat.id, self.token, announce=False)
            ids.append(chat.id)
        return ids

    def ok_sends(self) -> list[Any]:
        return [
            c
            for c in self.sandbox.calls
            if c.ok and c.method in ("sendMessage", "sendPhoto") and c.token == self.token
        ]


class WatchedPort:
    """The sender's port, noting (on the sender's clock) when each send started and when a 429
    came back to the sender."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.started: list[float] = []
        self.refused: list[float] = []

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        self.started.append(time.monotonic())
        try:
            return int(await self.inner.send(target, payload))
        except RetryLater:
            self.refused.append(time.monotonic())
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@asynccontextmanager
async def limited(sqlite_url: str) -> AsyncIterator[Bench]:
    """A sandbox enforcing sped-up limits and a sender configured with the same ones."""
    sandbox = SandboxServer(FloodLimits(time_scale=SCALE, **LIMITS))
    await sandbox.start()
    token = sandbox.create_bot()
    settings = make_settings(
        sqlite_url,
        flood={**LIMITS, "time_scale": SCALE},
        delivery={"retry_base_seconds": 0.05},
    )
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    try:
        async with Bot(token, base_url=sandbox.base_url) as bot:
            sender = OutboxSender(sessions, TelegramPort(bot), settings, Texts())
            yield Bench(sandbox, token, sessions, settings, sender)
    finally:
        await engine.dispose()
        await sandbox.stop()


async def test_a_fan_out_at_the_limits_posts_everything_once_in_order_without_429(
    sqlite_url: str,
) -> None:
    async with limited(sqlite_url) as b:
        live = b.groups(120)
        kicked, deleted = b.groups(2)
        stranger = b.sandbox.create_chat("supergroup", "Bot never added").id
        b.sandbox.kick_bot(b.token, kicked)
        b.sandbox.delete_chat(deleted)
        async with transaction(b.sessions) as s:
            await seed_province(s, [*live, kicked, deleted, stranger])
        async with transaction(b.sessions) as s:
            links = ["https://example.org/a", "https://example.org/b"]
            result = await publish_to_all(s, Texts(), links=links)
        assert result.messages == 123 * 3
        await b.sender.drain(timeout=60)

        assert b.sandbox.stats.flood_by_reason == Counter()  # not one 429, of any kind
        for chat in live:
            kinds = [("photo" if "photo" in m else "text") for m in b.sandbox.messages(chat)]
            assert kinds == ["text", "photo", "photo"], chat  # each once, the post first
        async with b.sessions() as s:
            rows = (await s.scalars(select(Delivery))).all()
        by_target = {r.target_telegram_id: r for r in rows if r.kind == "post"}
        assert {r.state for t, r in by_target.items() if t in live} == {"sent"}
        assert "kicked" in (by_target[kicked].last_error or "").lower()
        assert "chat not found" in (by_target[deleted].last_error or "").lower()
        assert "not a member" in (by_target[stranger].last_error or "").lower()
        gone_rows = [r for r in rows if r.target_telegram_id in (kicked, deleted, stranger)]
        assert {r.state for r in gone_rows} == {"failed"} and all(r.last_error for r in gone_rows)
        # QR images of a gone chat were not even tried
        tried = {c.chat_id for c in b.sandbox.calls if c.method == "sendPhoto"}
        assert not tried & {kicked, deleted, stranger}


async def test_a_busy_group_gets_twenty_messages_per_window_and_no_429(sqlite_url: str) -> None:
    async with limited(sqlite_url) as b:
        [group] = b.groups(1)
        items = [
            outbox.Outgoing(f"n{i}", "announcement", group, {"method": "message", "text": f"#{i}"})
            for i in range(26)
        ]
        async with transaction(b.sessions) as s:
            await outbox.enqueue(s, items)
        await b.sender.drain(timeout=60)
        texts = [m["text"] for m in b.sandbox.messages(group)]
        assert texts == [f"#{i}" for i in range(26)]
        assert b.sandbox.stats.flood_total == 0
        sends = b.ok_sends()
        window = 60.0 / SCALE
        assert sends[20].at - sends[0].at >= window  # the 21st waited for the group window


async def test_a_429_holds_back_only_its_own_chat(sqlite_url: str) -> None:
    async with limited(sqlite_url) as b:
        chats = b.groups(40)
        async with transaction(b.sessions) as s:
            await seed_province(s, chats)
        b.sandbox.fail_next("sendMessage", status=429, retry_after=1.0)
        async with transaction(b.sessions) as s:
            await publish_to_all(s, Texts())
        await b.sender.drain(timeout=60)

        [refused] = [c for c in b.sandbox.calls if c.error_code == 429]
        assert refused.chat_id is not None
        for chat in chats:
            assert len(b.sandbox.messages(chat)) == 1, chat
        retry = next(c for c in b.ok_sends() if c.chat_id == refused.chat_id)
        assert retry.at - refused.at >= 1.0  # retry_after honoured for that chat
        others_meanwhile = [c for c in b.ok_sends() if refused.at < c.at < retry.at]
        assert len(others_meanwhile) >= 20  # the other chats kept flowing
        assert b.sender.stats.flood_answers == 1 and b.sender.stats.flood_global == 0


async def test_429s_in_several_chats_at_once_pause_everything_then_all_arrive(
    sqlite_url: str,
) -> None:
    async with limited(sqlite_url) as b:
        chats = b.groups(30)
        async with transaction(b.sessions) as s:
            await seed_province(s, chats)
        port = WatchedPort(b.sender.port)
        b.sender.port = port
        b.sandbox.fail_next("sendMessage", count=3, status=429, retry_after=0.5)
        async with transaction(b.sessions) as s:
            await publish_to_all(s, Texts())
        await b.sender.drain(timeout=60)
        assert b.sender.stats.flood_global == 1
        assert all(len(b.sandbox.messages(chat)) == 1 for chat in chats)
        refused = [c for c in b.sandbox.calls if c.error_code == 429]
        assert len(refused) == 3 and len(port.refused) == 3
        # after the sender read the third refusal it started nothing until the wait was over
        # (timed on the sender's side: sends already on the wire may still reach the server)
        third = port.refused[-1]
        assert [t for t in port.started if third < t < third + 0.45] == []
        assert any(t >= third + 0.45 for t in port.started)  # and then it went on
