"""/status <number> (administrators, secretaries): per-chat delivery of a directive in the
asker's sub-trees, paged, with **Gửi lại** for the failed ones."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import access, pending, status
from bot.services.status_text import render_pages
from handlers.common import (
    asker_roots,
    edit_pressed,
    names_in_private,
    own_buttons,
    read_work,
    translator,
    unit_of_work,
)
from storage.models import Directive, Unit

_BUTTON = re.compile(r"^s([pr]):(\d{1,12})(?::(\d{1,4}))?$")


def _markup(
    t: Translator, directive_id: int, page: int, pages: int, failed: int
) -> InlineKeyboardMarkup | None:
    rows = []
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t("page-prev"), callback_data=f"sp:{directive_id}:{page - 1}")
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(t("page-next"), callback_data=f"sp:{directive_id}:{page + 1}")
        )
    if nav:
        rows.append(nav)
    if failed:
        rows.append(
            [
                InlineKeyboardButton(
                    t("status-retry-button", count=failed), callback_data=f"sr:{directive_id}"
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


async def _view(
    session: AsyncSession,
    ctx: Ctx,
    t: Translator,
    directive: Directive,
    roots: list[Unit],
    page: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    report = await status.delivery_status(session, directive, roots)
    pages = await asyncio.to_thread(render_pages, t, report, ctx.settings.locale.tz)
    page = max(0, min(page, len(pages) - 1))
    return pages[page], _markup(t, directive.id, page, len(pages), report.count(status.FAILED))


@names_in_private
async def status_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    admins = ctx.settings.bot.admins
    async with read_work(ctx, update) as session:  # answered once it has ended
        roots = await asker_roots(session, update, ctx)
        found = await access.directive_for(session, user.id, args[0], admins) if args else None
        view = await _view(session, ctx, t, found, roots, 0) if found and roots else None
    if not roots:
        await message.reply_text(t("status-not-allowed"))
    elif not args:
        await message.reply_text(t("status-usage"))
    elif view is None:  # no such directive, or not the asker's: one answer
        await message.reply_text(t("directive-not-found", number=args[0]))
    else:
        await message.reply_text(view[0], parse_mode=ParseMode.HTML, reply_markup=view[1])


@own_buttons()
async def on_button(update: Update, ctx: Ctx) -> None:
    """Paging and Gửi lại: the data is re-checked against the presser's own sub-trees."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    match = _BUTTON.match(query.data or "")
    done: status.Requeued | None = None
    view = None
    retry = match is not None and match.group(1) == "r"
    # Paging only reads; Gửi lại writes (one transaction).
    async with unit_of_work(ctx) if retry else read_work(ctx, update) as session:
        roots = await asker_roots(session, update, ctx)
        directive = await session.get(Directive, int(match.group(2))) if match else None
        if (
            match is not None
            and directive is not None
            and roots
            and pending.overlaps(await pending.targets_of(session, directive.id), roots)
        ):
            if match.group(1) == "r":
                done = await status.requeue_failed(session, directive.id, roots)
            view = await _view(session, ctx, t, directive, roots, int(match.group(3) or 0))
    # Answered after the commit: what the user is told has been written.
    if view is None:
        await query.answer(t("press-invalid"))
        return
    if done is not None:
        await query.answer(t("status-requeued-toast", count=done.messages))
    else:
        await query.answer()
    await edit_pressed(query, view[0], parse_mode=ParseMode.HTML, reply_markup=view[1])
    if done is not None and query.message is not None:
        lines = [t("status-requeued", count=done.messages, chats=done.chats)]
        if done.skipped_chats:
            lines.append(t("status-requeue-skipped", chats=done.skipped_chats))
        await ctx.bot.send_message(query.message.chat.id, "\n".join(lines))


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("status", status_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^s[pr]:"))
