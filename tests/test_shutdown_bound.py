"""A step of stopping that hangs is logged (where each task waits) and the stop goes on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import app as app_module


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
