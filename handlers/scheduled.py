"""/scheduled (private chat): the directives waiting for their publishing time in the asker's
own sub-trees, each with a Cancel button."""

from __future__ import annotations

import contextlib
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import scheduled
from bot.services.directive_rules import describe
from bot.services.drafts import DraftError
from handlers.common import asker, own_buttons, translator, unit_of_work
from storage.models import Directive

PREFIX = "sq"  # sq:x:<directive id>, at most 17 bytes of the 64 Telegram allows


def _listing(
    t: Translator, ctx: Ctx, found: list[Directive]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not found:
        return t("sq-none"), None
    tz = ctx.settings.locale.tz
    lines = [t("sq-list-head", count=len(found))]
    rows = []
    for d in found:
        at = scheduled.local_time(d.publish_at, tz) if d.publish_at else "?"
        lines.append(
            t("sq-list-line", number=html.escape(d.number), title=html.escape(d.title), at=at)
        )
        label = t("sq-button-cancel", number=d.number)[:60]
        rows.append([InlineKeyboardButton(label, callback_data=f"{PREFIX}:x:{d.id}")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def scheduled_command(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    if message is None:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        found = await scheduled.scheduled_for(session, member, ctx.settings.bot.admins)
    text, markup = _listing(t, ctx, found)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@own_buttons("sq-stale")
async def on_cancel(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None:
        return
    t = translator(update, ctx)
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] != "x" or not parts[2].isdigit() or len(parts[2]) > 12:
        await query.answer(t("sq-stale"))
        return
    try:
        async with unit_of_work(ctx) as session:
            member = await asker(session, update, ctx)
            number = await scheduled.cancel(
                session, int(parts[2]), member, ctx.settings.bot.admins, ctx.rt.now()
            )
            found = await scheduled.scheduled_for(session, member, ctx.settings.bot.admins)
    except DraftError as error:
        await query.answer(describe(t, error))  # a toast: plain text
        return
    text, markup = _listing(t, ctx, found)
    message = query.message
    if isinstance(message, Message):
        with contextlib.suppress(BadRequest):
            await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    await query.answer(t("sq-cancelled", number=number))


def register(app: ChithiApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("scheduled", scheduled_command, filters=private))
    app.add_handler(CallbackQueryHandler(on_cancel, pattern=rf"^{PREFIX}:"))
