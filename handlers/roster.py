"""Secretaries edit their units' rosters from chat: /member_add, /member_rename, /member_move,
/member_remove. Answers name people, so asked in a group they go to the asker's private chat."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.context import ChithiApp, Ctx
from bot.services import roster
from bot.services.drafts import DraftError
from bot.services.roster import RosterChange
from handlers.common import Handler, names_in_private, refusal, translator, unit_of_work

Edit = Callable[..., Awaitable[RosterChange]]


def _command(edit: Edit, done: str) -> Handler:
    """A handler running one roster edit and answering with the text key ``done``."""

    @names_in_private
    async def command(update: Update, ctx: Ctx) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        t = translator(update, ctx)
        try:
            async with unit_of_work(ctx) as session:
                change = await edit(
                    session,
                    user.id,
                    ctx.args or [],
                    admins=ctx.settings.bot.admins,
                    now=ctx.rt.now(),
                )
        except DraftError as exc:
            await message.reply_text(refusal(t, exc), parse_mode=ParseMode.HTML)
            return
        key = f"{done}-phone" if change.phone else done
        text = t(
            key,
            name=html.escape(change.name),
            unit=html.escape(change.unit.name),
            previous=html.escape(change.previous),
            target=html.escape(change.target.name if change.target else ""),
            phone=change.phone or "",
        )
        await message.reply_text(text, parse_mode=ParseMode.HTML)

    return command


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("member_add", _command(roster.add_member, "roster-added")))
    app.add_handler(
        CommandHandler("member_rename", _command(roster.rename_member, "roster-renamed"))
    )
    app.add_handler(CommandHandler("member_move", _command(roster.move_member, "roster-moved")))
    app.add_handler(
        CommandHandler("member_remove", _command(roster.remove_member, "roster-removed"))
    )
