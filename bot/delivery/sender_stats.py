"""The sender's unit of work and the figures it keeps (for logs, tests and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.attachments import message_count


@dataclass
class Job:
    """One Bot API call to make: an outbox row to post, or a post whose counters to edit."""

    delivery_id: int
    target: int
    payload: dict[str, Any]
    priority: int
    edit_of: int | None = None  # the message to edit (counters refresh)
    order: int = 0  # FIFO among equal priorities

    @property
    def is_edit(self) -> bool:
        return self.edit_of is not None

    @property
    def weight(self) -> int:
        """Messages the call posts: an album (sendMediaGroup) is one per item, and flood
        limits count each (bot.delivery.pacing)."""
        return max(1, message_count(self.payload))


@dataclass
class SenderStats:
    """Counts, and the crash window: seconds from the Bot API call returning to the commit
    that records the message as sent (a crash inside it is the only way to post twice)."""

    sent: int = 0
    failed: int = 0
    retries: int = 0
    flood_answers: int = 0  # 429s received
    flood_global: int = 0  # of which taken as the bot's global limit
    notices: int = 0  # secretaries told about gone chats
    interrupted: int = 0  # rows found 'sending' after another sender stopped
    window: list[float] = field(default_factory=list)

    def record_window(self, seconds: float) -> None:
        if len(self.window) < 200_000:
            self.window.append(seconds)

    def window_summary(self) -> dict[str, float]:
        """Milliseconds: mean, median, 99th percentile and maximum."""
        if not self.window:
            return {"n": 0, "mean_ms": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
        ordered = sorted(self.window)
        n = len(ordered)
        return {
            "n": n,
            "mean_ms": 1000 * sum(ordered) / n,
            "p50_ms": 1000 * ordered[n // 2],
            "p99_ms": 1000 * ordered[min(n - 1, int(n * 0.99))],
            "max_ms": 1000 * ordered[-1],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "retries": self.retries,
            "flood_answers": self.flood_answers,
            "flood_global": self.flood_global,
            "notices": self.notices,
            "interrupted": self.interrupted,
            "window": self.window_summary(),
        }
