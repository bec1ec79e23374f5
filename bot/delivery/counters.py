"""The counters refresher: keeps each post's counters line ("Đã nhận 12/30 · Đã học tập 5/30")
current by handing edit jobs to the outbox sender.

It decides *what* to edit and *how fast*; the sender makes the Bot API calls (paced with
everything else) and reports back how each edit went.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery.sender_stats import Job
from bot.i18n import Texts
from bot.services import counters
from bot.services.render import counters_line
from storage.db import SessionFactory, reading

SHOWN_LIMIT = 50_000  # counters lines remembered (posts); a forgotten one is just redrawn
BATCH = 500  # stale posts taken per round


class CountersRefresher:
    """Finds posts whose counters changed and turns them into edit jobs, spread out in time.

    ``writing`` opens a write transaction taking the process's write turn (the sender's)."""

    def __init__(
        self,
        sessions: SessionFactory,
        settings: Settings,
        texts: Texts,
        writing: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.texts = texts
        self._writing = writing
        self.editing: set[int] = set()  # delivery ids whose counters edit is queued or running
        # The counters line each post shows, by (delivery id, message id): kept here, not in
        # the database, so refreshing writes nothing to rows that presses are marking.
        self._shown: dict[tuple[int, int], str] = {}
        self.next_round = 0.0  # when to look for stale posts again (sender's clock)
        self.next_edit = 0.0  # edits are spread out (see collect)
        self._edit_gap = 0.0

    @property
    def period(self) -> float:
        return self.settings.delivery.counter_refresh_seconds

    async def collect(self, now: float) -> list[Job]:
        """Edit jobs for every post whose counters line changed; the next round is due one
        period after ``now``.

        Set-based, however many posts are stale: take them (one short write that skips rows a
        press batch holds), then read and count (reads: presses wait for nothing).
        A post this process has not drawn yet (after a restart, or drawn by another sender
        process) is edited even if unchanged; Telegram's "not modified" answer is harmless.
        """
        self.next_round = now + self.period
        async with self._writing() as session:
            taken = await counters.take_stale_posts(session, limit=BATCH, skip=self.editing)
        if not taken:
            return []
        async with reading(self.sessions) as session:  # no write lock for the counting
            posts = await counters.stale_posts(session, taken)
            counts = await counters.unit_counts(
                session, {(p.directive_id, p.unit_id) for p in posts}
            )
        t = self.texts.for_lang(self.texts.default)
        lines = {}
        for p in posts:
            c = counts[(p.directive_id, p.unit_id)]
            line = counters_line(t, c.received, c.studied, c.total, p.requires_study)
            if line != self._shown.get((p.delivery_id, p.message_id)):
                lines[p.delivery_id] = line
        # Edits count per chat only, so a round could go out all at once: a burst that the
        # presses arriving meanwhile would wait behind. Spread them instead, as fast as the
        # global rate, or faster if needed to finish within the refresh period.
        flood = self.settings.flood
        self._edit_gap = min(
            1.0 / (flood.global_per_second * flood.time_scale), self.period / max(1, len(lines))
        )
        jobs = []
        for p in posts:
            if p.delivery_id in lines:
                self._remember(p.delivery_id, p.message_id, lines[p.delivery_id])
                payload = {**p.payload, "counters": lines[p.delivery_id]}
                self.editing.add(p.delivery_id)
                jobs.append(
                    Job(p.delivery_id, p.chat_telegram_id, payload, -1, edit_of=p.message_id)
                )
        return jobs

    def may_edit(self, now: float) -> bool:
        return now >= self.next_edit

    def took_edit(self, now: float) -> None:
        """The sender started an edit: the next one waits a gap."""
        self.next_edit = now + self._edit_gap

    def done(self, job: Job) -> None:
        """The edit is over, however it went."""
        self.editing.discard(job.delivery_id)

    async def refused(self, job: Job) -> None:
        """Telegram said "later" (429): forget what the post shows and mark it stale again."""
        assert job.edit_of is not None
        self._shown.pop((job.delivery_id, job.edit_of), None)
        async with self._writing() as session:
            await counters.mark_stale(session, [job.delivery_id])

    async def give_back(self, session: AsyncSession, delivery_ids: list[int]) -> None:
        """Edits not made (the sender stops): stale again, for the next refresher."""
        await counters.mark_stale(session, delivery_ids)

    async def nothing_stale(self, session: AsyncSession) -> bool:
        return not await counters.dirty_posts(session, limit=1)

    def _remember(self, delivery_id: int, message_id: int, line: str) -> None:
        self._shown.pop((delivery_id, message_id), None)
        self._shown[(delivery_id, message_id)] = line
        while len(self._shown) > SHOWN_LIMIT:  # the oldest drawn first
            del self._shown[next(iter(self._shown))]
