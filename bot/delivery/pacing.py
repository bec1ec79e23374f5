"""Flood pacing: when may the next message go to a chat, a group, or anywhere at all.

Telegram counts messages in sliding windows (about 30 per second per bot, one per second per
chat, 20 per minute per group). The server stamps a request somewhere between the moment we
start it and the moment its answer comes back, so every window here is *anchored on
completions*: a message counts from when its answer arrived (or it is still in flight), and
the next one may start only once the oldest of the window is a full window length behind.
That can never exceed a window the server measures, whatever the latency, and costs about
one round-trip per window (30 per 1.005 s on a local server).

Windows come from ``Settings.flood``: Telegram's rates over Telegram's windows (1 s, 60 s),
both windows divided by ``flood.time_scale`` for sped-up tests against the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from bot.config import FloodSettings

SECOND, MINUTE = 1.0, 60.0
NEVER = math.inf
GLOBAL_429_WINDOWS = 3  # 429s for three chats within this many global windows: the bot's


@dataclass(frozen=True)
class Limit:
    """``capacity`` messages per ``length`` seconds."""

    capacity: int
    length: float

    @classmethod
    def rate(cls, per_window: float, window: float) -> Limit:
        """A rate over a window; below 1 it becomes one message per a longer window
        (0.5 per second = 1 per 2 s), as the sandbox and Telegram count it."""
        if per_window >= 1:
            return cls(int(per_window), window)
        return cls(1, window / per_window)


class Window:
    """A completion-anchored sliding window (see the module docstring)."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.in_flight = 0
        self.done: deque[float] = deque(maxlen=limit.capacity)
        self.blocked_until = 0.0

    def ready_at(self, now: float, weight: int = 1) -> float:
        """The earliest time the next message (``weight`` messages: an album) may start
        (``NEVER`` until an answer arrives). An album larger than the window needs it empty,
        as Telegram (and the sandbox) count it."""
        need = max(1, min(weight, self.limit.capacity))
        free = self.limit.capacity - need - self.in_flight  # completions allowed inside
        if free < 0:
            return NEVER
        at = max(now, self.blocked_until)
        expire = len(self.done) - free  # this many of the oldest completions must leave first
        if expire > 0:
            at = max(at, self.done[expire - 1] + self.limit.length)
        return at

    def start(self, weight: int = 1) -> None:
        # An album in flight holds as many places as it has items: Telegram counts each on
        # arrival, before its answer comes back.
        self.in_flight += max(1, weight)

    def finish(self, at: float, weight: int = 1) -> None:
        self.in_flight = max(0, self.in_flight - max(1, weight))
        self.done.extend([at] * max(1, weight))

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing that still counts: the window can be dropped."""
        return (
            not self.in_flight
            and self.blocked_until <= now
            and (not self.done or self.done[-1] + self.limit.length <= now)
        )


class Pacer:
    """Per chat, per group and global windows, a smoothing gap, and 429 penalties."""

    def __init__(
        self,
        flood: FloodSettings,
        clock: Callable[[], float] = time.monotonic,
        *,
        share: int = 1,
    ) -> None:
        self.flood = flood
        self.clock = clock
        scale = flood.time_scale
        self.chat_limit = Limit.rate(flood.per_chat_per_second, SECOND / scale)
        self.group_limit = Limit.rate(flood.per_group_per_minute, MINUTE / scale)
        self.global_length = SECOND / scale
        self._chats: dict[int, Window] = {}
        self._groups: dict[int, Window] = {}
        self._global = Window(Limit(1, 1.0))
        self.gap = 0.0
        self._next_start = 0.0
        self.share = 0
        self.set_share(share)
        self._recent_429: deque[tuple[float, int]] = deque()
        self._changed = asyncio.Event()
        self._listeners: list[Callable[[], None]] = []
        self.waiting = 0  # handler replies waiting for a slot: the sender lets them go first

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever a slot may have become free."""
        self._listeners.append(callback)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
        for callback in self._listeners:
            callback()

    def set_share(self, senders: int) -> None:
        """``senders`` processes post with the same bot: each keeps to its part of the
        global limit."""
        senders = max(1, senders)
        if senders == self.share:
            return
        self.share = senders
        per_window = self.flood.global_per_second / senders
        limit = Limit.rate(per_window, self.global_length)
        old = self._global
        self._global = Window(limit)
        self._global.in_flight = old.in_flight
        self._global.blocked_until = old.blocked_until
        self._global.done.extend(old.done)
        # Smooth the flow (one start every length/capacity) instead of bursting a whole window.
        self.gap = limit.length / limit.capacity

    @property
    def global_rate(self) -> float:
        """Messages per (real) second this pacer allows in total."""
        return self._global.limit.capacity / self._global.limit.length

    def _own(self, target: int, edit: bool, *, create: bool = False) -> list[Window]:
        """The chat's windows (and its group's, for messages); created only when used."""
        tables = [(self._chats, self.chat_limit)]
        if not edit and target < 0:  # groups, supergroups and channels
            tables.append((self._groups, self.group_limit))
        found = []
        for table, limit in tables:
            window = table.get(target)
            if window is None and create:
                window = table[target] = Window(limit)
            if window is not None:
                found.append(window)
        return found

    def _windows(self, target: int, edit: bool) -> list[Window]:
        own = self._own(target, edit, create=True)
        return own if edit else [*own, self._global]

    def own_ready_at(
        self, target: int, *, edit: bool = False, now: float, weight: int = 1
    ) -> float:
        """When the chat (and group) would allow it, whatever the global limit says.
        ``weight``: how many messages the call posts (an album: one per item)."""
        return max((w.ready_at(now, weight) for w in self._own(target, edit)), default=now)

    def global_ready_at(self, now: float, weight: int = 1) -> float:
        """When the bot as a whole may start its next message (``weight`` messages)."""
        return max(self._global.ready_at(now, weight), self._next_start)

    def ready_at(
        self, target: int, *, edit: bool = False, now: float | None = None, weight: int = 1
    ) -> float:
        """When a message to ``target`` may start (``now`` or later, ``NEVER`` = wait for an
        answer). Edits count against the chat only."""
        now = self.clock() if now is None else now
        own = self.own_ready_at(target, edit=edit, now=now, weight=weight)
        return own if edit else max(own, self.global_ready_at(now, weight))

    def start(self, target: int, *, edit: bool = False, weight: int = 1) -> None:
        """Take the slot (call when ``ready_at`` is due)."""
        for window in self._windows(target, edit):
            window.start(weight)
        if not edit:
            # A start that comes late may be made up (by up to two slots): the windows, not
            # this smoothing, are what keeps us under the limits.
            start = max(self._next_start, self.clock() - 2 * self.gap)
            self._next_start = start + self.gap * max(1, weight)

    def finish(self, target: int, *, edit: bool = False, weight: int = 1) -> None:
        """The answer arrived (or the attempt ended): the message counts from now; an album
        of ``weight`` items counts as that many messages (Telegram counts each). ``weight``
        must be the one given to :meth:`start`."""
        now = self.clock()
        for window in self._windows(target, edit):
            window.finish(now, weight)
        self._notify()

    @contextlib.asynccontextmanager
    async def slot(self, target: int, *, edit: bool = False) -> AsyncIterator[None]:
        """Wait for a slot to ``target``, hold it for one request, and count it from its end
        (for callers outside the sender loop: replies sent straight from handlers). While its
        own chat is free and only the global limit holds it back, it goes before the outbox."""
        counted = False
        try:
            while (at := self.ready_at(target, edit=edit)) > (now := self.clock()):
                own = max(
                    w.ready_at(now) for w in self._windows(target, edit) if w is not self._global
                )
                if own <= now and not counted:
                    self.waiting, counted = self.waiting + 1, True
                elif own > now and counted:
                    self.waiting, counted = self.waiting - 1, False
                changed = self._changed
                timeout = None if at == NEVER else at - now
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):  # not wait_for: see bot.delivery.sender
                        await changed.wait()
            self.start(target, edit=edit)
        finally:
            if counted:
                self.waiting -= 1
        try:
            yield
        finally:
            self.finish(target, edit=edit)

    def penalize(self, target: int, seconds: float) -> bool:
        """Telegram answered 429 for ``target``. Only that chat waits, unless three chats were
        refused within a few global windows (Telegram does not say which limit it was; a
        429 for one chat is that chat's, several at once are the bot's): then every chat
        waits. Returns True when the penalty was taken as global."""
        now = self.clock()
        until = now + seconds
        [chat, *_] = self._own(target, edit=True, create=True)
        chat.blocked_until = max(chat.blocked_until, until)
        recent = self._recent_429
        recent.append((now, target))
        while recent and recent[0][0] < now - GLOBAL_429_WINDOWS * self.global_length:
            recent.popleft()
        if len({t for _, t in recent}) >= 3:
            self._global.blocked_until = max(self._global.blocked_until, until)
            return True
        return False

    def held_until(self, target: int, *, edit: bool = False) -> float:
        """Until when a 429 holds ``target`` back (0 when it does not): a message that got its
        slot before the 429 came back waits for it too instead of going out into the refusal."""
        return max((w.blocked_until for w in self._windows(target, edit)), default=0.0)

    def forget(self, target: int) -> None:
        """The chat moved or is gone: drop what we knew about it."""
        self._chats.pop(target, None)
        self._groups.pop(target, None)

    def prune(self) -> None:
        """Drop windows of chats that no longer matter (keeps memory flat)."""
        now = self.clock()
        for table in (self._chats, self._groups):
            for target in [t for t, w in table.items() if w.idle(now)]:
                del table[target]
