"""``/rotate_link <unit code>`` (withdraw the unit's join link: a new one replaces it) and
``/join_approval <unit code> on|off`` (do joiners wait for a secretary?)."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.services import join_settings
from bot.services.join_links import qr_png_bytes
from bot.services.joining import deep_link
from handlers.common import translator, unit_of_work

MESSAGES = filters.UpdateType.MESSAGE & ~filters.ChatType.CHANNEL
SWITCH = {"on": True, "off": False, "bat": True, "tat": False, "bật": True, "tắt": False}


async def rotate_link(update: Update, ctx: Ctx) -> None:
    """A new join token for a unit the asker manages; the old link and QR code stop working."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    if len(args) != 1:
        await message.reply_text(t("rotate-usage"), parse_mode=ParseMode.HTML)
        return
    async with unit_of_work(ctx) as session:
        unit = await join_settings.rotate_link(
            session, user.id, args[0], ctx.rt.now(), ctx.settings.bot.admins
        )
        name, token = (unit.name, unit.join_token) if unit is not None else ("", "")
    if unit is None:
        await message.reply_text(t("unit-not-yours", code=escape(args[0])))
        return
    link = deep_link(ctx.rt.bot_username, token)
    text = t("rotate-done", unit=escape(name), link=link)
    await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)
    with contextlib.suppress(TelegramError):  # the link above is the answer; the QR a help
        await message.reply_photo(qr_png_bytes(link), caption=t("rotate-qr-caption", unit=name))


async def join_approval(update: Update, ctx: Ctx) -> None:
    """Whether claims by name and requests to be added wait for a secretary."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    if len(args) != 2 or args[1].lower() not in SWITCH:
        await message.reply_text(t("join-approval-usage"), parse_mode=ParseMode.HTML)
        return
    on = SWITCH[args[1].lower()]
    async with unit_of_work(ctx) as session:
        unit = await join_settings.set_join_approval(
            session, user.id, args[0], on, ctx.rt.now(), ctx.settings.bot.admins
        )
        name = unit.name if unit is not None else ""
    if unit is None:
        await message.reply_text(t("unit-not-yours", code=escape(args[0])))
        return
    key = "join-approval-on" if on else "join-approval-off"
    await message.reply_text(t(key, unit=escape(name)), parse_mode=ParseMode.HTML)


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("rotate_link", rotate_link, filters=MESSAGES))
    app.add_handler(CommandHandler("join_approval", join_approval, filters=MESSAGES))
