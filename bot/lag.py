"""Event-loop lag, measured all the time.

A task asks to wake every ``interval`` seconds and records how late it woke: that lateness is
how long some other callback held the loop (a long synchronous piece of work, a big report
built in one go). The last ``window`` samples give p50/p99/max for ``/healthz``; a sample above
``warn_after`` logs one WARNING (at most one per ``warn_every`` seconds, with the count of
late wake-ups in between), so a stall shows in the log without flooding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LagFigures:
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    warnings: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "samples": self.samples,
            "p50_ms": round(self.p50_ms, 1),
            "p99_ms": round(self.p99_ms, 1),
            "max_ms": round(self.max_ms, 1),
            "warnings": self.warnings,
        }


class LagMonitor:
    def __init__(
        self,
        *,
        interval: float = 0.05,
        window: int = 1200,
        warn_after: float = 0.1,
        warn_every: float = 30.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.interval = interval
        self.warn_after = warn_after
        self.warn_every = warn_every
        self._clock = clock
        self._samples: deque[float] = deque(maxlen=window)
        self._task: asyncio.Task[None] | None = None
        self._last_warning = -float("inf")
        self._late_since_warning = 0
        self.warnings = 0

    def record(self, lag: float) -> None:
        """One wake-up, ``lag`` seconds late."""
        self._samples.append(lag)
        if lag < self.warn_after:
            return
        self._late_since_warning += 1
        now = self._clock()
        if now - self._last_warning >= self.warn_every:
            self.warnings += 1
            log.warning(
                "event loop stalled for %.0f ms (%d late wake-ups over %.0f ms since the last "
                "warning); something ran too long without yielding",
                lag * 1000,
                self._late_since_warning,
                self.warn_after * 1000,
            )
            self._last_warning = now
            self._late_since_warning = 0

    def figures(self) -> LagFigures:
        ordered = sorted(self._samples)
        if not ordered:
            return LagFigures(0, 0.0, 0.0, 0.0, self.warnings)

        def at(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        return LagFigures(len(ordered), at(0.5), at(0.99), ordered[-1] * 1000, self.warnings)

    async def _run(self) -> None:
        while True:
            start = self._clock()
            await asyncio.sleep(self.interval)
            self.record(max(0.0, self._clock() - start - self.interval))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
