"""A step of stopping that hangs is logged (where each task waits) and the stop goes on."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram import Bot

from bot import app as app_module
from bot.delivery.sender import OutboxSender
from bot.delivery.telegram_port import TelegramPort
from bot.i18n import Texts
from storage.db import create_engine, session_factory
from tests.kit.harness import make_settings


async def test_a_hanging_shutdown_step_is_logged_and_left(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app_module, "SHUTDOWN_STEP_SECONDS", 0.05)
    never = asyncio.Event()

    async def stuck_worker() -> None:
        await never.wait()

    worker = asyncio.create_task(stuck_worker(), name="stuck-worker")
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await app_module._shutdown_step("workers", never.wait())
    worker.cancel()
    [record] = [r for r in caplog.records if r.name == "bot.app"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith("stopping: workers did not finish within 0 s, going on")
    assert "stuck-worker at " in message and "test_shutdown_bound.py:" in message


async def test_the_sender_stops_when_cancelled_just_as_it_wakes(sqlite_url: str) -> None:
    """The bot stops its workers by cancelling them. A cancellation that arrived in the same
    turn as the sender's wake-up was swallowed by ``asyncio.wait_for`` (Python < 3.12,
    gh-86296): the sender looped on until the stop gave up on it 20 s later."""
    engine = create_engine(sqlite_url)
    never_called = Bot("1:x", base_url="http://127.0.0.1:9/")  # nothing is due: no request
    # A long poll and counter round: once it has looked, it waits on its wake-up alone.
    settings = make_settings(
        sqlite_url, delivery={"poll_interval_seconds": 30, "counter_refresh_seconds": 30}
    )
    sender = OutboxSender(session_factory(engine), TelegramPort(never_called), settings, Texts())
    try:
        task = asyncio.create_task(sender.run())
        for _ in range(100):  # until it has looked for work and waits
            await asyncio.sleep(0.05)
            if sender._last_claim and sender._claiming is None:
                break
        await asyncio.sleep(0.1)
        sender._wake.set()  # work arrives...
        task.cancel()  # ...as the bot stops
        done, _ = await asyncio.wait([task], timeout=5)
        assert task in done and task.cancelled()
    finally:
        await engine.dispose()
