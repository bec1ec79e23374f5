"""What a running bot shares between updates and jobs: settings, database, texts, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.i18n import Texts
from storage.db import SessionFactory
from storage.write_turns import WriteTurns


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
    pacer: Any = None  # bot.delivery.pacing.Pacer: the one flood-limit schedule of this process
    extras: dict[str, object] = field(default_factory=dict)
    # SQLite: the process's writers (outbox sender, press batcher) take turns (see write_turns)
    write_turns: WriteTurns = field(default_factory=lambda: WriteTurns(enabled=False))

    def now(self) -> datetime:
        return self.clock()
