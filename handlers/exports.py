"""/export, /report_draft, /reports and /audit: what the office takes away and reads back.

Every answer names people or units' reports, so each goes to the asker's private chat
(``names_in_private``): asked in a group, the group only gets a pointer.
"""

from __future__ import annotations

import html
import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import access, audit_log, exports, pending, unit_reports
from bot.services.drafts import DraftError
from bot.services.report_draft import build_report_draft, draft_name
from handlers.common import (
    asker,
    asker_roots,
    edit_pressed,
    names_in_private,
    own_buttons,
    read_work,
    refusal,
    translator,
    unit_of_work,
)
from storage.models import Directive, Unit

_REPORTS_PAGE = re.compile(r"^rp:(\d{1,12}):(\d{1,4})$")
_REPORT_FILE = re.compile(r"^rf:(\d{1,12})$")
_DRAFT = re.compile(r"^rd:(\d{1,12})$")


# -- /export [number|period] [unit code] --------------------------------------------------------


async def _export_scope(
    session: AsyncSession, update: Update, ctx: Ctx, t: Translator, user_id: int
) -> tuple[list[Directive], list[Unit], str] | str:
    """What to export (directives, sub-trees, label) or the refusal to answer with."""
    roots = await asker_roots(session, update, ctx)
    if not roots:
        return t("export-not-allowed")
    args = ctx.args or []
    if not args:
        return t("export-usage")
    admins = ctx.settings.bot.admins
    if len(args) > 1:
        unit = await access.unit_for(session, user_id, args[1], admins)
        if unit is None:  # unknown, or not the asker's: one answer
            return t("unit-not-yours", code=html.escape(args[1]))
        roots = [unit]
    directive = await access.directive_for(session, user_id, args[0], admins)
    if directive is not None:
        return [directive], roots, directive.number
    period = exports.parse_period(args[0])
    if period is None:
        return t("directive-not-found", number=html.escape(args[0]))
    year, month = period
    found = await exports.directives_of_period(session, year, month, roots, ctx.settings.locale.tz)
    label = f"{month:02d}/{year}"
    if not found:
        return t("export-none", period=label)
    return found, roots, label


@names_in_private
async def export_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    files = None
    async with read_work(ctx, update) as session:  # the files are built in a read
        scope = await _export_scope(session, update, ctx, t, user.id)
        if not isinstance(scope, str):
            directives, roots, label = scope
            files = await exports.build_export(
                session, directives, roots, ctx.rt.now(), ctx.settings.locale.tz, t, label=label
            )
    if files is not None:  # then audited in a short write
        async with unit_of_work(ctx) as session:
            await exports.record_export(
                session, files, roots, ctx.rt.now(), label=label, actor=str(user.id)
            )
    # Sent after the commit: the export is audited before anyone holds the file.
    if files is None:
        assert isinstance(scope, str)
        await message.reply_text(scope, parse_mode=ParseMode.HTML)
        return
    caption = t(
        "export-caption-xlsx",
        label=html.escape(label),
        members=files.members,
        directives=len(files.directives),
    )
    await message.reply_document(
        InputFile(files.xlsx, filename=files.xlsx_name), caption=caption, parse_mode=ParseMode.HTML
    )
    await message.reply_document(
        InputFile(files.csv, filename=files.csv_name), caption=t("export-caption-csv")
    )


# -- /report_draft <number> [unit code] (admins), and the /stats button rd:<directive id> -------


async def _draft(
    session: AsyncSession, update: Update, ctx: Ctx, directive: Directive, unit: Unit | None
) -> bytes | None:
    """The DOCX for the admin asking, or None if they are no admin or the directive reaches
    none of their sub-trees."""
    member = await asker(session, update, ctx)
    user = update.effective_user
    if member is None or user is None:
        return None
    if not await access.is_admin(session, member, ctx.settings.bot.admins):
        return None
    targets = await pending.targets_of(session, directive.id)
    admins = ctx.settings.bot.admins
    roots = (
        [unit] if unit is not None else list(await access.managed_roots(session, member, admins))
    )
    root = next((r for r in roots if pending.overlaps(targets, [r])), None)
    if root is None:
        return None
    return await build_report_draft(
        session,
        directive,
        root,
        ctx.rt.now(),
        ctx.settings.locale.tz,
        translator(update, ctx),
        actor=str(user.id),
    )


@names_in_private
async def report_draft_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    admins = ctx.settings.bot.admins
    answer = None
    document = None
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        if member is None or not await access.is_admin(session, member, admins):
            answer = t("draft-not-admin")
        elif not args:
            answer = t("draft-usage")
        else:
            directive = await access.directive_for(session, user.id, args[0], admins)
            unit = await access.unit_for(session, user.id, args[1], admins) if args[1:] else None
            if directive is None:
                answer = t("directive-not-found", number=html.escape(args[0]))
            elif args[1:] and unit is None:
                answer = t("unit-not-yours", code=html.escape(args[1]))
            else:
                document = await _draft(session, update, ctx, directive, unit)
                name, number = draft_name(directive), directive.number
                if document is None:
                    answer = t("directive-not-found", number=html.escape(args[0]))
    if document is None:
        await message.reply_text(answer or t("draft-usage"), parse_mode=ParseMode.HTML)
        return
    await message.reply_document(
        InputFile(document, filename=name), caption=t("draft-caption", number=number)
    )


@own_buttons()
async def report_draft_button(update: Update, ctx: Ctx) -> None:
    """The admins' button under /stats (data ``rd:<directive id>``): the draft, in private."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    match = _DRAFT.match(query.data or "")
    document = None
    async with unit_of_work(ctx) as session:
        directive = await session.get(Directive, int(match.group(1))) if match else None
        if directive is not None:
            document = await _draft(session, update, ctx, directive, None)
            name, number = draft_name(directive), directive.number
    if document is None:
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    await ctx.bot.send_document(
        user.id, InputFile(document, filename=name), caption=t("draft-caption", number=number)
    )


# -- /reports <number> ---------------------------------------------------------------------------


def reports_markup(
    t: Translator, directive_id: int, page: int, pages: int, files: list[tuple[int, int]]
) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(t("reports-file-button", n=n), callback_data=f"rf:{cycle_id}")]
        for cycle_id, n in files
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t("page-prev"), callback_data=f"rp:{directive_id}:{page - 1}")
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(t("page-next"), callback_data=f"rp:{directive_id}:{page + 1}")
        )
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


async def _reports_view(
    session: AsyncSession,
    ctx: Ctx,
    t: Translator,
    directive: Directive,
    roots: list[Unit],
    page: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    view = await unit_reports.unit_reports(session, directive, roots, ctx.rt.now())
    pages = unit_reports.render_pages(t, view, ctx.settings.locale.tz)
    page = max(0, min(page, len(pages) - 1))
    text, cycles = pages[page]
    numbers = {r.cycle_id: i for i, r in enumerate(view.files, start=1)}
    markup = reports_markup(t, directive.id, page, len(pages), [(c, numbers[c]) for c in cycles])
    return text, markup


@names_in_private
async def reports_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    async with read_work(ctx, update) as session:
        roots = await asker_roots(session, update, ctx)
        found = (
            await access.directive_for(session, user.id, args[0], ctx.settings.bot.admins)
            if args and roots
            else None
        )
        view = await _reports_view(session, ctx, t, found, roots, 0) if found else None
    if not roots:
        await message.reply_text(t("reports-not-allowed"))
    elif not args:
        await message.reply_text(t("reports-usage"))
    elif view is None:  # no such directive, or not the asker's: one answer
        await message.reply_text(t("directive-not-found", number=html.escape(args[0])))
    else:
        await message.reply_text(view[0], parse_mode=ParseMode.HTML, reply_markup=view[1])


@own_buttons()
async def reports_button(update: Update, ctx: Ctx) -> None:
    """Paging (rp:) and re-sending a report's file (rf:), re-checked against the presser's
    own sub-trees."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    data = query.data or ""
    page, file = _REPORTS_PAGE.match(data), _REPORT_FILE.match(data)
    view = stored = None
    async with read_work(ctx, update) as session:
        roots = await asker_roots(session, update, ctx)
        if page is not None and roots:
            directive = await session.get(Directive, int(page.group(1)))
            if directive is not None and pending.overlaps(
                await pending.targets_of(session, directive.id), roots
            ):
                view = await _reports_view(session, ctx, t, directive, roots, int(page.group(2)))
        elif file is not None and roots:
            stored = await unit_reports.report_file(session, int(file.group(1)), roots)
    if view is None and stored is None:
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    if view is not None:
        await edit_pressed(query, view[0], parse_mode=ParseMode.HTML, reply_markup=view[1])
    elif stored is not None:
        await ctx.bot.send_document(user.id, stored[0])


# -- /audit [action] [dd/mm/yyyy] [actor id] (admins) -------------------------------------------


async def _audit_page(
    session: AsyncSession, ctx: Ctx, t: Translator, where: audit_log.AuditFilter, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    size = audit_log.PAGE_SIZE
    found = await audit_log.events(session, where, size + 1, page * size)
    more = len(found) > size
    tz = ctx.settings.locale.tz
    filters = " ".join(
        html.escape(x)
        for x in (
            where.action,
            where.since.astimezone(tz).strftime("%d/%m/%Y") if where.since else None,
            where.actor,
        )
        if x
    )
    header = t("audit-title", filters=f" — {filters}" if filters else "")
    if not found:
        return "\n".join([header, "", t("audit-empty")]), None
    text = audit_log.page_text(header, found[:size], tz, t("audit-page", page=page + 1))
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(t("page-prev"), callback_data=where.data(page - 1)))
    if more:
        nav.append(InlineKeyboardButton(t("page-next"), callback_data=where.data(page + 1)))
    return text, InlineKeyboardMarkup([nav]) if nav else None


async def _is_admin(session: AsyncSession, update: Update, ctx: Ctx) -> bool:
    member = await asker(session, update, ctx)
    return member is not None and await access.is_admin(session, member, ctx.settings.bot.admins)


@names_in_private
async def audit_command(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    if message is None:
        return
    t = translator(update, ctx)
    answer: tuple[str, InlineKeyboardMarkup | None]
    async with read_work(ctx, update) as session:
        if not await _is_admin(session, update, ctx):
            answer = (t("audit-not-admin"), None)
        else:
            try:
                where = audit_log.parse_words(ctx.args or [], ctx.settings.locale.tz)
            except DraftError as exc:
                answer = (refusal(t, exc), None)
            else:
                answer = await _audit_page(session, ctx, t, where, 0)
    await _reply(message, *answer)


async def _reply(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@own_buttons()
async def audit_button(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None:
        return
    t = translator(update, ctx)
    parsed = audit_log.AuditFilter.from_data(query.data or "", ctx.settings.locale.tz)
    view = None
    async with read_work(ctx, update) as session:
        if parsed is not None and await _is_admin(session, update, ctx):
            view = await _audit_page(session, ctx, t, parsed[0], parsed[1])
    if view is None:
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    await edit_pressed(query, view[0], parse_mode=ParseMode.HTML, reply_markup=view[1])


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("report_draft", report_draft_command))
    app.add_handler(CommandHandler("reports", reports_command))
    app.add_handler(CommandHandler("audit", audit_command))
    app.add_handler(CallbackQueryHandler(reports_button, pattern=r"^r[pf]:"))
    app.add_handler(CallbackQueryHandler(report_draft_button, pattern=r"^rd:"))
    app.add_handler(CallbackQueryHandler(audit_button, pattern=r"^au:"))
