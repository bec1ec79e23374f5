"""Per-bot update queues: getUpdates long polling and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.errors import conflict

JSON = dict[str, Any]

# Telegram leaves these out unless allowed_updates asks for them explicitly.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_BACKOFF = (0.05, 1.0)


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


def delivery_key(update: JSON) -> int:
    """Updates with one key are sent one at a time, like Telegram's Bot API server does: a
    chat's messages in order, a user's button presses in order; other keys in parallel."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        who = payload.get("from") if kind in ("callback_query", "inline_query") else None
        chat = payload.get("chat")
        for source in (who, chat, payload.get("from"), payload.get("user")):
            if isinstance(source, dict) and isinstance(source.get("id"), int):
                return int(source["id"])
    return -int(update["update_id"])


async def deliver_webhook(
    queue: UpdateQueue, hook: WebhookConfig, session: aiohttp.ClientSession
) -> None:
    """POST pending updates to the webhook until cancelled: up to ``max_connections`` at once,
    one at a time per chat (per user for button presses), each retried with backoff until the
    webhook answers 2xx (its chat's later updates wait meanwhile)."""
    busy = _InFlight()
    connections = [
        asyncio.create_task(_connection(queue, hook, session, busy))
        for _ in range(max(1, hook.max_connections))
    ]
    try:
        await asyncio.gather(*connections)
    finally:
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)


@dataclass
class _InFlight:
    """Updates being posted, their delivery keys, and whether one waits for a key to free."""

    ids: set[int] = field(default_factory=set)
    keys: set[int] = field(default_factory=set)
    blocked: bool = False


def _next_update(queue: UpdateQueue, busy: _InFlight) -> JSON | None:
    for update in queue.view():  # in order; stops at the first one free to go
        if update["update_id"] in busy.ids:
            continue
        if delivery_key(update) in busy.keys:
            busy.blocked = True  # its chat's previous update is out: wake us when answered
            continue
        return update
    return None


async def _connection(
    queue: UpdateQueue,
    hook: WebhookConfig,
    session: aiohttp.ClientSession,
    busy: _InFlight,
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
    timeout = aiohttp.ClientTimeout(total=60)
    while not queue.closed:
        update = _next_update(queue, busy)
        if update is None:
            await queue.changed()
            continue
        update_id, key = update["update_id"], delivery_key(update)
        busy.ids.add(update_id)
        busy.keys.add(key)
        delay = WEBHOOK_BACKOFF[0]
        try:
            while not queue.closed:
                try:
                    async with session.post(
                        hook.url, json=update, headers=headers, timeout=timeout
                    ) as resp:
                        await resp.read()
                        if 200 <= resp.status < 300:
                            queue.remove(update_id)
                            hook.delivered += 1
                            break
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    error = f"Connection failed: {exc.__class__.__name__}"
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                hook.failed += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, WEBHOOK_BACKOFF[1])
                if all(u["update_id"] != update_id for u in queue.view()):
                    break  # dropped meanwhile (deleteWebhook with drop_pending_updates)
        finally:
            busy.ids.discard(update_id)
            busy.keys.discard(key)
            if busy.blocked:
                busy.blocked = False
                queue.touch()
