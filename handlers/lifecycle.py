"""/amend (a short dialogue: what to change, then "Lưu sửa đổi") and /recall (a confirmation
button first) of a published directive; the work is done by :mod:`bot.services.lifecycle`."""

from __future__ import annotations

import html
import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import lifecycle
from bot.services import publish_dialogue as pd
from bot.services.dialogues import Draft
from bot.services.directive_rules import DEADLINES, to_utc
from bot.services.drafts import DraftError
from bot.services.reminders import ReminderRules
from bot.services.render import format_deadline
from handlers.common import (
    drop_draft,
    edit_pressed,
    has_draft,
    is_private,
    keep_draft,
    open_draft,
    own_buttons,
    refusal,
    translator,
    unit_of_work,
)
from storage.models import Directive

KIND = "amend"  # the kind of its dialogue draft
FIELDS = ("body", "links", *DEADLINES)


# -- /amend ------------------------------------------------------------------------------------


def _menu(t: Translator, ctx: Ctx, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    change = lifecycle.Amendment.from_state(draft.state["change"])
    tz = ctx.settings.locale.tz
    lines = []
    if change.body is not None:
        lines.append(t("amend-change-body", length=len(change.body)))
    if change.links is not None:
        lines.append(t("amend-change-links", count=len(change.links)))
    for which, moment in change.deadlines.items():
        when = format_deadline(t, to_utc(moment, tz), tz) if moment else t("deadline-none")
        lines.append(t("amend-change-deadline", label=t(f"deadline-label-{which}"), when=when))
    text = t(
        "amend-menu",
        number=html.escape(draft.state["number"]),
        changes="\n".join(lines) or t("amend-changes-none"),
    )
    data = f"am:{draft.serial}"
    rows = [
        [
            _button(t("amend-button-body"), f"{data}:body"),
            _button(t("amend-button-links"), f"{data}:links"),
        ],
        [_button(t(f"amend-button-{w}"), f"{data}:{w}") for w in DEADLINES],
        [
            _button(t("amend-button-save"), f"{data}:go"),
            _button(t("amend-button-cancel"), f"{data}:x"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


async def _show_menu(ctx: Ctx, chat_id: int, t: Translator, draft: Draft, prefix: str = "") -> None:
    text, markup = _menu(t, ctx, draft)
    await ctx.bot.send_message(
        chat_id,
        f"{prefix}\n\n{text}" if prefix else text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def amend_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    if not is_private(update):
        await message.reply_text(t("lifecycle-private-only"))
        return
    if not ctx.args:
        await message.reply_text(t("amend-usage"), parse_mode=ParseMode.HTML)
        return
    try:
        async with unit_of_work(ctx) as session:
            d = await lifecycle.directive_to_manage(
                session, user.id, ctx.args[0], ctx.settings.bot.admins
            )
            draft = Draft(
                KIND,
                "menu",
                secrets.token_hex(3),
                {
                    "directive_id": d.id,
                    "number": d.number,
                    "field": None,
                    "change": lifecycle.Amendment().to_state(),
                },
            )
            await keep_draft(session, ctx, user.id, draft)
    except DraftError as exc:
        await message.reply_text(refusal(t, exc), parse_mode=ParseMode.HTML)
        return
    await _show_menu(ctx, message.chat_id, t, draft)


def _ask(t: Translator, ctx: Ctx, which: str) -> str:
    if which in DEADLINES:
        example = pd.example_deadline(ctx.rt.now(), ctx.settings.locale.tz)
        return t("amend-ask-deadline", label=t(f"deadline-label-{which}"), example=example)
    return t(f"amend-ask-{which}")


def _read(ctx: Ctx, which: str, text: str) -> Any:
    """The typed value, read by the publish dialogue's parsers (the same rules)."""
    if which == "body":
        return pd.parse_body(text)
    if which == "links":
        return pd.parse_links(text)
    return pd.parse_deadline(text, which, ctx.rt.now(), ctx.settings.locale.tz)


async def on_text(update: Update, ctx: Ctx) -> None:
    message, user, draft = update.effective_message, update.effective_user, open_draft(ctx, KIND)
    if message is None or user is None or draft is None or message.text is None:
        return
    t = translator(update, ctx)
    which = draft.state.get("field")
    if which not in FIELDS:
        await _show_menu(ctx, message.chat_id, t, draft)
        return
    try:
        value = _read(ctx, str(which), message.text)
    except DraftError as exc:
        await message.reply_text(
            f"{refusal(t, exc)}\n\n{_ask(t, ctx, str(which))}", parse_mode=ParseMode.HTML
        )
        return
    change = lifecycle.Amendment.from_state(draft.state["change"])
    if which == "body":
        change.body = value
    elif which == "links":
        change.links = value
    else:
        change.deadlines[str(which)] = value
    draft.state = {**draft.state, "field": None, "change": change.to_state()}
    async with unit_of_work(ctx) as session:
        await keep_draft(session, ctx, user.id, draft)
    await _show_menu(ctx, message.chat_id, t, draft)


@own_buttons("amend-stale")
async def on_amend_button(update: Update, ctx: Ctx) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    parts = (query.data or "").split(":")
    draft = open_draft(ctx, KIND)
    if len(parts) != 3 or draft is None or parts[1] != draft.serial:
        await query.answer(t("amend-stale"))
        return
    action = parts[2]
    if action == "x":
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, user.id)
        await _close(query)
        await query.answer()
        await ctx.bot.send_message(user.id, t("amend-cancelled"))
        return
    if action == "go":
        await _apply(update, ctx, t, draft)
        return
    if action not in FIELDS:
        await query.answer(t("amend-stale"))
        return
    draft.state = {**draft.state, "field": action}
    async with unit_of_work(ctx) as session:
        await keep_draft(session, ctx, user.id, draft)
    await ctx.bot.send_message(user.id, _ask(t, ctx, action), parse_mode=ParseMode.HTML)
    await query.answer()


async def _close(query: Any) -> None:
    """The menu keeps its text and loses its buttons (a second tap does nothing)."""
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        await edit_pressed(query, message.text_html, parse_mode=ParseMode.HTML, reply_markup=None)


async def _apply(update: Update, ctx: Ctx, t: Translator, draft: Draft) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    settings = ctx.settings
    try:
        async with unit_of_work(ctx) as session:
            # Taken in the transaction that amends: a second tap finds nothing; a refusal rolls
            # both back (the dialogue stays open to correct it).
            if not await drop_draft(session, ctx, user.id, draft.serial):
                await query.answer(t("amend-stale"))
                return
            d = await lifecycle.directive_to_manage(
                session, user.id, draft.state["number"], settings.bot.admins
            )
            if d.id != draft.state["directive_id"]:
                raise DraftError("directive-not-found", number=draft.state["number"])
            outcome = await lifecycle.amend(
                session,
                d,
                lifecycle.Amendment.from_state(draft.state["change"]),
                now=ctx.rt.now(),
                texts=ctx.texts,
                reminder_rules=ReminderRules.from_settings(settings),
                actor=str(user.id),
            )
            number = d.number
    except DraftError as exc:
        await query.answer()
        await _show_menu(
            ctx, user.id, t, draft, prefix=t("amend-not-saved", reason=refusal(t, exc))
        )
        return
    await _close(query)
    await query.answer()
    await ctx.bot.send_message(
        user.id,
        t("amend-done", number=html.escape(number), edits=outcome.edits, notes=outcome.notes),
    )


async def cancel_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or open_draft(ctx, KIND) is None:
        return
    async with unit_of_work(ctx) as session:
        await drop_draft(session, ctx, user.id)
    await message.reply_text(translator(update, ctx)("amend-cancelled"))


# -- /recall -----------------------------------------------------------------------------------


async def recall_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    if not is_private(update):
        await message.reply_text(t("lifecycle-private-only"))
        return
    if not ctx.args:
        await message.reply_text(t("recall-usage"), parse_mode=ParseMode.HTML)
        return
    try:
        async with unit_of_work(ctx) as session:
            d = await lifecycle.directive_to_manage(
                session, user.id, ctx.args[0], ctx.settings.bot.admins
            )
            directive_id, number, title = d.id, d.number, d.title
    except DraftError as exc:
        await message.reply_text(refusal(t, exc), parse_mode=ParseMode.HTML)
        return
    markup = InlineKeyboardMarkup(
        [
            [
                _button(t("recall-button-go"), f"rcl:{directive_id}:go"),
                _button(t("recall-button-cancel"), f"rcl:{directive_id}:x"),
            ]
        ]
    )
    await message.reply_text(
        t("recall-confirm", number=html.escape(number), title=html.escape(title)),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


@own_buttons("recall-stale")
async def on_recall_button(update: Update, ctx: Ctx) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("go", "x"):
        await query.answer(t("recall-stale"))
        return
    directive_id = int(parts[1])
    try:
        async with unit_of_work(ctx) as session:
            found = await session.get(Directive, directive_id)
            if found is None:
                await query.answer(t("recall-stale"))
                return
            d = await lifecycle.directive_to_manage(
                session, user.id, found.number, ctx.settings.bot.admins
            )
            if d.id != directive_id:
                raise DraftError("directive-not-found", number=found.number)
            number = d.number
            outcome = None
            if parts[2] == "go":
                outcome = await lifecycle.recall(
                    session,
                    d,
                    now=ctx.rt.now(),
                    texts=ctx.texts,
                    tz=ctx.settings.locale.tz,
                    actor=str(user.id),
                )
    except DraftError as exc:
        await _close(query)
        await query.answer()
        await ctx.bot.send_message(user.id, refusal(t, exc), parse_mode=ParseMode.HTML)
        return
    await _close(query)
    await query.answer()
    if outcome is None:
        await ctx.bot.send_message(user.id, t("recall-kept", number=html.escape(number)))
        return
    await ctx.bot.send_message(
        user.id, t("recall-done", number=html.escape(number), edits=outcome.edits)
    )


# -- registration ------------------------------------------------------------------------------


class Amending(filters.MessageFilter):
    """Messages from a user with an /amend dialogue in progress."""

    def __init__(self, app: ChithiApp) -> None:
        super().__init__(name="Amending")
        self._app = app

    def filter(self, message: Message) -> bool:
        return has_draft(self._app, message.from_user, KIND)


def register(app: ChithiApp) -> None:
    fresh = filters.UpdateType.MESSAGE
    active = fresh & filters.ChatType.PRIVATE & Amending(app)
    app.add_handler(CommandHandler("amend", amend_command, filters=fresh))
    app.add_handler(CommandHandler("recall", recall_command, filters=fresh))
    app.add_handler(CommandHandler("cancel", cancel_command, filters=active))
    app.add_handler(MessageHandler(active & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_amend_button, pattern=r"^am:"))
    app.add_handler(CallbackQueryHandler(on_recall_button, pattern=r"^rcl:"))
