"""Glue shared by handlers: one transaction per update, the asking user, their language."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update, User

from bot.context import Ctx
from bot.i18n import Translator, pick_language
from bot.services.drafts import DraftError
from bot.services.people import TelegramPerson
from storage.db import transaction

Handler = Callable[[Update, Ctx], Awaitable[Any]]


def unit_of_work(ctx: Ctx) -> AbstractAsyncContextManager[AsyncSession]:
    """The update's one transaction: ``async with unit_of_work(ctx) as session``.

    Do the database work inside the block and answer the user after it, so that what the user
    is told has been committed.
    """
    return transaction(ctx.rt.sessions)


def person_of(user: User) -> TelegramPerson:
    """The user as services see them (names cleaned on the way in: see ``TelegramPerson``)."""
    return TelegramPerson(
        telegram_id=user.id,
        full_name=user.full_name,
        username=user.username,
        language_code=user.language_code,
    )


def language_of(update: Update, ctx: Ctx) -> str:
    """The asking user's language: Telegram's language code, else the configured default."""
    user = update.effective_user
    default = ctx.settings.locale.default_language
    return pick_language(user.language_code if user else None, default)


def translator(update: Update, ctx: Ctx) -> Translator:
    return ctx.texts.for_lang(language_of(update, ctx))


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


def refusal(t: Translator, error: DraftError) -> str:
    """A service's refusal as HTML to reply with: its arguments, often the user's own words
    (``/deadline <b>x``), escaped. Command arguments are already cleaned and bounded (``Ctx``)."""
    args = {k: html.escape(v) if isinstance(v, str) else v for k, v in error.args_.items()}
    return t(error.key, **args)
