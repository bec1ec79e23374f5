"""The sender loop: claims due outbox rows, posts them within Telegram's flood limits, records
the outcome; refreshes posts' counters at most every few seconds per post.

Telegram-free: it talks to a ``MessagePort``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.config import FloodSettings, Settings
from bot.i18n import Texts
from bot.services import counters, outbox
from bot.services.ports import ChatGone, ChatMoved, MessagePort, RetryLater, SendError
from bot.services.render import counters_line
from storage.db import SessionFactory, transaction
from storage.models import Chat, Delivery, Directive, Member

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
SAFETY = 1.05  # pace 5% under each limit


class Pacer:
    """Reserves send slots so that no chat, group or the bot as a whole exceeds its limit."""

    def __init__(
        self,
        per_chat_per_second: float,
        per_group_per_minute: float,
        global_per_second: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Requests reach Telegram a little later or earlier than their slot (uploads are slower);
        # a small margin keeps two slots from landing closer than the limit allows.
        self.chat_gap = SAFETY / per_chat_per_second
        self.group_limit = max(1, int(per_group_per_minute))
        self.global_limit = max(1, int(global_per_second))
        self.clock = clock
        self._chat_next: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._global_sent: deque[float] = deque(maxlen=self.global_limit)
        self._blocked_until = 0.0
        self._locks: dict[int, asyncio.Lock] = {}
        self._last_done: dict[int, float] = {}

    @classmethod
    def from_settings(cls, flood: FloodSettings) -> Pacer:
        return cls(flood.per_chat_per_second, flood.per_group_per_minute, flood.global_per_second)

    def reserve(self, target: int, *, edit: bool = False) -> float:
        """The monotonic time at which a message to ``target`` may go; the slot is taken."""
        at = max(self.clock(), self._chat_next.get(target, 0.0), self._blocked_until)
        group = target < 0 and not edit
        if group:
            sent = self._group_sent.setdefault(target, deque(maxlen=self.group_limit))
            if len(sent) == self.group_limit:
                at = max(at, sent[0] + 60.0 * SAFETY)
        if not edit and len(self._global_sent) == self.global_limit:
            at = max(at, self._global_sent[0] + SAFETY)
        self._chat_next[target] = at + self.chat_gap
        if group:
            self._group_sent[target].append(at)
        if not edit:
            self._global_sent.append(at)
        return at

    @contextlib.asynccontextmanager
    async def turn(self, target: int) -> AsyncIterator[None]:
        """One request at a time per chat, each starting a full gap after the previous one
        *completed*: the server saw that one at some moment before it completed, so two
        requests can never reach it closer than the limit, however slow an upload was."""
        lock = self._locks.setdefault(target, asyncio.Lock())
        async with lock:
            wait = self._last_done.get(target, float("-inf")) + self.chat_gap - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._last_done[target] = self.clock()

    def penalize(self, target: int, seconds: float) -> None:
        """Telegram said 429: nothing more to this chat until the wait is over."""
        self._chat_next[target] = max(self._chat_next.get(target, 0.0), self.clock() + seconds)

    def forget(self, target: int) -> None:
        self._chat_next.pop(target, None)
        self._group_sent.pop(target, None)


class OutboxSender:
    """Posts the outbox. ``run()`` loops until cancelled; ``drain()`` helps tests and the CLI."""

    def __init__(
        self,
        sessions: SessionFactory,
        port: MessagePort,
        settings: Settings,
        texts: Texts,
        worker: str | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.sessions = sessions
        self.port = port
        self.settings = settings
        self.texts = texts
        self.worker = worker or f"sender-{uuid.uuid4().hex[:8]}"
        self.pacer = pacer or Pacer.from_settings(settings.flood)
        self._inflight: set[asyncio.Task[None]] = set()
        self._inflight_targets: dict[int, int] = {}
        self._last_refresh = 0.0
        self.sent = 0
        self.failed = 0

    async def run(self) -> None:
        idle = self.settings.delivery.poll_interval_seconds
        while True:
            try:
                claimed = await self.claim_batch()
                refreshed = await self.refresh_counters()
            except Exception:
                log.exception("sender round failed")
                claimed = refreshed = 0
            if not claimed and not refreshed:
                await asyncio.sleep(idle)

    async def drain(self, timeout: float = 30.0) -> None:
        """Send until nothing is due or in flight (and counters are fresh)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            claimed = await self.claim_batch()
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=1.0)
            refreshed = await self.refresh_counters(force=True)
            if not claimed and not self._inflight and not refreshed:
                return
        raise TimeoutError("outbox not drained in time")

    async def claim_batch(self) -> int:
        room = self.settings.delivery.batch_size * 2 - len(self._inflight)
        if room <= 0:
            return 0
        async with transaction(self.sessions) as session:
            rows = await outbox.claim_due(
                session, now=outbox.wall_now(), limit=room, worker=self.worker, lease=LEASE
            )
            jobs = [(r.id, r.target_telegram_id, dict(r.payload)) for r in rows]
        for job in jobs:
            at = self.pacer.reserve(job[1])
            task = asyncio.create_task(self._deliver(*job, at))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return len(jobs)

    async def _deliver(
        self, delivery_id: int, target: int, payload: dict[str, Any], at: float
    ) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            async with self.pacer.turn(target):
                message_id = await self.port.send(target, payload)
        except SendError as exc:
            await self._on_error(delivery_id, target, exc)
            return
        except Exception as exc:
            log.exception("unexpected error sending delivery %s", delivery_id)
            await self._on_error(delivery_id, target, SendError(repr(exc)))
            return
        # Record at once: the gap between Telegram accepting and this commit is the only
        # window in which a crash can cause a duplicate.
        async with transaction(self.sessions) as session:
            await outbox.mark_sent(session, delivery_id, message_id, outbox.wall_now())
        self.sent += 1

    async def _on_error(self, delivery_id: int, target: int, exc: SendError) -> None:
        now = outbox.wall_now()
        async with transaction(self.sessions) as session:
            row = await session.get(Delivery, delivery_id)
            if row is None:
                return
            if isinstance(exc, RetryLater):
                self.pacer.penalize(target, exc.seconds)
                await outbox.mark_retry(
                    session,
                    delivery_id,
                    now + timedelta(seconds=exc.seconds),
                    exc.reason,
                    count_attempt=False,
                )
            elif isinstance(exc, ChatMoved):
                await self._follow(session, target, exc.new_chat_id)
                await outbox.mark_retry(session, delivery_id, now, exc.reason, count_attempt=False)
            elif isinstance(exc, ChatGone):
                await self._chat_gone(session, row, exc.reason)
                await outbox.mark_failed(session, delivery_id, exc.reason)
                self.failed += 1
            elif (
                row.attempts + 1 >= self.settings.delivery.max_attempts
                or exc.__class__.__name__ == "Rejected"
            ):
                await outbox.mark_failed(session, delivery_id, exc.reason)
                self.failed += 1
            else:
                backoff = min(300.0, 2.0**row.attempts)
                await outbox.mark_retry(
                    session, delivery_id, now + timedelta(seconds=backoff), exc.reason
                )

    async def _follow(self, session: Any, old: int, new: int) -> None:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == old))
        if chat is not None:
            chat.telegram_id = new
            chat.type = "supergroup"
        await outbox.retarget(session, old, new)
        self.pacer.forget(old)

    async def _chat_gone(self, session: Any, row: Delivery, reason: str) -> None:
        if row.chat_id is not None:
            chat = await session.get(Chat, row.chat_id)
            if chat is not None:
                chat.active = False
                chat.inactive_reason = reason[:255]
        if row.member_id is not None:
            member = await session.get(Member, row.member_id)
            if member is not None:
                member.blocked = True

    async def refresh_counters(self, force: bool = False) -> int:
        """Edit posts whose counters changed, at most every ``counter_refresh_seconds``."""
        every = self.settings.delivery.counter_refresh_seconds
        if not force and time.monotonic() - self._last_refresh < every:
            return 0
        self._last_refresh = time.monotonic()
        edits: list[tuple[int, int, int, dict[str, Any]]] = []
        async with transaction(self.sessions) as session:
            for row in await counters.dirty_posts(session, limit=200):
                row.counters_dirty = False
                chat = await session.get(Chat, row.chat_id) if row.chat_id else None
                directive = (
                    await session.get(Directive, row.directive_id) if row.directive_id else None
                )
                if (
                    chat is None
                    or chat.unit_id is None
                    or directive is None
                    or row.message_id is None
                ):
                    continue
                c = await counters.unit_counts(session, directive.id, chat.unit_id)
                t = self.texts.for_lang(self.texts.default)
                line = counters_line(t, c.received, c.studied, c.total, directive.requires_study)
                if line == row.counters_text:
                    continue
                row.counters_text = line
                payload = {**row.payload, "counters": line}
                edits.append((row.id, chat.telegram_id, row.message_id, payload))
        for _id, target, message_id, payload in edits:
            at = self.pacer.reserve(target, edit=True)
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                async with self.pacer.turn(target):
                    await self.port.edit(target, message_id, payload)
            except RetryLater as exc:
                self.pacer.penalize(target, exc.seconds)
                await self._redirty(_id)
            except SendError as exc:
                log.warning("could not refresh counters in chat %s: %s", target, exc.reason)
        return len(edits)

    async def _redirty(self, delivery_id: int) -> None:
        async with transaction(self.sessions) as session:
            row = await session.get(Delivery, delivery_id)
            if row is not None:
                row.counters_dirty = True
                row.counters_text = None
