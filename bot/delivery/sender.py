"""The sender loop: posts the outbox as fast as Telegram allows, never twice, never lost.

* **Reserve**: due rows are reserved for this sender (``claimed_by``, still ``queued``) a
  little ahead of need; one row per chat at a time, oldest first, so a chat's messages keep
  their order. A lease, renewed every few seconds, keeps them ours.
* **Attempt**: a row becomes ``sending`` in its own commit right before its Bot API call, so
  after a crash the only rows whose fate is unknown are the few that were in flight.
* **Record**: the answer is committed at once (``sent`` + ``message_id``). The time from the
  Bot API call returning to that commit is the crash window for duplicates; it is measured
  (``stats.window``).
* **Pace**: :class:`bot.delivery.pacing.Pacer` keeps every chat, group and the bot as a whole under
  the limits in ``Settings.flood``; a 429 stops only its chat unless it is clearly global.
* **Recover**: rows held by a sender that died on this machine go back to the queue at
  once (see :mod:`bot.delivery.sender_identity`); elsewhere, when its lease runs out.
* **Counters**: :class:`bot.delivery.counters.CountersRefresher` decides which posts' counters
  lines to redraw and hands the edits here; the sender paces and makes them like any call.

Telegram-free: it talks to a ``MessagePort``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery.counters import CountersRefresher
from bot.delivery.pacing import NEVER, Pacer
from bot.delivery.sender_identity import is_dead, new_sender_id
from bot.delivery.sender_stats import Job, SenderStats
from bot.i18n import Texts
from bot.services import delivery_faults, lifecycle, outbox
from bot.services.ports import (
    ChatGone,
    ChatMoved,
    MessagePort,
    RetryLater,
    SendError,
    Transient,
)
from storage.db import SessionFactory, is_sqlite, reading, transaction
from storage.write_turns import WriteTurns

log = logging.getLogger(__name__)


class OutboxSender:
    """Posts the outbox. ``run()`` loops until cancelled or ``stop()``; ``drain()`` returns
    when nothing is left to do (tests, CLI)."""

    def __init__(
        self,
        sessions: SessionFactory,
        port: MessagePort,
        settings: Settings,
        texts: Texts,
        worker: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
        turns: WriteTurns | None = None,
    ) -> None:
        """``pacer``: the process's shared flood schedule (handler replies use it too);
        ``turns``: the process's shared SQLite write turns (the press batcher takes them too)."""
        self.sessions = sessions
        self.port = port
        self.settings = settings
        self.texts = texts
        self.worker = worker or new_sender_id()
        self.clock = clock
        self.pacer = pacer or Pacer(settings.flood, clock)
        self.stats = SenderStats()
        self.lease = timedelta(seconds=settings.delivery.claim_lease_seconds)
        self._pending: dict[int, Job] = {}  # reserved, not started; by job order
        self._held: set[int] = set()  # delivery ids reserved or in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._order = 0
        self._next_claim = 0.0
        self._last_claim = 0.0
        self._sends = 0  # messages among ``_pending`` (counter edits are not reserved rows)
        self._claiming: asyncio.Task[None] | None = None
        self._freed = False  # a send finished while a claim ran
        self._stopping = False
        self.pacer.listen(self._wake.set)
        self._turns = turns or WriteTurns(enabled=is_sqlite(settings.database.url))
        self.counters = CountersRefresher(sessions, settings, texts, self._writing)

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, taking its turn (see :mod:`storage.write_turns`)."""
        async with self._turns.turn(), transaction(self.sessions) as session:
            yield session

    # -- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        """Send until cancelled (or ``stop()``), then hand back what was not attempted."""
        await self._serve(until_idle=False)

    def stop(self) -> None:
        """Finish what is in flight, give back reservations, and return from ``run()``."""
        self._stopping = True
        self._wake.set()

    async def drain(self, timeout: float = 30.0) -> None:
        """Send until no row is waiting (retries included) and the counters are fresh."""
        try:
            await asyncio.wait_for(self._serve(until_idle=True), timeout)
        except TimeoutError:
            raise TimeoutError("outbox not drained in time") from None

    async def _serve(self, *, until_idle: bool) -> None:
        keeper = asyncio.create_task(self._keep_lease(), name=f"lease-{self.worker}")
        try:
            await self._first_recover()
            await self._loop(until_idle=until_idle)
        finally:
            keeper.cancel()
            await self._shutdown()

    async def _shutdown(self) -> None:
        if self._claiming is not None:  # its rows are handed back below with the rest
            await asyncio.wait([self._claiming], timeout=10.0)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10.0)
        leftover = [j.delivery_id for j in self._pending.values() if not j.is_edit]
        edits = [j.delivery_id for j in self._pending.values() if j.is_edit]
        self._pending.clear()
        self._sends = 0
        with contextlib.suppress(Exception):
            async with self._writing() as session:
                await outbox.release(session, leftover, self.worker)
                await self.counters.give_back(session, edits)

    # -- the loop -------------------------------------------------------------------------
    async def _loop(self, *, until_idle: bool) -> None:
        poll = self.settings.delivery.poll_interval_seconds
        while not self._stopping:
            self._wake.clear()  # anything that happens from here on wakes the wait below
            now = self.clock()
            refreshed = 0
            if self._claim_due and now >= self._next_claim:
                # In the background: the loop keeps starting what is reserved (about two
                # seconds of it) while the claim's transaction runs; awaiting it here left
                # every send slot idle for the claim's duration, once a second or so.
                self._claiming = asyncio.create_task(self._claim_round(now))
            try:
                if now >= self.counters.next_round:
                    refreshed = await self._collect_edits()
            except Exception:
                log.exception("sender round failed; trying again shortly")
                self.counters.next_round = now + poll
            batch = self._take_ready()
            if batch:
                await self._launch(batch)
                continue
            idle = not (self._pending or self._tasks or self._claiming or refreshed)
            if until_idle and idle and await self._nothing_due():
                return
            wake = min(
                self._next_claim if self._claim_due else NEVER,
                self.counters.next_round,
                self._next_ready(),
                now + poll,
            )
            # asyncio.timeout, not wait_for: before Python 3.12, wait_for swallows a
            # cancellation that arrives as the wake-up does (gh-86296), and the sender went
            # on looping after the bot told it to stop, until a second cancellation 20 s later.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, wake - self.clock())):
                    await self._wake.wait()

    @property
    def _low_water(self) -> float:
        """Keep about two seconds of sending reserved (at least a batch)."""
        return max(self.settings.delivery.batch_size, 2 * self.pacer.global_rate)

    async def _claim_round(self, started: float) -> None:
        poll = self.settings.delivery.poll_interval_seconds
        self._freed = False
        try:
            claimed = await self._claim()
        except Exception:
            log.exception("sender claim failed; trying again shortly")
            claimed, self._freed = 0, False
        self._last_claim = started
        # Nothing due: look again after a poll interval, or sooner when one of ours finishes
        # (the next row of its chat becomes due; see ``_done``).
        self._next_claim = started + (poll if not (claimed or self._freed) else self._claim_gap)
        self._claiming = None
        self._wake.set()

    @property
    def _claim_due(self) -> bool:
        return self._claiming is None and self._wants_rows

    @property
    def _wants_rows(self) -> bool:
        """Fewer messages reserved than the low-water mark. Counter edits waiting (they count
        against their chats only) do not count: a burst of presses must not starve the
        outbox of reservations, which left send slots idle (9-13 msg/s at 100 presses/s)."""
        return self._sends < self._low_water

    @property
    def _claim_gap(self) -> float:
        return min(0.1, self.settings.delivery.poll_interval_seconds)

    async def _claim(self) -> int:
        room = int(self._low_water) + self.settings.delivery.batch_size - self._sends
        if room <= 0:
            return 0
        now = outbox.wall_now()
        if self._turns.enabled:
            # SQLite: the heavy read outside the write turn, so the loop can mark messages
            # ``sending`` (a write) meanwhile; the UPDATE that takes them checks them again.
            async with self.sessions() as session:
                found = await outbox.due_rows(session, now=now, limit=room, lease=self.lease)
            if not found:
                return 0
            async with self._writing() as session:
                rows = await outbox.take_rows(
                    session, found, now=now, worker=self.worker, lease=self.lease
                )
                rows = await lifecycle.resolve_edits(session, rows)  # edits learn their message
        else:  # PostgreSQL: FOR UPDATE SKIP LOCKED needs the read and the update together
            async with self._writing() as session:
                rows = await outbox.reserve_due(
                    session, now=now, limit=room, worker=self.worker, lease=self.lease
                )
                rows = await lifecycle.resolve_edits(session, rows)
        for row in rows:
            if row.id not in self._held:
                self._add(Job(row.id, row.target_telegram_id, dict(row.payload), row.priority))
        return len(rows)

    def _add(self, job: Job) -> None:
        self._order += 1
        job.order = self._order
        self._pending[job.order] = job
        if not job.is_edit:
            self._held.add(job.delivery_id)
            self._sends += 1

    def _remove(self, job: Job) -> None:
        del self._pending[job.order]
        if not job.is_edit:
            self._sends -= 1

    def _take_ready(self) -> list[Job]:
        """Jobs whose chat, group and the global limit allow them now; their slots taken.
        Edits first (they count per chat only), then messages by priority while the global
        limit lets them go."""
        now = self.clock()
        pacer = self.pacer
        taken: list[Job] = []
        for job in sorted(self._pending.values(), key=lambda j: (j.priority, j.order)):
            # a handler's reply waiting for the global limit goes first
            if not job.is_edit and (pacer.waiting or pacer.global_ready_at(now) > now):
                break
            if job.is_edit and not self.counters.may_edit(now):
                continue
            if pacer.ready_at(job.target, edit=job.is_edit, now=now, weight=job.weight) <= now:
                if job.is_edit:
                    self.counters.took_edit(now)
                pacer.start(job.target, edit=job.is_edit, weight=job.weight)
                self._remove(job)
                taken.append(job)
        return taken

    def _next_ready(self) -> float:
        """When the next pending job could go (``NEVER``: when an answer arrives)."""
        now = self.clock()
        own = NEVER
        at = NEVER
        for job in self._pending.values():
            ready = self.pacer.own_ready_at(
                job.target, edit=job.is_edit, now=now, weight=job.weight
            )
            if job.is_edit:
                at = min(at, max(ready, self.counters.next_edit))
            else:
                own = min(own, ready)
        if own < NEVER:
            at = min(at, max(own, self.pacer.global_ready_at(now)))
        return at

    async def _nothing_due(self) -> bool:
        """Nothing waiting at all: no unsent row (not even one due later), no stale counters."""
        async with reading(self.sessions) as session:  # no write lock for a look
            waiting = await outbox.count_unsent(session)
            fresh = await self.counters.nothing_stale(session)
        return not waiting and fresh

    async def _launch(self, batch: list[Job]) -> None:
        sends = [j.delivery_id for j in batch if not j.is_edit]
        try:
            async with self._writing() as session:
                ours = await outbox.start_attempts(session, sends, self.worker, outbox.wall_now())
        except Exception:
            log.exception("could not mark deliveries as sending; will try again")
            for job in batch:
                self.pacer.finish(job.target, edit=job.is_edit, weight=job.weight)
                self._put_back(job)
            await asyncio.sleep(self.settings.delivery.poll_interval_seconds)
            return
        for job in batch:
            if job.is_edit or job.delivery_id in ours:
                task = asyncio.create_task(self._run_job(job))
                self._tasks.add(task)
                task.add_done_callback(self._done)
            else:  # our lease ran out and another sender took it: not ours to send
                self.pacer.finish(job.target, weight=job.weight)
                self._forget(job)

    def _put_back(self, job: Job) -> None:
        self._pending[job.order] = job
        if not job.is_edit:
            self._sends += 1

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # A message out: the next row of its chat may be due now. Look again soon rather
        # than a whole poll interval after a claim that found nothing.
        self._freed = True
        self._next_claim = min(self._next_claim, self._last_claim + self._claim_gap)
        self._wake.set()

    def _forget(self, job: Job) -> None:
        if job.is_edit:
            self.counters.done(job)
        else:
            self._held.discard(job.delivery_id)

    async def _run_job(self, job: Job) -> None:
        try:
            hold = self.pacer.held_until(job.target, edit=job.is_edit) - self.clock()
            if hold > 0:  # a 429 came back while this one was being claimed: wait it out too
                await asyncio.sleep(hold)
            if job.is_edit:
                await self._edit(job)
            else:
                await self._deliver(job)
        except Exception:
            log.exception("delivery %s to %s: unexpected failure", job.delivery_id, job.target)
        finally:
            self._forget(job)

    # -- one message ----------------------------------------------------------------------
    async def _deliver(self, job: Job) -> None:
        try:
            message_id = await self.port.send(job.target, job.payload)
        except SendError as exc:
            self.pacer.finish(job.target, weight=job.weight)
            await self._on_error(job, exc)
            return
        except Exception as exc:
            self.pacer.finish(job.target, weight=job.weight)
            log.exception("unexpected error sending delivery %s", job.delivery_id)
            await self._on_error(job, Transient(repr(exc)))
            return
        returned = self.clock()
        self.pacer.finish(job.target, weight=job.weight)  # an album: each item counts
        await self._record_sent(job, message_id, returned)

    async def _record_sent(self, job: Job, message_id: int, returned: float) -> None:
        """Commit ``sent`` at once; never send again because the database hiccupped."""
        delay = 0.05
        while True:
            try:
                async with self._turns.turn(urgent=True), self.sessions() as session:
                    async with session.begin():
                        await outbox.mark_sent(
                            session, job.delivery_id, message_id, outbox.wall_now()
                        )
                    committed = self.clock()  # before the connection goes back to the pool
                break
            except Exception:
                log.exception("could not record delivery %s as sent; retrying", job.delivery_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.stats.record_window(committed - returned)
        self.stats.sent += 1

    async def _on_error(self, job: Job, exc: SendError) -> None:
        # The pacer first, before any await: no other message may slip into this chat.
        if isinstance(exc, RetryLater):
            self.stats.flood_answers += 1
            if self.pacer.penalize(job.target, exc.seconds):
                self.stats.flood_global += 1
        elif isinstance(exc, ChatMoved | ChatGone):
            self.pacer.forget(job.target)
        delivery = self.settings.delivery
        async with self._writing() as session:
            outcome = await delivery_faults.record_error(
                session,
                job.delivery_id,
                exc,
                max_attempts=delivery.max_attempts,
                retry_base=delivery.retry_base_seconds,
                texts=self.texts,
            )
        self.stats.failed += outcome.failed
        self.stats.retries += outcome.backed_off
        self.stats.notices += outcome.notices
        if not outcome.failed:
            self._next_claim = 0.0  # it may be due again soon: look

    # -- leases and recovery --------------------------------------------------------------
    async def _keep_lease(self) -> None:
        every = min(1.0, self.lease.total_seconds() / 4)  # also how soon a new sender is seen
        while True:
            await asyncio.sleep(every)
            try:
                async with self._writing() as session:
                    await outbox.heartbeat(session, self.worker, self._held, outbox.wall_now())
                await self._recover()
            except Exception:
                log.exception("could not renew the outbox lease")

    async def _first_recover(self) -> None:
        """Recover before the first claim, retrying until the database lets us: an error here
        (a write lock held past the busy timeout by a long import, a database restarting) must
        not end the sender, which nothing would restart."""
        delay = self.settings.delivery.poll_interval_seconds
        while not self._stopping:
            try:
                await self._recover()
                return
            except Exception:
                log.exception("could not take back interrupted deliveries; trying again shortly")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _recover(self) -> None:
        """Take back rows of senders that stopped; share the global limit with live ones."""
        now = outbox.wall_now()
        async with self._writing() as session:
            held = await outbox.holders(session)
            dead = [w for w in held if w != self.worker and is_dead(w)]
            interrupted = await outbox.recover(session, now=now, lease=self.lease, dead=dead)
        if interrupted:
            self.stats.interrupted += interrupted
            log.warning(
                "%d deliveries were interrupted during their Bot API call by a sender that "
                "stopped; sending them again (a duplicate if Telegram had accepted them)",
                interrupted,
            )
        if self.settings.delivery.share_global_limit:
            alive = {w for w, at in held.items() if at >= now - self.lease and w not in dead}
            self.pacer.set_share(len(alive | {self.worker}))
        self.pacer.prune()

    # -- live counters (the refresher decides, the sender edits) ----------------------------
    async def _collect_edits(self) -> int:
        """Take the refresher's edit jobs; how many."""
        jobs = await self.counters.collect(self.clock())
        for job in jobs:
            self._add(job)
        return len(jobs)

    async def _edit(self, job: Job) -> None:
        assert job.edit_of is not None
        try:
            await self.port.edit(job.target, job.edit_of, job.payload)
        except RetryLater as exc:
            self.pacer.penalize(job.target, exc.seconds)
            await self.counters.refused(job)
        except SendError as exc:
            log.warning("could not refresh counters in chat %s: %s", job.target, exc.reason)
        finally:
            self.pacer.finish(job.target, edit=True, weight=job.weight)

    @property
    def holding(self) -> int:
        """Outbox rows this sender has reserved or is sending (edits not counted)."""
        return len(self._held)

    def describe(self) -> dict[str, Any]:
        """Figures for logs and benchmarks."""
        return {"worker": self.worker, **self.stats.as_dict()}
