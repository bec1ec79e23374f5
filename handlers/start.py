"""/start (welcome) and /help."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.services.people import ensure_member
from bot.services.roles import menu_role
from handlers.common import language_of, person_of, translator, unit_of_work
from handlers.menus import set_menu
from storage import queries


async def start(update: Update, ctx: Ctx) -> None:
    """Greets the user and remembers that they opened a private chat with the bot."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    async with unit_of_work(ctx) as session:
        known = await queries.member_by_telegram_id(session, user.id)
        first_start = known is None or not known.private_chat
        member = await ensure_member(
            session, person_of(user), language=language_of(update, ctx), private_chat=True
        )
        menu = await menu_role(session, member, ctx.settings.bot.admins) if first_start else None
    t = translator(update, ctx)
    await message.reply_text(
        t("welcome", name=html.escape(user.first_name)), parse_mode=ParseMode.HTML
    )
    if menu is not None and menu != "member":  # a member's menu is everyone's (the default)
        await set_menu(ctx.bot, ctx.texts, user.id, menu)


async def help_command(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(translator(update, ctx)("help"), parse_mode=ParseMode.HTML)


def register(app: ChithiApp) -> None:
    # /start with a payload is handled by the joining flow, registered before this one.
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("help", help_command))
