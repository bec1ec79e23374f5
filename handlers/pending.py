"""/pending [number]: secretaries see who has not confirmed, by unit, paged with buttons."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import access, pending
from bot.services.pending_text import render_pages
from handlers.common import (
    edit_pressed,
    names_in_private,
    own_buttons,
    translator,
    unit_of_work,
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


@names_in_private
async def pending_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    async with unit_of_work(ctx) as session:  # read-only: answering inside is safe
        await _pending(update, ctx, session, message, user.id)


async def _pending(
    update: Update, ctx: Ctx, session: AsyncSession, message: Message, user_id: int
) -> None:
    t = translator(update, ctx)
    roots = await access.asker_roots(session, user_id, ctx.settings.bot.admins)
    if not roots:
        await message.reply_text(t("pending-not-secretary"))
        return
    args = ctx.args or []
    if args:
        found = await access.directive_for(session, user_id, args[0], ctx.settings.bot.admins)
        if found is None:
            await message.reply_text(t("directive-not-found", number=args[0]))
            return
        directive = found
    else:
        choices = await pending.visible_directives(session, roots)
        if not choices:
            await message.reply_text(t("pending-none"))
            return
        if len(choices) > 1:
            buttons = [
                [InlineKeyboardButton(f"{d.number} — {d.title[:40]}", callback_data=f"p:{d.id}:0")]
                for d in choices
            ]
            await message.reply_text(
                t("pending-choose"), reply_markup=InlineKeyboardMarkup(buttons)
            )
            return
        directive = choices[0]
    await _show(update, ctx, session, directive, roots, 0, edit=False)


async def _show(
    update: Update,
    ctx: Ctx,
    session: AsyncSession,
    directive: Directive,
    roots: list[Unit],
    page: int,
    *,
    edit: bool,
) -> None:
    t = translator(update, ctx)
    report = await pending.pending_report(session, directive, roots)
    pages = render_pages(t, report)
    page = min(page, len(pages) - 1)
    markup = _pager(directive.id, page, len(pages), t)
    query = update.callback_query
    if edit and query is not None:
        await edit_pressed(query, pages[page], parse_mode=ParseMode.HTML, reply_markup=markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(
            pages[page], parse_mode=ParseMode.HTML, reply_markup=markup
        )


@own_buttons()
async def pending_page(update: Update, ctx: Ctx) -> None:
    """Paging and choosing: the data is re-checked against the presser's own sub-trees."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    async with unit_of_work(ctx) as session:
        await _page(update, ctx, session, query, user.id)


async def _page(
    update: Update, ctx: Ctx, session: AsyncSession, query: CallbackQuery, user_id: int
) -> None:
    t = translator(update, ctx)
    match = _PAGE.match(query.data or "")
    roots = await access.asker_roots(session, user_id, ctx.settings.bot.admins)
    directive = await session.get(Directive, int(match.group(1))) if match else None
    if (
        match is None
        or directive is None
        or not roots
        or not pending.overlaps(await pending.targets_of(session, directive.id), roots)
    ):
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    await _show(update, ctx, session, directive, roots, int(match.group(2)), edit=True)


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("pending", pending_command))
    app.add_handler(CallbackQueryHandler(pending_page, pattern=r"^p:"))
