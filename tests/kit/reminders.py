"""Helpers for the reminder tests: local times, drafts, publishing, ticking, inboxes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config import Settings
from bot.reminder_worker import ReminderTicker
from bot.services.drafts import DirectiveDraft
from bot.services.publish import publish
from bot.services.reminder_tick import TickResult
from storage import queries
from storage.models import Reminder
from tests.kit.harness import Harness, bot_on_sandbox, make_settings
from tests.kit.scene import Scene

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """``'20/01/2027 17:00'`` in Vietnam, as an aware UTC datetime."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN).astimezone(UTC)


def naive(text: str) -> datetime:
    """The same, as a draft holds it (naive local time)."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M")


def shown(moment: datetime) -> str:
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M")


def draft(number: str, **fields: Any) -> DirectiveDraft:
    base: dict[str, Any] = {
        "number": number,
        "title": "V/v học tập chuyên đề năm 2027",
        "issuer": "Thành ủy Đồng Xoài",
        "targets": ["BP-DX"],
        "body": "Đề nghị các chi bộ tổ chức học tập chuyên đề.",
    }
    base.update(fields)
    return DirectiveDraft(**base)


async def publish_as(h: Harness, scene: Scene, d: DirectiveDraft, who: str = "admin") -> int:
    async with h.db() as s:
        publisher = await queries.member_by_telegram_id(s, scene.id(who))
        result = await publish(
            s,
            d,
            publisher=publisher,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
            reminder_settings=h.settings.reminders,
        )
        directive_id = result.directive.id
    await h.outbox_idle()
    return directive_id


def ticker(h: Harness) -> ReminderTicker:
    found = h.rt.reminders
    assert found is not None
    return found


async def tick(h: Harness) -> TickResult:
    """One reminder round at the fake clock's time, then let the outbox deliver."""
    result = await ticker(h).tick()
    await h.outbox_idle()
    return result


async def start_private(h: Harness, scene: Scene, *keys: str) -> None:
    for key in keys:
        await h.send(scene.users[key], "/start")


async def next_due(h: Harness) -> datetime | None:
    async with h.db() as s:
        return await s.scalar(
            select(Reminder.due_at)
            .where(Reminder.state == "pending")
            .order_by(Reminder.due_at)
            .limit(1)
        )


class Inbox:
    """What the bot sent to each person of the scene since the last ``take()``."""

    def __init__(self, h: Harness, scene: Scene) -> None:
        self.h, self.scene = h, scene
        self.seen = {key: len(h.bot_messages(scene.id(key))) for key in scene.users}

    def take(self) -> dict[str, list[str]]:
        new: dict[str, list[str]] = {}
        for key in self.scene.users:
            messages = self.h.bot_messages(self.scene.id(key))
            fresh = messages[self.seen[key] :]
            self.seen[key] = len(messages)
            if fresh:
                new[key] = [m.get("text") or m.get("caption") or "" for m in fresh]
        return new

    def last(self, key: str) -> dict[str, Any]:
        return self.h.bot_messages(self.scene.id(key))[-1]


def fast_settings(db_url: str) -> Settings:
    """Test settings with the per-chat pacing relaxed: these tests send several messages to
    one secretary at a time and should not wait a real second between them."""
    return make_settings(db_url, flood={"per_chat_per_second": 1000, "per_group_per_minute": 1000})


@asynccontextmanager
async def bot_process(
    sandbox: Any, settings: Settings, clock: Any, token: str | None = None
) -> AsyncIterator[Harness]:
    """A bot process on the sandbox; with ``token``, the same bot started again (a restart:
    its users' private chats are still open)."""
    async with bot_on_sandbox(sandbox, settings, clock=clock, token=token) as h:
        yield h


@asynccontextmanager
async def fast_harness(sandbox: Any, db_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with bot_on_sandbox(sandbox, fast_settings(db_url), clock=clock) as h:
        yield h
