"""``/start <token>`` (join a unit by deep link, with a confirm button) and ``/name``."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import joining
from bot.services.joining import JoinOutcome, JoinStatus, RenameStatus
from handlers.common import language_of, own_buttons, person_of, translator, unit_of_work

CANCEL_DATA = "join:no"
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
    """Deep link ``t.me/<bot>?start=<token>``: show the unit and ask for confirmation."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not ctx.args:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        outcome = await joining.offer_join(
            session, person_of(user), ctx.args[0], language=language_of(update, ctx)
        )
    if outcome.status is JoinStatus.OFFERED:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("join-button-confirm"), callback_data=outcome.confirm_data
                    ),
                    InlineKeyboardButton(t("join-button-cancel"), callback_data=CANCEL_DATA),
                ]
            ]
        )
        text = t("join-offer", unit=unit_label(t, outcome))
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    elif outcome.status is JoinStatus.ALREADY:
        text = t("join-already", unit=unit_label(t, outcome))
        await message.reply_text(text, parse_mode=ParseMode.HTML)
    else:
        await message.reply_text(t("join-invalid"))


@own_buttons()
async def on_join_button(update: Update, ctx: Ctx) -> None:
    """Confirm or cancel; the data is re-checked against the unit's current token."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    if query.data == CANCEL_DATA:
        await query.answer(t("join-cancelled-toast"))
        await _edit(query.edit_message_text(t("join-cancelled")))
        return
    async with unit_of_work(ctx) as session:
        outcome = await joining.confirm_join(
            session, person_of(user), query.data or "", language=language_of(update, ctx)
        )
    # Answered after the commit: "joined" means joined.
    if outcome.status is JoinStatus.INVALID:
        await query.answer(t("join-invalid-toast"), show_alert=True)
        await _edit(query.edit_message_text(t("join-invalid")))
        return
    joined = outcome.status is JoinStatus.JOINED
    await query.answer(t("join-done-toast" if joined else "join-already-toast"))
    text = t("join-done" if joined else "join-already", unit=unit_label(t, outcome))
    await _edit(query.edit_message_text(text, parse_mode=ParseMode.HTML))


async def _edit(edit: Awaitable[object]) -> None:
    """Edits may fail harmlessly (same text after a double tap, message too old)."""
    with contextlib.suppress(BadRequest):
        await edit


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
    app.add_handler(CallbackQueryHandler(on_join_button, pattern=r"^join:"))
    app.add_handler(CommandHandler("name", name_command, filters=PRIVATE_MESSAGES))
