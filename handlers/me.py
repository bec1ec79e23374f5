"""/me: in private, the member's open directives with what they have and have not confirmed,
and the confirmation buttons (pressed, they go through the press lane like a post's)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.context import ChithiApp, Ctx
from bot.services import me
from bot.services.me_text import render_me
from handlers.common import names_in_private, read_work, translator, unit_of_work
from storage import queries


@names_in_private  # what one member has confirmed is theirs: answered in private only
async def me_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    async with read_work(ctx, update) as session:  # the answer is sent once it has ended
        member = await queries.member_by_telegram_id(session, user.id)
        listed = member is not None and await me.is_listed(session, member.id)
        answer = (
            render_me(t, await me.my_directives(session, member.id)) if member and listed else None
        )
    if member is None or answer is None:
        await message.reply_text(t("me-not-member"))
        return
    markup = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in answer.buttons
            ]
        )
        if answer.buttons
        else None
    )
    if not answer.directive_ids:
        await message.reply_text(answer.text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    # The buttons are recorded once Telegram has given the message its id, in a transaction
    # begun before the send: a press on the message (which may come at once) waits for it
    # (SQLite's write lock; PostgreSQL's unique key) instead of finding no record of it.
    async with unit_of_work(ctx) as session:
        await session.connection()  # begun now, not at the first write after the send
        sent = await message.reply_text(answer.text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await me.record_sent(
            session, answer.directive_ids, sent.chat.id, sent.message_id, ctx.rt.now()
        )


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("me", me_command))
