"""``/grant <role> <unit code> <person>`` and ``/revoke ...`` (private chats), and the buttons
that pick one person when the name fits several."""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import roles
from bot.services.roles import Actor, Asked, Outcome
from bot.services.tg_text import truncate
from handlers.common import asker, edit_pressed, own_buttons, translator, unit_of_work
from handlers.menus import set_menu
from storage import queries
from storage.models import Unit

PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
OPS = {"g": "grant", "r": "revoke"}
CODE_OF_OP = {v: k for k, v in OPS.items()}
_DATA = re.compile(r"^rl:([gr]):([a-z]{1,16}):(\d{1,12}):(\d{1,12})$")


def choice_data(op: str, role: str, unit_id: int, member_id: int) -> str:
    return f"rl:{CODE_OF_OP[op]}:{role}:{unit_id}:{member_id}"


def render(t: Translator, op: str, outcome: Outcome, code: str) -> str:
    """The answer to a role change, HTML-escaped."""
    role = t(f"role-{outcome.role}")
    unit = f"<b>{escape(outcome.unit.name)}</b>" if outcome.unit else ""
    name = f"<b>{escape(outcome.person.full_name)}</b>" if outcome.person else ""
    if outcome.status is Asked.NO_UNIT:
        return t("unit-not-yours", code=escape(code))
    if outcome.status is Asked.REFUSED:
        return t("roles-refused", role=role, unit=unit)
    if outcome.status is Asked.NO_PERSON:
        return t("roles-no-person", unit=unit)
    if outcome.status is Asked.CHOOSE:
        return t("roles-choose", count=len(outcome.candidates))
    return t(f"roles-{op}-{outcome.status.value}", role=role, unit=unit, name=name)


def choices(op: str, outcome: Outcome) -> InlineKeyboardMarkup | None:
    if outcome.status is not Asked.CHOOSE or outcome.unit is None:
        return None
    unit_id = outcome.unit.id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    person_button(m.full_name, m.phone),
                    callback_data=choice_data(op, outcome.role, unit_id, m.id),
                )
            ]
            for m in outcome.candidates
        ]
    )


def person_button(name: str, phone: str | None) -> str:
    """A namesake's button: a phone's last digits tell two people of one name apart without
    showing the number."""
    label = truncate(name, 60)
    return f"{label} (…{phone[-3:]})" if phone else label


async def _after(ctx: Ctx, outcome: Outcome) -> None:
    if outcome.menu is not None:
        await set_menu(ctx.bot, ctx.texts, *outcome.menu)


async def _command(update: Update, ctx: Ctx, op: str) -> None:
    message = update.effective_message
    if not isinstance(message, Message):
        return
    t = translator(update, ctx)
    args = ctx.args or []
    if len(args) < 3:
        await message.reply_text(t(f"roles-usage-{op}"), parse_mode=ParseMode.HTML)
        return
    role = roles.role_named(args[0])
    if role is None:
        await message.reply_text(
            t("roles-bad-role", role=escape(args[0])), parse_mode=ParseMode.HTML
        )
        return
    code, ref = args[1], " ".join(args[2:])
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        unit = await queries.unit_by_code(session, code)
        if member is None:
            outcome = Outcome(Asked.NO_UNIT, role)
        else:
            actor = Actor(member, ctx.settings.bot.admins)
            outcome = await roles.ask(session, actor, op, role, unit, ref, ctx.rt.now())
    await message.reply_text(
        render(t, op, outcome, code), parse_mode=ParseMode.HTML, reply_markup=choices(op, outcome)
    )
    await _after(ctx, outcome)


async def grant_command(update: Update, ctx: Ctx) -> None:
    await _command(update, ctx, "grant")


async def revoke_command(update: Update, ctx: Ctx) -> None:
    await _command(update, ctx, "revoke")


@own_buttons()
async def on_choice(update: Update, ctx: Ctx) -> None:
    """One of several people of the same name picked: everything is checked again."""
    query = update.callback_query
    if query is None:
        return
    t = translator(update, ctx)
    match = _DATA.match(query.data or "")
    role = match.group(2) if match else ""
    if match is None or role not in roles.GRANTABLE:
        await query.answer(t("press-invalid"))
        return
    op = OPS[match.group(1)]
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        unit = await session.get(Unit, int(match.group(3)))
        if member is None:
            outcome = Outcome(Asked.NO_UNIT, role)
        else:
            actor = Actor(member, ctx.settings.bot.admins)
            person = int(match.group(4))
            outcome = await roles.ask(session, actor, op, role, unit, person, ctx.rt.now())
    await query.answer()
    await edit_pressed(query, render(t, op, outcome, ""), parse_mode=ParseMode.HTML)
    await _after(ctx, outcome)


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("grant", grant_command, filters=PRIVATE_MESSAGES))
    app.add_handler(CommandHandler("revoke", revoke_command, filters=PRIVATE_MESSAGES))
    app.add_handler(CallbackQueryHandler(on_choice, pattern=r"^rl:"))
