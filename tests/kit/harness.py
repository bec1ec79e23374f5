"""A conversation-style harness: a running bot on the sandbox server, users who talk to it.

Tests read like a chat: ``reply = await h.send(lan, "/start")``; ``await h.press(...)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.app import ChithiApp, build_application, running
from bot.config import Settings
from bot.runtime import Runtime
from sandbox import Driver, SandboxServer
from storage.db import transaction

JSON = dict[str, Any]


def buttons_of(message: JSON) -> list[JSON]:
    """The inline buttons of a message, row after row (none without a keyboard)."""
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


@dataclass
class FakeClock:
    """An injectable clock: tests move time instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2027, 1, 10, 1, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**kwargs)


@dataclass
class Harness:
    sandbox: SandboxServer
    token: str
    app: ChithiApp
    settings: Settings
    clock: Callable[[], datetime]  # what the bot reads as "now" (a FakeClock in most tests)

    @property
    def driver(self) -> Driver:
        """The sandbox users' driver for this bot (the one ``chithi demo`` uses too)."""
        return Driver(self.sandbox, self.token)

    @property
    def rt(self) -> Runtime:
        runtime = self.app.bot_data.runtime
        assert runtime is not None
        return runtime

    def db(self) -> Any:
        """``async with h.db() as session``: one committed transaction."""
        return transaction(self.rt.sessions)

    def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        language: str = "vi",
        username: str | None = None,
        phone: str | None = None,
    ) -> Any:
        return self.sandbox.create_user(
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language,
            phone_number=phone,
        )

    def group(
        self,
        title: str,
        kind: str = "supergroup",
        *,
        members: Iterable[Any] = (),
        admins: Iterable[Any] = (),
        with_bot: bool = False,
    ) -> Any:
        """A group (or supergroup) with these users in it and, with ``with_bot``, the bot."""
        chat = self.sandbox.create_chat(type=kind, title=title)
        for user in admins:
            self.sandbox.add_chat_member(chat.id, user.id, "administrator")
        for user in members:
            self.sandbox.add_chat_member(chat.id, user.id, "member")
        if with_bot:
            self.sandbox.add_bot_to_chat(chat.id, self.token, announce=False)
        return chat

    def channel(
        self,
        title: str,
        *,
        username: str | None = None,
        admins: Iterable[Any] = (),
        bot_status: str | None = "administrator",
    ) -> Any:
        """A channel administered by ``admins``; the bot is added with ``bot_status`` (or not)."""
        chat = self.sandbox.create_chat(type="channel", title=title, username=username)
        for user in admins:
            self.sandbox.add_chat_member(chat.id, user.id, "administrator")
        if bot_status is not None:
            self.sandbox.add_bot_to_chat(chat.id, self.token, status=bot_status, announce=False)
        return chat

    def bot_messages(self, chat_id: int) -> list[JSON]:
        return list(self.sandbox.messages(chat_id))

    async def send(
        self,
        user: Any,
        text: str,
        *,
        chat_id: int | None = None,
        replies: int = 1,
        timeout: float = 10.0,
    ) -> list[JSON]:
        """Send ``text`` as ``user`` and wait for ``replies`` new bot messages in that chat
        (with none: until the bot has handled it)."""
        if replies == 0:
            self.sandbox.send_text(self.token, user.id, text, chat_id=chat_id)
            await self.settle()
            return []
        return await self.driver.send(user, text, chat_id=chat_id, replies=replies, timeout=timeout)

    async def edit(
        self, user: Any, message_id: int, text: str, *, chat_id: int | None = None
    ) -> None:
        """``user`` edits their message ``message_id`` to read ``text``; waits until the bot
        has handled the edit."""
        self.sandbox.edit_text(self.token, user.id, chat_id, message_id, text)
        await self.settle()

    async def press(
        self, user: Any, chat_id: int, message_id: int, data: str, timeout: float = 10.0
    ) -> JSON:
        """Press an inline button; returns the bot's answer (toast text, show_alert)."""
        return await self.driver.press(user, chat_id, message_id, data, timeout=timeout)

    async def outbox_idle(self, timeout: float = 20.0) -> None:
        """Wait until every outbox row is sent or failed (recorded in the database)."""
        import asyncio

        from sqlalchemy import func, select

        from storage.models import Delivery

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.rt.sessions() as session:
                busy = await session.scalar(
                    select(func.count(Delivery.id)).where(Delivery.state.in_(("queued", "sending")))
                )
            if not busy:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"{busy} deliveries still queued or sending")
            await asyncio.sleep(0.05)

    async def settle(
        self, predicate: Callable[[], bool] | None = None, timeout: float = 10.0
    ) -> None:
        """Wait until the bot has fetched every queued update and ``predicate`` holds."""
        import asyncio

        await self.sandbox.wait_for(
            lambda: not self.sandbox.pending_updates(self.token), timeout=timeout
        )
        await asyncio.sleep(0.05)
        while self.app.update_queue.qsize() or _busy(self.app):
            await asyncio.sleep(0.02)
        if predicate is not None:
            await self.sandbox.wait_for(predicate, timeout=timeout)


def _busy(app: ChithiApp) -> bool:
    # PTB tracks updates being processed concurrently in its update processor; presses taken
    # by the poller's fast lane are counted by the lane.
    processor = app.update_processor
    runtime = app.bot_data.runtime
    lane = runtime.press_lane if runtime is not None else None
    pressing = lane is not None and (lane.spawned > 0 or lane.in_flight > 0)
    return processor.current_concurrent_updates > 0 or pressing


def make_settings(db_url: str, **overrides: Any) -> Settings:
    """Settings for a test bot: given database, no real Telegram, fast counters."""
    data: JSON = {
        "database": {"url": db_url, "auto_upgrade": False},
        "delivery": {"counter_refresh_seconds": 0.2, "poll_interval_seconds": 0.05},
        "reminders": {"tick_seconds": 3600},
        # The sandbox fixture does not enforce limits; pace fast so conversations are quick.
        # Tests about the limits set both sides explicitly.
        "flood": {
            "global_per_second": 1000,
            "per_chat_per_second": 50,
            "per_group_per_minute": 3000,
        },
    }
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return Settings.model_validate(data)


# The ``make_harness`` fixture (tests/conftest.py): ``async with make_harness(**overrides) as h``.
MakeHarness = Callable[..., AbstractAsyncContextManager[Harness]]


@asynccontextmanager
async def bot_on_sandbox(
    sandbox: SandboxServer,
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    token: str | None = None,
    *,
    webhook: bool = False,
) -> AsyncIterator[Harness]:
    """A real PTB Application polling the sandbox server over HTTP (with ``webhook``: served
    by webhook, ``settings.webhook`` saying where); with ``token``, that bot started again (a
    restart: its users' private chats are still open), else a new bot."""
    if token is None:
        token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    kwargs: JSON = {} if clock is None else {"clock": clock}
    app = build_application(
        settings,
        token=token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        **kwargs,
    )
    async with running(app, webhook=settings.webhook if webhook else None):
        yield Harness(
            sandbox=sandbox, token=token, app=app, settings=settings, clock=app.bot_data.clock
        )
