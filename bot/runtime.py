"""What a running bot shares between updates and jobs: settings, database, texts, clock, and
the running parts (router, poller or webhook server, press lane, sender, tickers) once they are started.

The parts are named by type only (``TYPE_CHECKING``): this module imports nothing from
``bot.intake`` or ``bot.delivery`` at run time, which import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.i18n import Texts
from storage.db import SessionFactory
from storage.write_turns import WriteTurns

if TYPE_CHECKING:
    from bot.broadcast_worker import ProgressUpdater
    from bot.delivery.pacing import Pacer
    from bot.delivery.sender import OutboxSender
    from bot.intake.polling import Poller
    from bot.intake.press_lane import PressLane
    from bot.intake.route import Router
    from bot.intake.webhook import WebhookServer
    from bot.jobs import ScheduleTicker
    from bot.lag import LagMonitor
    from bot.reminder_worker import ReminderTicker
    from bot.services.presses import PressBatcher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    texts: Texts
    clock: Callable[[], datetime] = utc_now
    bot_username: str = "chithi_bot"
    pacer: Pacer | None = None  # the one flood-limit schedule of this process
    # SQLite: the process's writers (outbox sender, press batcher) take turns (see write_turns)
    write_turns: WriteTurns = field(default_factory=lambda: WriteTurns(enabled=False))

    # The running parts, set by their starters (``bot.workers``) and by ``bot.app.running``.
    router: Router | None = None
    poller: Poller | None = None
    webhook: WebhookServer | None = None
    presses: PressBatcher | None = None
    press_lane: PressLane | None = None
    sender: OutboxSender | None = None
    reminders: ReminderTicker | None = None
    broadcast_progress: ProgressUpdater | None = None
    lag: LagMonitor | None = None  # how late the event loop wakes up (bot.lag)
    scheduled: ScheduleTicker | None = None

    def now(self) -> datetime:
        return self.clock()
