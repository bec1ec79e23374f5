"""Registered last in group 0 (first match wins there): unknown commands in private chats get a
short hint instead of silence, and a button press no handler recognised gets a short toast
(every callback query must be answered, or the user's client keeps showing a spinner).

Every button handler is registered in group 0, so this one only sees presses none took."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from handlers.common import translator


async def unknown_command(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].split("@")[0]
    t = translator(update, ctx)
    if command == "/cancel":  # every dialogue handles its own /cancel; here none is running
        await message.reply_text(t("nothing-to-cancel"))
        return
    await message.reply_text(t("error-unknown-command", command=command))


async def unknown_press(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(translator(update, ctx)("press-invalid"))


def register(app: ChithiApp) -> None:
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
    app.add_handler(CallbackQueryHandler(unknown_press))
