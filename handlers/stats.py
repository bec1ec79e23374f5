"""/stats [number] [unit code] (administrators, secretaries): a directive's completion at a
unit and its child units, worst first, with buttons to drill down, go back up, page and get
the chart; without a number, the open directives of the asker's sub-tree. Figures only (no
names), so it may be answered where it was asked."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import access, stats
from bot.services.buttons import (
    STATS_CHART_PREFIX,
    STATS_VIEW_PREFIX,
    parse_stats_chart,
    parse_stats_view,
    stats_chart_data,
    stats_view_data,
)
from bot.services.chart import MAX_BARS, ChartTexts, render_chart
from bot.services.stats_text import render_list, render_view
from bot.services.tg_text import CAPTION_LIMIT, truncate
from handlers.common import asker_roots, edit_pressed, own_buttons, read_work, translator
from storage.models import Directive, Unit

BUTTON_ROOM = 40  # a unit's name on a button, in Telegram's units
Shown = tuple[str, InlineKeyboardMarkup | None]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(truncate(text, BUTTON_ROOM), callback_data=data)


async def _view(
    session: AsyncSession,
    ctx: Ctx,
    t: Translator,
    directive: Directive,
    unit: Unit,
    roots: list[Unit],
    page: int,
) -> Shown:
    view = await stats.stats_view(session, directive, unit, roots, ctx.rt.now())
    shown = render_view(t, view, page)
    d = directive.id
    rows: list[list[InlineKeyboardButton]] = []
    parents = {f.parent_id for f in view.rollup.units.values()}
    drill = [
        _button(t("stats-button-down", name=f.name), stats_view_data(d, f.unit_id))
        for f in shown.children
        if f.unit_id in parents  # a unit with units below it
    ]
    rows += [drill[i : i + 2] for i in range(0, len(drill), 2)]
    nav = []
    if shown.page > 0:
        nav.append(_button(t("page-prev"), stats_view_data(d, unit.id, shown.page - 1)))
    if shown.page < shown.pages - 1:
        nav.append(_button(t("page-next"), stats_view_data(d, unit.id, shown.page + 1)))
    if nav:
        rows.append(nav)
    last = [_button(t("stats-button-chart"), stats_chart_data(d, unit.id))]
    if view.parent is not None:
        last.insert(
            0,
            _button(
                t("stats-button-up", name=view.parent.name), stats_view_data(d, view.parent.id)
            ),
        )
    rows.append(last)
    return shown.text, InlineKeyboardMarkup(rows)


async def _list(session: AsyncSession, t: Translator, unit: Unit) -> Shown:
    items = await stats.open_directives(session, unit)
    buttons = [
        [_button(f"{d.number} — {d.title}", stats_view_data(d.id, unit.id))] for d, _n in items
    ]
    return render_list(t, unit, items), InlineKeyboardMarkup(buttons) if buttons else None


async def _answer(
    session: AsyncSession, update: Update, ctx: Ctx, t: Translator, user_id: int
) -> Shown | str:
    """What /stats shows, or the refusal (unknown and not the asker's are one answer)."""
    args, admins = ctx.args or [], ctx.settings.bot.admins
    roots = await asker_roots(session, update, ctx)
    if not roots:
        return t("stats-not-allowed")
    if not args:
        return await _list(session, t, roots[0])
    if len(args) > 2:
        return t("stats-usage")
    directive = await access.directive_for(session, user_id, args[0], admins)
    if len(args) == 2:
        unit = await access.unit_for(session, user_id, args[1], admins)
        if unit is None:
            return t("stats-unit-not-found", code=args[1])
    elif directive is None:  # /stats <unit code>: the open directives of that unit
        unit = await access.unit_for(session, user_id, args[0], admins)
        return await _list(session, t, unit) if unit else t("directive-not-found", number=args[0])
    else:
        unit = await stats.home_unit(session, roots, directive)
    if directive is None:
        return t("directive-not-found", number=args[0])
    return await _view(session, ctx, t, directive, unit, roots, 0)


async def stats_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    async with read_work(ctx, update) as session:
        shown = await _answer(session, update, ctx, t, user.id)
    if isinstance(shown, str):
        await message.reply_text(shown)
    else:
        await message.reply_text(shown[0], parse_mode=ParseMode.HTML, reply_markup=shown[1])


async def _checked(
    session: AsyncSession, update: Update, ctx: Ctx, directive_id: int, unit_id: int
) -> tuple[Directive, Unit, list[Unit]] | None:
    """The directive and unit of a button, re-checked against the presser's own sub-trees."""
    roots = await asker_roots(session, update, ctx)
    if not roots:
        return None
    directive = await stats.directive_in(session, roots, directive_id)
    unit = await stats.unit_in(session, roots, unit_id)
    return (directive, unit, roots) if directive is not None and unit is not None else None


@own_buttons()
async def on_view(update: Update, ctx: Ctx) -> None:
    """Drilling down, back up and paging: edits the pressed message."""
    query = update.callback_query
    if query is None:
        return
    t = translator(update, ctx)
    parsed = parse_stats_view(query.data or "")
    shown = None
    async with read_work(ctx, update) as session:
        found = await _checked(session, update, ctx, parsed[0], parsed[1]) if parsed else None
        if found is not None and parsed is not None:
            shown = await _view(session, ctx, t, found[0], found[1], found[2], parsed[2])
    if shown is None:
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    await edit_pressed(query, shown[0], parse_mode=ParseMode.HTML, reply_markup=shown[1])


@own_buttons()
async def on_chart(update: Update, ctx: Ctx) -> None:
    """📊 Biểu đồ: the chart of the unit's child units, drawn off the event loop."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    t = translator(update, ctx)
    parsed = parse_stats_chart(query.data or "")
    view = None
    async with read_work(ctx, update) as session:
        found = await _checked(session, update, ctx, parsed[0], parsed[1]) if parsed else None
        if found is not None:
            directive, unit, roots = found
            view = await stats.stats_view(session, directive, unit, roots, ctx.rt.now())
    if view is None:
        await query.answer(t("press-invalid"))
        return
    await query.answer()
    r = view.rollup
    kids = r.children(view.unit.id) or [r.root]
    name, count = view.unit.name, len(kids)
    subtitle = (
        t("stats-chart-subtitle", name=name, count=count)
        if count <= MAX_BARS
        else t("stats-chart-subtitle-cut", name=name, shown=MAX_BARS, count=count)
    )
    texts = ChartTexts(
        title=t("stats-chart-title", number=r.directive.number),
        subtitle=subtitle,
        received=t("stats-chart-received"),
        studied=t("stats-chart-studied"),
        axis=t("stats-chart-axis"),
        empty=t("stats-no-pct"),
    )
    png = await asyncio.to_thread(render_chart, kids, texts, r.directive.requires_study)
    caption = truncate(
        t("stats-chart-caption", number=r.directive.number, name=name), CAPTION_LIMIT
    )
    await query.message.reply_photo(png, caption=caption, do_quote=False)


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CallbackQueryHandler(on_view, pattern=rf"^{STATS_VIEW_PREFIX}:"))
    app.add_handler(CallbackQueryHandler(on_chart, pattern=rf"^{STATS_CHART_PREFIX}:"))
