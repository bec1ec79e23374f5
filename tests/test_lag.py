"""The event-loop lag monitor (bot.lag) sees a callback that holds the loop, and warns once."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.lag import LagMonitor


async def test_a_blocking_callback_shows_as_lag_and_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monitor = LagMonitor(interval=0.01, warn_after=0.1, warn_every=60.0)
    monitor.start()
    await asyncio.sleep(0.05)
    with caplog.at_level(logging.WARNING, logger="bot.lag"):
        for _ in range(2):
            time.sleep(0.3)  # noqa: ASYNC251 - a report built on the loop in one piece
            await asyncio.sleep(0.03)
    await monitor.stop()
    figures = monitor.figures()
    assert figures.max_ms >= 250
    assert figures.samples >= 3
    stalls = [r for r in caplog.records if "event loop stalled" in r.getMessage()]
    assert len(stalls) == 1 and monitor.warnings == 1  # the second stall waits for warn_every


def test_percentiles_come_from_the_window_only() -> None:
    monitor = LagMonitor(window=100, warn_after=10.0)
    for _ in range(500):
        monitor.record(1.0)  # old samples, pushed out of the window below
    for i in range(100):
        monitor.record(i / 1000)
    figures = monitor.figures()
    assert figures.samples == 100
    assert figures.p50_ms == 50.0 and figures.p99_ms == 99.0 and figures.max_ms == 99.0
