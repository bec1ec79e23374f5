"""/forward <number>: a secretary carries a directive they received down their own sub-tree
(their number, a cover note, the units, their deadlines), a short dialogue in private that
ends in the ordinary publishing; the work is done by :mod:`bot.services.forward`."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import forward as fw
from bot.services import publish_dialogue as pd
from bot.services.buttons import FORWARD_PREFIX
from bot.services.dialogues import Draft
from bot.services.directive_rules import DEADLINES
from bot.services.drafts import DraftError
from bot.services.publish import publish
from bot.services.render import render_directive
from handlers.common import (
    drop_draft,
    edit_pressed,
    has_draft,
    is_private,
    keep_draft,
    open_draft,
    own_buttons,
    translator,
    unit_of_work,
)
from handlers.publish_prompts import refusal
from storage import queries
from storage.models import Directive

KIND = "forward"  # the kind of its dialogue draft
PREFIX = "fw"


def _dialogue(ctx: Ctx) -> fw.ForwardDialogue | None:
    draft = open_draft(ctx, KIND)
    return fw.ForwardDialogue.from_state(draft.serial, draft.state) if draft else None


async def _keep(ctx: Ctx, user_id: int, d: fw.ForwardDialogue) -> None:
    async with unit_of_work(ctx) as session:
        await keep_draft(session, ctx, user_id, Draft(KIND, d.step(), d.serial, d.to_state()))


def _today(ctx: Ctx) -> date:
    return ctx.rt.now().astimezone(ctx.settings.locale.tz).date()


def _button(t: Translator, d: fw.ForwardDialogue, key: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(key), callback_data=f"{PREFIX}:{d.serial}:{action}")


async def _say(
    ctx: Ctx, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await ctx.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _ask(
    ctx: Ctx, chat_id: int, t: Translator, d: fw.ForwardDialogue, prefix: str = ""
) -> None:
    """The next question (with its buttons), or the preview once everything is answered."""
    step = d.next_step()
    if step is None:
        if prefix:
            await _say(ctx, chat_id, prefix)
        await _preview(ctx, chat_id, t, d)
        return
    cancel = _button(t, d, "fw-button-cancel", "x")
    rows: list[list[InlineKeyboardButton]] = []
    if step == "number":
        text = t("fw-ask-number", original=html.escape(d.original_number))
    elif step == "body":
        text = t("fw-ask-body", original=html.escape(d.original_number))
    elif step == "targets":
        units = ", ".join(f"{html.escape(c)} ({html.escape(n)})" for _i, c, n in d.roots)
        text = t("fw-ask-targets", units=units)
        rows.append([_button(t, d, "fw-button-all", "all")])
    else:
        async with unit_of_work(ctx) as session:
            original = await session.get(Directive, d.original_id)
            kept = fw.kept_deadline(original, step, ctx.settings.locale.tz) if original else None
        text = t(
            "fw-ask-deadline",
            label=t(f"deadline-label-{step}"),
            latest=kept.strftime("%d/%m/%Y %H:%M") if kept else "-",
            example=pd.example_deadline(ctx.rt.now(), ctx.settings.locale.tz),
        )
        rows.append([_button(t, d, "fw-button-keep", "keep")])
    rows.append([cancel])
    full = f"{prefix}\n\n{text}" if prefix else text
    await _say(ctx, chat_id, full, InlineKeyboardMarkup(rows))


async def forward_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    if not is_private(update):
        await message.reply_text(t("fw-private-only"))
        return
    if not ctx.args:
        await message.reply_text(t("fw-usage"), parse_mode=ParseMode.HTML)
        return
    await _begin(ctx, user.id, t, ctx.args[0])


async def _begin(ctx: Ctx, user_id: int, t: Translator, number: str) -> None:
    """Open the dialogue for ``number`` in the user's private chat (or say why not)."""
    try:
        async with unit_of_work(ctx) as session:
            d = await fw.start(
                session, user_id, number, ctx.settings.bot.admins, ctx.settings.locale.tz
            )
            await keep_draft(session, ctx, user_id, Draft(KIND, d.step(), d.serial, d.to_state()))
    except DraftError as exc:
        await _say(ctx, user_id, refusal(t, exc))
        return
    start = t("fw-start", original=html.escape(d.original_number), unit=html.escape(d.home[2]))
    await _ask(ctx, user_id, t, d, prefix=start)


@own_buttons("fw-stale")
async def on_private_copy_button(update: Update, ctx: Ctx) -> None:
    """ "Chuyển tiếp" under a private copy: the same dialogue as ``/forward <number>``."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    raw = (query.data or "").split(":")
    if len(raw) != 2 or not raw[1].isdigit() or not is_private(update):
        await query.answer(t("fw-stale"))
        return
    async with unit_of_work(ctx) as session:
        number = await session.scalar(select(Directive.number).where(Directive.id == int(raw[1])))
    await query.answer()
    if number is None:
        await _say(ctx, user.id, t("fw-gone"))
        return
    await _begin(ctx, user.id, t, number)


async def on_text(update: Update, ctx: Ctx) -> None:
    message, user, d = update.effective_message, update.effective_user, _dialogue(ctx)
    if message is None or user is None or d is None or message.text is None:
        return
    t = translator(update, ctx)
    step = d.next_step()
    if step is None:
        await _ask(ctx, message.chat_id, t, d)
        return
    try:
        value = await _read(ctx, d, step, message.text, user.id)
    except DraftError as exc:
        await _ask(ctx, message.chat_id, t, d, prefix=refusal(t, exc))
        return
    d.answers[step] = value
    await _keep(ctx, user.id, d)
    await _ask(ctx, message.chat_id, t, d)


async def _read(ctx: Ctx, d: fw.ForwardDialogue, step: str, text: str, user_id: int) -> Any:
    """The typed answer, read and checked by the publish dialogue's parsers and the directive
    rules (the same ones publishing applies)."""
    tz = ctx.settings.locale.tz
    if step == "body":
        return pd.parse_body(text)
    async with unit_of_work(ctx) as session:
        original = await session.get(Directive, d.original_id)
        if original is None:
            raise DraftError("directive-not-found", number=d.original_number)
        if step == "number":
            number = pd.parse_number(text)
            await pd.check_duplicate(session, number, d.home[2])
            return number
        if step == "targets":
            return await _targets(session, ctx, original, pd.parse_target_codes(text), user_id)
        moment = pd.parse_deadline(text, step, ctx.rt.now(), tz)
        fw.check_deadline(original, step, moment, tz)
        return moment


async def _targets(
    session: Any, ctx: Ctx, original: Directive, codes: list[str], user_id: int
) -> list[str]:
    member = await queries.member_by_telegram_id(session, user_id)
    if member is None:
        raise DraftError("forward-not-allowed")
    units = await pd.resolve_targets(session, codes, member, ctx.settings.bot.admins)
    await fw.check_targets(session, original, units)
    return [u.code for u in units]


@own_buttons("fw-stale")
async def on_button(update: Update, ctx: Ctx) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    parts = (query.data or "").split(":")
    d = _dialogue(ctx)
    if len(parts) != 3 or d is None or parts[1] != d.serial:
        await query.answer(t("fw-stale"))
        return
    action, step = parts[2], d.next_step()
    if action == "x":
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, user.id)
        await _close(query)
        await query.answer()
        await _say(ctx, user.id, t("fw-cancelled"))
        return
    if action == "go" and step is None:
        await _publish(update, ctx, t, d)
        return
    if action == "all" and step == "targets":
        d.answers["targets"] = [code for _i, code, _n in d.roots]
    elif action == "keep" and step in DEADLINES:
        async with unit_of_work(ctx) as session:
            original = await session.get(Directive, d.original_id)
            kept = fw.kept_deadline(original, step, ctx.settings.locale.tz) if original else None
        d.answers[step] = kept
    else:
        await query.answer(t("fw-stale"))
        return
    await _close(query)
    await _keep(ctx, user.id, d)
    await _ask(ctx, user.id, t, d)
    await query.answer()


async def _close(query: Any) -> None:
    """The question keeps its text and loses its buttons (a second tap does nothing)."""
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        await edit_pressed(query, message.text_html, parse_mode=ParseMode.HTML, reply_markup=None)


async def _preview(ctx: Ctx, chat_id: int, t: Translator, d: fw.ForwardDialogue) -> None:
    """The post as the groups will read it (cover note, then the original), then Ban hành."""
    tz = ctx.settings.locale.tz
    async with unit_of_work(ctx) as session:
        original = await session.get(Directive, d.original_id)
    if original is None:
        await _say(ctx, chat_id, t("fw-gone"))
        return
    draft = d.to_draft(original, _today(ctx))
    groups_t = ctx.texts.for_lang(ctx.texts.default)
    rendered = render_directive(
        groups_t, pd.draft_directive(draft, tz), tz, forwards=draft.forwards, original=original
    )
    for part in rendered.parts:
        await _say(ctx, chat_id, part)
    markup = InlineKeyboardMarkup(
        [[_button(t, d, "fw-button-publish", "go"), _button(t, d, "fw-button-cancel", "x")]]
    )
    units = ", ".join(html.escape(c) for c in draft.targets)
    await _say(ctx, chat_id, t("fw-preview-note", units=units), markup)


def _step_of(error: DraftError) -> str | None:
    if error.key == "forward-deadline-late":
        return str(error.args_.get("field"))
    if error.key in (
        "publish-outside-subtree",
        "publish-unknown-target",
        "forward-outside-original",
    ):
        return "targets"
    return pd.step_of_error(error)


async def _publish(update: Update, ctx: Ctx, t: Translator, d: fw.ForwardDialogue) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        async with unit_of_work(ctx) as session:
            # Taken in the transaction that publishes: a second tap finds nothing.
            if not await drop_draft(session, ctx, user.id, d.serial):
                await query.answer(t("fw-stale"))
                return
            member = await queries.member_by_telegram_id(session, user.id)
            original = await session.get(Directive, d.original_id)
            if member is None:
                raise DraftError("forward-not-allowed")
            if original is None:
                raise DraftError("directive-not-found", number=d.original_number)
            draft = d.to_draft(original, _today(ctx))
            targets = await queries.units_by_code(session, draft.targets)
            await fw.check_targets(session, original, list(targets.values()))
            result = await publish(
                session,
                draft,
                publisher=member,
                config_admins=ctx.settings.bot.admins,
                now=ctx.rt.now(),
                tz=ctx.settings.locale.tz,
                texts=ctx.texts,
                reminder_settings=ctx.settings.reminders,
            )
            number, chats, private = (
                result.directive.number,
                result.chats,
                result.private_copies,
            )
    except DraftError as exc:
        await query.answer()
        step = _step_of(exc)
        reason = t("fw-not-published", reason=refusal(t, exc))
        if step is None or step not in d.steps():
            await _say(ctx, user.id, reason)
            return
        d.answers.pop(step, None)
        await _keep(ctx, user.id, d)
        await _ask(ctx, user.id, t, d, prefix=reason)
        return
    await _close(query)
    await query.answer(t("fw-published-toast"))
    await _say(
        ctx,
        user.id,
        t(
            "fw-published",
            number=html.escape(number),
            original=html.escape(d.original_number),
            chats=chats,
            private=private,
        ),
    )


async def cancel_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or _dialogue(ctx) is None:
        return
    async with unit_of_work(ctx) as session:
        await drop_draft(session, ctx, user.id)
    await message.reply_text(translator(update, ctx)("fw-cancelled"))


class Forwarding(filters.MessageFilter):
    """Messages from a user with a /forward dialogue in progress."""

    def __init__(self, app: ChithiApp) -> None:
        super().__init__(name="Forwarding")
        self._app = app

    def filter(self, message: Message) -> bool:
        return has_draft(self._app, message.from_user, KIND)


def register(app: ChithiApp) -> None:
    fresh = filters.UpdateType.MESSAGE
    active = fresh & filters.ChatType.PRIVATE & Forwarding(app)
    app.add_handler(CommandHandler("forward", forward_command, filters=fresh))
    app.add_handler(CommandHandler("cancel", cancel_command, filters=active))
    app.add_handler(MessageHandler(active & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
    app.add_handler(
        CallbackQueryHandler(on_private_copy_button, pattern=rf"^{FORWARD_PREFIX}:\d+$")
    )
