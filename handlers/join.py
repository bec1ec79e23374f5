"""``/start <token>`` (a unit's join link: the claim offer of ``handlers.claims``) and ``/name``."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import joining
from bot.services.joining import JoinOutcome, JoinStatus, RenameStatus
from handlers import claims
from handlers.common import language_of, person_of, translator, unit_of_work

PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def unit_label(t: Translator, outcome: JoinOutcome) -> str:
    """``<b>Cell</b> (under District)``, escaped for HTML."""
    assert outcome.unit is not None
    if outcome.parent is None:
        return t("unit-label", unit=escape(outcome.unit.name))
    return t(
        "unit-label-with-parent", unit=escape(outcome.unit.name), parent=escape(outcome.parent.name)
    )


async def start_with_token(update: Update, ctx: Ctx) -> None:
    """Deep link ``t.me/<bot>?start=<token>``: the unit's list to find one's name on."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not ctx.args:
        return
    t = translator(update, ctx)
    page = None
    async with unit_of_work(ctx) as session:
        outcome = await joining.offer_join(
            session, person_of(user), ctx.args[0], language=language_of(update, ctx)
        )
        if outcome.status is JoinStatus.OFFERED and outcome.unit is not None:
            page = await claims.open_offer(session, ctx, user.id, outcome.unit)
    if outcome.status is JoinStatus.OFFERED and page is not None:
        await claims.show_offer(message, t, outcome, page)
    elif outcome.status is JoinStatus.ALREADY:
        text = t("join-already", unit=unit_label(t, outcome))
        await message.reply_text(text, parse_mode=ParseMode.HTML)
    else:
        await message.reply_text(t("join-invalid"))


async def name_command(update: Update, ctx: Ctx) -> None:
    """``/name <full name>`` corrects the member's display name."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        outcome = await joining.rename_member(
            session, person_of(user), " ".join(ctx.args or []), language=language_of(update, ctx)
        )
    if outcome.status is RenameStatus.EMPTY:
        await message.reply_text(t("name-usage"))
    elif outcome.status is RenameStatus.TOO_LONG:
        await message.reply_text(t("name-too-long", max=joining.NAME_MAX))
    else:
        text = t("name-done", name=escape(outcome.name))
        await message.reply_text(text, parse_mode=ParseMode.HTML)


def register(app: ChithiApp) -> None:
    # Registered before handlers.start: a /start with a payload is a join, without one a welcome.
    app.add_handler(
        CommandHandler("start", start_with_token, filters=PRIVATE_MESSAGES, has_args=True)
    )
    app.add_handler(CommandHandler("name", name_command, filters=PRIVATE_MESSAGES))
