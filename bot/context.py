"""A typed PTB context: handlers read ``ctx.rt``, ``ctx.texts``, ``ctx.settings``; and the one
``ChithiApp`` type of the application handlers register on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.i18n import Texts
from bot.runtime import Runtime, utc_now
from bot.services.tg_text import clean_argument

if TYPE_CHECKING:
    from bot.delivery.pacing import Pacer


class BotData:
    """Application-wide data: settings at build time, the runtime once ``post_init`` ran."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.clock: Callable[[], datetime] = utc_now
        self.runtime: Runtime | None = None
        self.workers: list[asyncio.Task[None]] = []
        self.pacer: Pacer | None = None  # shared by handler replies and the sender


class Ctx(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    # Every handler reads a command's arguments here, so this is the one place they are made
    # safe: control characters (NUL breaks PostgreSQL) dropped, each bounded in length.
    @property
    def args(self) -> list[str] | None:
        return self.__dict__.get("_clean_args")

    @args.setter
    def args(self, value: list[str] | None) -> None:
        clean = None if value is None else [clean_argument(a) for a in value]
        self.__dict__["_clean_args"] = None if clean is None else [a for a in clean if a]

    @property
    def rt(self) -> Runtime:
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("runtime not initialised (post_init has not run)")
        return runtime

    @property
    def texts(self) -> Texts:
        return self.rt.texts

    @property
    def settings(self) -> Settings:
        return self.rt.settings


# The application as built by ``bot.app.build_application``: every ``register()`` takes one.
ChithiApp = Application[Any, Ctx, Any, Any, BotData, Any]
