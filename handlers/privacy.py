"""``/mydata`` (what Chithi holds about the asker), ``/leave`` (off a unit's list) and
``/forget <person>`` (an administrator erases a person); private chats only, each change
confirmed with a button first."""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import privacy
from bot.services.privacy import HeldUnit, MyData, ToForget
from bot.services.render import format_date
from bot.services.roles import menu_role
from bot.services.tg_text import truncate
from handlers.common import (
    asker,
    edit_pressed,
    own_buttons,
    read_work,
    translator,
    unit_of_work,
)
from handlers.menus import set_menu
from handlers.roles import person_button
from storage import queries
from storage.models import Member

PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
GROUP_MESSAGES = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
TITLE_WIDTH = 60  # a directive's title in /mydata, in Telegram's units
_DATA = re.compile(r"^pr:(l|ly|f|fy|n)(?::(\d{1,12}))?$")
NO = "pr:n"


def _yes_no(t: Translator, yes_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("privacy-button-yes"), callback_data=yes_data),
                InlineKeyboardButton(t("privacy-button-no"), callback_data=NO),
            ]
        ]
    )


def _unit_line(t: Translator, held: HeldUnit) -> str:
    return t(
        "privacy-unit-line",
        unit=escape(held.name),
        code=escape(held.code),
        role=t(f"role-{held.role}"),
    )


def render_my_data(t: Translator, data: MyData, ctx: Ctx) -> str:
    """``/mydata``'s answer, HTML-escaped."""
    none = t("privacy-none")
    lines = [
        t("privacy-mydata-title"),
        t("privacy-field-name", value=escape(data.full_name)),
        t("privacy-field-username", value=escape(f"@{data.username}") if data.username else none),
        t("privacy-field-telegram", value=str(data.telegram_id or none)),
        t("privacy-field-phone", value=escape(data.phone or none)),
        t("privacy-field-card", value=escape(data.card_number or none)),
        t(
            "privacy-field-birth",
            value=format_date(data.birth_date) if data.birth_date else none,
        ),
        "",
        t("privacy-units-title", count=len(data.units)),
    ]
    lines += [_unit_line(t, held) for held in data.units] or [t("privacy-units-none")]
    lines += ["", t("privacy-confirmations-title", count=data.confirmations_total)]
    tz = ctx.settings.locale.tz
    for c in data.confirmations:
        lines.append(
            t(
                "privacy-confirmation-line",
                number=escape(c.number),
                title=escape(truncate(c.title, TITLE_WIDTH)),
                kind=t(f"privacy-kind-{c.kind}"),
                date=format_date(c.at.astimezone(tz).date()),
                how=t(f"privacy-how-{c.how}"),
            )
        )
    hidden = data.confirmations_total - len(data.confirmations)
    if hidden > 0:
        lines.append(t("privacy-confirmations-more", count=hidden))
    lines += ["", t("privacy-mydata-footer")]
    return "\n".join(lines)


async def my_data(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if not isinstance(message, Message) or user is None:
        return
    t = translator(update, ctx)
    async with read_work(ctx, update) as session:
        member = await queries.member_by_telegram_id(session, user.id)
        data = await privacy.my_data(session, member) if member is not None else None
    if data is None:
        await message.reply_text(t("privacy-mydata-nothing"))
        return
    await message.reply_text(render_my_data(t, data, ctx), parse_mode=ParseMode.HTML)


async def private_only(update: Update, ctx: Ctx) -> None:
    """Asked in a group: personal data is shown in the private chat only."""
    message = update.effective_message
    if isinstance(message, Message):
        link = f"https://t.me/{ctx.rt.bot_username}"
        await message.reply_text(translator(update, ctx)("privacy-private-only", link=link))


# -- /leave -------------------------------------------------------------------------------------


async def leave(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if not isinstance(message, Message) or user is None:
        return
    t = translator(update, ctx)
    code = (ctx.args or [""])[0]
    async with unit_of_work(ctx) as session:
        member = await queries.member_by_telegram_id(session, user.id)
        held = await privacy.units_of(session, member) if member is not None else []
    if not held:
        await message.reply_text(t("privacy-leave-none"))
        return
    if not code:
        rows = [
            [InlineKeyboardButton(truncate(h.name, 60), callback_data=f"pr:l:{h.unit_id}")]
            for h in held
        ]
        await message.reply_text(t("privacy-leave-pick"), reply_markup=InlineKeyboardMarkup(rows))
        return
    chosen = next((h for h in held if h.code == code), None)
    if chosen is None:
        await message.reply_text(
            t("privacy-leave-not-on", code=escape(code)), parse_mode=ParseMode.HTML
        )
        return
    await message.reply_text(
        t("privacy-leave-confirm", unit=escape(chosen.name)),
        parse_mode=ParseMode.HTML,
        reply_markup=_yes_no(t, f"pr:ly:{chosen.unit_id}"),
    )


# -- /forget ------------------------------------------------------------------------------------


def _forget_prompt(
    t: Translator, found: list[Member], units: list[HeldUnit]
) -> tuple[str, InlineKeyboardMarkup]:
    if len(found) > 1:
        rows = [
            [
                InlineKeyboardButton(
                    person_button(m.full_name, m.phone), callback_data=f"pr:f:{m.id}"
                )
            ]
            for m in found
        ]
        return t("privacy-forget-choose", count=len(found)), InlineKeyboardMarkup(rows)
    person = found[0]
    text = t(
        "privacy-forget-confirm",
        name=escape(person.full_name),
        units=escape(", ".join(u.name for u in units)) or t("privacy-none"),
    )
    return text, _yes_no(t, f"pr:fy:{person.id}")


async def forget(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    if not isinstance(message, Message):
        return
    t = translator(update, ctx)
    ref = " ".join(ctx.args or [])
    if not ref:
        await message.reply_text(t("privacy-forget-usage"), parse_mode=ParseMode.HTML)
        return
    units: list[HeldUnit] = []
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        status, found = ToForget.REFUSED, list[Member]()
        if member is not None:
            admins = ctx.settings.bot.admins
            status, found = await privacy.whom_to_forget(session, member, ref, admins)
        if status is ToForget.CONFIRM:
            units = await privacy.units_of(session, found[0])
    if status in (ToForget.REFUSED, ToForget.NO_PERSON):
        await message.reply_text(t(f"privacy-forget-{status.value}"))
        return
    text, markup = _forget_prompt(t, found, units)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


# -- the buttons --------------------------------------------------------------------------------


@own_buttons()
async def on_button(update: Update, ctx: Ctx) -> None:
    """Every press is checked again against the database: a button may be old."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    match = _DATA.match(query.data or "")
    if match is None:
        await query.answer(t("press-invalid"))
        return
    step, number = match.group(1), int(match.group(2) or 0)
    if step == "n":
        await query.answer()
        await edit_pressed(query, t("privacy-cancelled"))
        return
    if step in ("l", "ly"):
        await _leave_step(update, ctx, step == "ly", number)
    else:
        await _forget_step(update, ctx, step == "fy", number)


async def _leave_step(update: Update, ctx: Ctx, confirmed: bool, unit_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    t = translator(update, ctx)
    menu: str | None = None
    async with unit_of_work(ctx) as session:
        member = await queries.member_by_telegram_id(session, user.id)
        held = await privacy.units_of(session, member) if member is not None else []
        chosen = next((h for h in held if h.unit_id == unit_id), None)
        if member is not None and chosen is not None and confirmed:
            await privacy.leave_unit(session, member, unit_id, ctx.rt.now())
            menu = await menu_role(session, member, ctx.settings.bot.admins)
    await query.answer()
    if chosen is None:
        await edit_pressed(query, t("privacy-leave-gone"))
    elif not confirmed:
        await edit_pressed(
            query,
            t("privacy-leave-confirm", unit=escape(chosen.name)),
            parse_mode=ParseMode.HTML,
            reply_markup=_yes_no(t, f"pr:ly:{unit_id}"),
        )
    else:
        text = t("privacy-leave-done", unit=escape(chosen.name))
        await edit_pressed(query, text, parse_mode=ParseMode.HTML)
        if menu is not None:
            await set_menu(ctx.bot, ctx.texts, user.id, menu)


async def _forget_step(update: Update, ctx: Ctx, confirmed: bool, member_id: int) -> None:
    query = update.callback_query
    assert query is not None
    t = translator(update, ctx)
    erased_chat: int | None = None
    units: list[HeldUnit] = []
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        status, found = ToForget.REFUSED, list[Member]()
        if member is not None:
            admins = ctx.settings.bot.admins
            status, found = await privacy.whom_to_forget(session, member, member_id, admins)
        if status is ToForget.CONFIRM:
            units = await privacy.units_of(session, found[0])
            if confirmed:
                erased_chat = found[0].telegram_id
                label = str(member.telegram_id) if member else "?"
                await privacy.forget(session, label, found[0], ctx.rt.now())
    await query.answer()
    if status is not ToForget.CONFIRM:
        await edit_pressed(query, t(f"privacy-forget-{status.value}"))
        return
    if not confirmed:
        text, markup = _forget_prompt(t, found, units)
        await edit_pressed(query, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    await edit_pressed(query, t("privacy-forget-done", count=len(units)))
    if erased_chat is not None:  # the erased person's menu falls back to a member's
        await set_menu(ctx.bot, ctx.texts, erased_chat, "member")


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("mydata", my_data, filters=PRIVATE_MESSAGES))
    app.add_handler(
        CommandHandler(["mydata", "leave", "forget"], private_only, filters=GROUP_MESSAGES)
    )
    app.add_handler(CommandHandler("leave", leave, filters=PRIVATE_MESSAGES))
    app.add_handler(CommandHandler("forget", forget, filters=PRIVATE_MESSAGES))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^pr:"))
