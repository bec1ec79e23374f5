"""Telegram's flood limits as sliding windows, scaled by ``time_scale`` for fast tests."""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.errors import ApiError

GLOBAL = "global"
PER_CHAT = "per_chat"
PER_GROUP = "per_group"


@dataclass(frozen=True)
class FloodLimits:
    """Configurable flood limits; ``time_scale=10`` makes every window 10x shorter.

    A limit of 0 disables that particular window; a fractional one below 1 means one message
    per a longer window (0.5 per second = 1 per 2 s); above 1 it is rounded down.
    """

    enabled: bool = True
    global_per_second: float = 30
    per_chat_per_second: float = 1
    per_group_per_minute: float = 20
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")

    @classmethod
    def disabled(cls) -> FloodLimits:
        """Limits that never answer 429."""
        return cls(enabled=False)


@dataclass(frozen=True)
class FloodRejection:
    """Why a request was refused and how long (real seconds) until it would be allowed."""

    reason: str
    wait: float


class SlidingWindow:
    """Timestamps of admitted events within the last ``length`` seconds."""

    def __init__(self, capacity: float, length: float) -> None:
        # Sub-1 rates become one event per proportionally longer window.
        self.capacity = max(1, int(capacity))
        self.length = length if capacity >= 1 else length / capacity
        self._events: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._events and self._events[0] <= now - self.length:
            self._events.popleft()

    def wait_for(self, cost: int, now: float) -> float:
        """Seconds until ``cost`` more events fit; 0 when they fit now."""
        self._expire(now)
        count = len(self._events)
        if count + cost <= self.capacity or count == 0:
            # An empty window admits an oversize batch (e.g. a 10-item album in a private chat),
            # otherwise it could never be sent at all.
            return 0.0
        must_expire = min(count, count + cost - self.capacity)
        return self._events[must_expire - 1] + self.length - now

    def add(self, cost: int, now: float) -> None:
        """Record ``cost`` admitted events at ``now``."""
        self._events.extend([now] * cost)


@dataclass
class FloodStats:
    """How many 429s were answered, in total and per reason."""

    total: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)


class FloodController:
    """Admits or refuses message-producing calls per bot, chat and group."""

    def __init__(
        self,
        limits: FloodLimits,
        clock: Callable[[], float] = time.monotonic,
        stats: FloodStats | None = None,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.stats = stats if stats is not None else FloodStats()
        self._windows: dict[tuple[str, int, int], SlidingWindow] = {}

    def _window(self, reason: str, bot_id: int, chat_id: int) -> SlidingWindow | None:
        lim, scale = self.limits, self.limits.time_scale
        capacity, length = {
            GLOBAL: (lim.global_per_second, 1.0),
            PER_CHAT: (lim.per_chat_per_second, 1.0),
            PER_GROUP: (lim.per_group_per_minute, 60.0),
        }[reason]
        if capacity <= 0:
            return None
        key = (reason, bot_id, chat_id)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = SlidingWindow(capacity, length / scale)
        return window

    def acquire(
        self, bot_id: int, chat_id: int, *, is_group: bool, cost: int = 1, edit: bool = False
    ) -> None:
        """Consume quota for one call or raise the 429 ``ApiError`` (consuming nothing)."""
        if not self.limits.enabled:
            return
        now = self.clock()
        wanted: list[tuple[str, int]] = [(PER_CHAT, chat_id)]
        if not edit:  # edits only count against the per-chat window
            wanted.append((GLOBAL, 0))
            if is_group:
                wanted.append((PER_GROUP, chat_id))
        windows = [(r, w) for r, c in wanted if (w := self._window(r, bot_id, c)) is not None]
        worst: FloodRejection | None = None
        for reason, window in windows:
            wait = window.wait_for(cost, now)
            if wait > 0 and (worst is None or wait > worst.wait):
                worst = FloodRejection(reason, wait)
        if worst is not None:
            self.stats.total += 1
            self.stats.by_reason[worst.reason] += 1
            raise too_many_requests(worst.wait, self.limits.time_scale)
        for _, window in windows:
            window.add(cost, now)


def retry_after_value(wait: float, time_scale: float) -> int | float:
    """Telegram's integer seconds at real speed; precise (>= 1 ms) floats when scaled."""
    if time_scale == 1.0:
        return max(1, math.ceil(wait))
    return max(0.001, math.ceil(wait * 1000) / 1000)


def too_many_requests(wait: float, time_scale: float) -> ApiError:
    """The 429 answer PTB turns into ``telegram.error.RetryAfter``."""
    value = retry_after_value(wait, time_scale)
    return ApiError(429, f"Too Many Requests: retry after {value}", {"retry_after": value})
