""" "Nhắc lại sau" on a private reminder, and /deadline (admins, secretaries) to move a deadline."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.services import deadlines
from bot.services.drafts import DraftError
from bot.services.reminders import ReminderRules
from bot.services.render import format_deadline
from bot.services.snooze import SNOOZED, snooze_press
from handlers.common import refusal, translator, unit_of_work


async def on_snooze(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    message = query.message
    async with unit_of_work(ctx) as session:
        outcome = await snooze_press(
            session,
            query.data or "",
            telegram_id=query.from_user.id,
            chat_id=message.chat.id if message is not None else 0,
            message_id=message.message_id if message is not None else None,
            now=ctx.rt.now(),
        )
    t = translator(update, ctx)
    tz = ctx.settings.locale.tz
    if outcome.status != SNOOZED:
        await query.answer(t("snooze-invalid"))
    elif outcome.until is not None:
        await query.answer(
            t("snooze-until", number=outcome.number, when=format_deadline(t, outcome.until, tz))
        )
    else:
        deadline = format_deadline(t, outcome.deadline, tz) if outcome.deadline else ""
        await query.answer(t("snooze-last", number=outcome.number, deadline=deadline))


async def deadline_command(update: Update, ctx: Ctx) -> None:
    """``/deadline <number> <nhan|hoc|baocao> <dd/mm/yyyy hh:mm | bo>``."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    if len(args) < 3:
        await message.reply_text(t("deadline-usage"), parse_mode=ParseMode.HTML)
        return
    number, which, when = args[0], args[1], " ".join(args[2:])
    settings = ctx.settings
    try:
        async with unit_of_work(ctx) as session:
            directive = await deadlines.directive_to_change(
                session, user.id, number, settings.bot.admins
            )
            change = await deadlines.change_deadline(
                session,
                directive,
                which,
                deadlines.parse_local_time(when),
                now=ctx.rt.now(),
                rules=ReminderRules.from_settings(settings),
                actor=str(user.id),
            )
    except DraftError as exc:
        await message.reply_text(refusal(t, exc), parse_mode=ParseMode.HTML)
        return
    tz = settings.locale.tz
    await message.reply_text(
        t(
            "deadline-changed",
            label=t(f"deadline-label-{change.which}"),
            number=html.escape(change.directive.number),
            old=format_deadline(t, change.old, tz) if change.old else t("deadline-none"),
            new=format_deadline(t, change.new, tz) if change.new else t("deadline-none"),
        ),
        parse_mode=ParseMode.HTML,
    )


def register(app: ChithiApp) -> None:
    app.add_handler(CallbackQueryHandler(on_snooze, pattern=r"^z:"))
    app.add_handler(CommandHandler("deadline", deadline_command))
