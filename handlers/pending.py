"""/pending [number]: secretaries see who has not confirmed, by unit, paged with buttons."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import access, pending
from bot.services.pending_text import render_page
from handlers.common import (
    edit_pressed,
    names_in_private,
    own_buttons,
    read_work,
    translator,
)
from storage.models import Directive, Unit

_PAGE = re.compile(r"^p:(\d{1,12}):(\d{1,4})$")


def _pager(directive_id: int, page: int, pages: int, t: Translator) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t("page-prev"), callback_data=f"p:{directive_id}:{page - 1}")
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(t("page-next"), callback_data=f"p:{directive_id}:{page + 1}")
        )
    return InlineKeyboardMarkup([row])


# What to answer: the text, whether it is HTML, the buttons.
Answer = tuple[str, bool, InlineKeyboardMarkup | None]


@names_in_private
async def pending_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    async with read_work(ctx, update) as session:  # the answer is sent once it has ended
        text, as_html, markup = await _pending(update, ctx, session, user.id)
    await message.reply_text(
        text, parse_mode=ParseMode.HTML if as_html else None, reply_markup=markup
    )


async def _pending(update: Update, ctx: Ctx, session: AsyncSession, user_id: int) -> Answer:
    t = translator(update, ctx)
    roots = await access.asker_roots(session, user_id, ctx.settings.bot.admins)
    if not roots:
        return t("pending-not-secretary"), False, None
    args = ctx.args or []
    if args:
        found = await access.directive_for(session, user_id, args[0], ctx.settings.bot.admins)
        if found is None:
            return t("directive-not-found", number=args[0]), False, None
        directive = found
    else:
        choices = await pending.visible_directives(session, roots)
        if not choices:
            return t("pending-none"), False, None
        if len(choices) > 1:
            buttons = [
                [InlineKeyboardButton(f"{d.number} — {d.title[:40]}", callback_data=f"p:{d.id}:0")]
                for d in choices
            ]
            return t("pending-choose"), False, InlineKeyboardMarkup(buttons)
        directive = choices[0]
    return await _show(t, session, directive, roots, 0)


async def _show(
    t: Translator, session: AsyncSession, directive: Directive, roots: list[Unit], page: int
) -> Answer:
    report = await pending.pending_report(session, directive, roots)
    # Thousands of names: laid out in pages off the event loop (plain data, no session), and
    # only the page shown written out.
    text, pages = await asyncio.to_thread(render_page, t, report, page)
    return text, True, _pager(directive.id, min(page, pages - 1), pages, t)


@own_buttons()
async def pending_page(update: Update, ctx: Ctx) -> None:
    """Paging and choosing: the data is re-checked against the presser's own sub-trees."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    async with read_work(ctx, update) as session:
        shown = await _page(update, ctx, session, query, user.id)
    if shown is None:
        await query.answer(translator(update, ctx)("press-invalid"))
        return
    await query.answer()
    await edit_pressed(query, shown[0], parse_mode=ParseMode.HTML, reply_markup=shown[2])


async def _page(
    update: Update, ctx: Ctx, session: AsyncSession, query: CallbackQuery, user_id: int
) -> Answer | None:
    match = _PAGE.match(query.data or "")
    roots = await access.asker_roots(session, user_id, ctx.settings.bot.admins)
    directive = await session.get(Directive, int(match.group(1))) if match else None
    if (
        match is None
        or directive is None
        or not roots
        or not pending.overlaps(await pending.targets_of(session, directive.id), roots)
    ):
        return None
    return await _show(translator(update, ctx), session, directive, roots, int(match.group(2)))


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("pending", pending_command))
    app.add_handler(CallbackQueryHandler(pending_page, pattern=r"^p:"))
