"""The sender keeps every slot it is allowed busy while rows are due (issue 15): counter
edits waiting do not stop it reserving messages, and the next message of a chat is reserved
as soon as the one before it is out, not a poll interval later."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.sender import OutboxSender
from bot.delivery.sender_stats import Job
from bot.i18n import Texts
from bot.services import outbox
from bot.services.outbox import Outgoing
from storage.db import SessionFactory, create_engine, session_factory, transaction
from storage.models import Delivery
from tests.kit.harness import make_settings


class SlowPort:
    """A Bot API that answers after ``latency`` seconds and records what it was sent."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.sent: list[tuple[int, str]] = []

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        await asyncio.sleep(self.latency)
        self.sent.append((target, str(payload["text"])))
        return len(self.sent)

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        await asyncio.sleep(self.latency)


async def _rows(sessions: SessionFactory, per_chat: int, chats: int) -> None:
    items = [
        Outgoing(f"t{c}:{i}", "post", -1000 - c, {"method": "message", "text": f"{c}/{i}"})
        for c in range(chats)
        for i in range(per_chat)
    ]
    async with transaction(sessions) as s:
        await outbox.enqueue(s, items)


async def test_waiting_counter_edits_do_not_stop_messages_being_reserved(db_url: str) -> None:
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        settings = make_settings(db_url, flood={"global_per_second": 30})  # Telegram's rate
        sender = OutboxSender(sessions, SlowPort(), settings, Texts())
        await _rows(sessions, per_chat=1, chats=40)
        # A burst of presses: more counter edits waiting than the low-water mark and a batch.
        for i in range(200):
            sender._add(Job(0, -5000 - i, {"text": "x"}, priority=0, edit_of=7))
        assert await sender._claim() == 40  # every due message reserved all the same
        async with sessions() as s:
            held = await s.scalar(select(func.count()).where(Delivery.claimed_by == sender.worker))
        assert held == 40
    finally:
        await engine.dispose()


async def test_the_next_message_of_a_chat_is_reserved_as_soon_as_the_one_before_is_out(
    db_url: str,
) -> None:
    # A poll interval far longer than the drain's timeout: only a claim prompted by a
    # finished send can reserve each chat's second message in time.
    settings = make_settings(
        db_url, delivery={"poll_interval_seconds": 120, "counter_refresh_seconds": 3600}
    )
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        port = SlowPort(latency=0.3)  # still in flight when the next claim looks
        await _rows(sessions, per_chat=2, chats=3)
        sender = OutboxSender(sessions, port, settings, Texts())
        await sender.drain(timeout=30)
        for c in range(3):  # each chat got both, in order
            assert [t for chat, t in port.sent if chat == -1000 - c] == [f"{c}/0", f"{c}/1"]
        async with sessions() as s:
            states = (await s.scalars(select(Delivery.state))).all()
        assert set(states) == {"sent"} and len(states) == 6
    finally:
        await engine.dispose()


async def test_sends_go_on_while_a_claim_is_running(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow claim (a big outbox, a busy database) does not hold back what is already
    reserved: here the second claim waits until the first ten messages are out, which they
    can only be if the loop keeps sending meanwhile."""
    settings = make_settings(db_url, flood={"global_per_second": 30})  # ten sends: ~0.3 s
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    first_out = asyncio.Event()
    stalled: list[bool] = []
    calls = 0
    reserve = outbox.due_rows

    async def slow_reserve(session: AsyncSession, **kwargs: Any) -> list[outbox.Reserved]:
        nonlocal calls
        calls += 1
        if calls == 2:
            try:
                await asyncio.wait_for(first_out.wait(), 10)
            except TimeoutError:
                stalled.append(True)  # nothing was sent while the claim ran
        return await reserve(session, **kwargs)

    class Port(SlowPort):
        async def send(self, target: int, payload: dict[str, Any]) -> int:
            message_id = await super().send(target, payload)
            if len(self.sent) == 10:
                first_out.set()
            return message_id

    monkeypatch.setattr(outbox, "due_rows", slow_reserve)
    try:
        await _rows(sessions, per_chat=1, chats=10)
        port = Port()
        sender = OutboxSender(sessions, port, settings, Texts())
        await sender.drain(timeout=30)
        assert len(port.sent) == 10 and calls >= 2
        assert not stalled
    finally:
        await engine.dispose()
