"""One write transaction at a time in this process, urgent ones first (SQLite).

SQLite lets one writer in at a time; a second connection that wants to write waits in SQLite's
busy handler, which sleeps in growing steps (up to 100 ms) and so adds long random delays. The
sender takes turns here instead, and the commit that records a sent message goes first: that
commit is the window in which a crash would post the message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator


class WriteTurns:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._busy = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        if not self.enabled:
            yield
            return
        if self._busy:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._order), future))
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._next()  # the turn was ours already: pass it on
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._next()

    def _next(self) -> None:
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # still busy: the turn goes to that waiter
                return
        self._busy = False
