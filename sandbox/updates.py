"""Per-bot update queues, read by getUpdates long polling or delivered by webhook
(``sandbox.webhook``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import conflict

JSON = dict[str, Any]

# Telegram leaves these out unless allowed_updates asks for them explicitly.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Unconfirmed updates of one bot, in order, with increasing ``update_id``."""

    def __init__(self, first_id: int) -> None:
        self._items: list[JSON] = []
        self._next_id = first_id
        self._signal = asyncio.Event()
        self._generation = 0  # the newest getUpdates wins; older ones get 409
        self._superseded_by = "other getUpdates request"
        self.allowed: list[str] | None = None
        self.closed = False
        self.pushed: Counter[str] = Counter()  # updates queued so far, by kind

    def _wake(self) -> None:
        self._signal.set()
        self._signal = asyncio.Event()

    def accepts(self, kind: str) -> bool:
        """Whether ``allowed_updates`` (last set by getUpdates/setWebhook) lets ``kind`` in."""
        if self.allowed:
            return kind in self.allowed
        return kind not in NOT_BY_DEFAULT

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update of ``kind`` unless it is filtered out; returns the update."""
        if not self.accepts(kind):
            return None
        update: JSON = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pushed[kind] += 1
        self._items.append(update)
        self._wake()
        return update

    @property
    def pending(self) -> list[JSON]:
        """Unconfirmed updates (a copy)."""
        return list(self._items)

    def view(self) -> list[JSON]:
        """The pending updates themselves (not a copy): read, never change."""
        return self._items

    def clear(self) -> None:
        """Drop every pending update (``drop_pending_updates``)."""
        self._items.clear()

    def confirm(self, offset: int) -> None:
        """Forget updates below a positive offset; keep only the last ``-offset`` if negative."""
        if offset > 0:
            self._items = [u for u in self._items if u["update_id"] >= offset]
        elif offset < 0:
            self._items = self._items[offset:]

    def remove(self, update_id: int) -> None:
        """Forget one update (delivered by webhook; usually one of the first few)."""
        for at, item in enumerate(self._items):
            if item["update_id"] == update_id:
                del self._items[at]
                return

    def touch(self) -> None:
        """Wake whoever waits in :meth:`changed` (e.g. a webhook connection became free)."""
        self._wake()

    async def changed(self) -> None:
        """Block until the queue changes (an update pushed, removed or released) or closes."""
        if not self.closed:
            await self._signal.wait()

    def close(self) -> None:
        """Release every waiting poller (server shutdown)."""
        self.closed = True
        self._wake()

    def supersede(self, by: str) -> None:
        """Make any waiting getUpdates answer 409 (e.g. ``by="setWebhook request"``)."""
        self._generation += 1
        self._superseded_by = by
        self._wake()

    async def wait_nonempty(self) -> None:
        """Block until at least one update is pending or the queue is closed."""
        while not self._items and not self.closed:
            await self._signal.wait()

    async def poll(self, offset: int, limit: int, wait_seconds: float) -> list[JSON]:
        """getUpdates: confirm by offset, then return at once or when an update arrives."""
        self.confirm(offset)
        self.supersede("other getUpdates request")
        mine = self._generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while True:
            if mine != self._generation:
                raise conflict(
                    f"terminated by {self._superseded_by}; "
                    "make sure that only one bot instance is running"
                )
            if self._items or self.closed:
                return self._items[:limit]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._signal.wait(), remaining)


@dataclass
class WebhookConfig:
    """What setWebhook stored, plus delivery errors for getWebhookInfo."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
    failed: int = 0  # non-2xx answers and connection failures (each retried)
    task: asyncio.Task[None] | None = field(default=None, repr=False)
