"""/publish in a private chat: a short guided dialogue, a preview exactly as members will see
it, then "Ban hành" publishes through the publish service (the outbox sender posts it).

The draft is a dialogue draft in the database (``handlers.common.keep_draft``) until it is
published, so a restart loses no half-written directive; nothing else is written before the
confirmation. The step is saved before the next question is sent, so an answer arriving right
after the question finds the dialogue already moved on.
"""

from __future__ import annotations

import contextlib
import html
from datetime import date
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import ChithiApp, Ctx
from bot.delivery.telegram_port import TelegramPort
from bot.i18n import Translator
from bot.services import publish_dialogue as pd
from bot.services import publish_extras as px
from bot.services import publish_media as pm
from bot.services.dialogues import Draft
from bot.services.drafts import DirectiveDraft, DraftError
from bot.services.publish import publish
from handlers import publish_extras as extras
from handlers.common import (
    drop_draft,
    has_draft,
    is_private,
    keep_draft,
    open_draft,
    own_buttons,
    translator,
    unit_of_work,
)
from handlers.publish_media import DONE_ACTION, chat_file, pieces_prompt
from handlers.publish_prompts import (
    cancel_row,
    confirm_keyboard,
    extra_question,
    question,
    refusal,
)
from storage import queries
from storage.models import Unit

KIND = "publish"  # the kind of its dialogue draft
DEADLINE_STEPS = ("receive_by", "study_by", "report_by")


def _dialogue(ctx: Ctx) -> pd.Dialogue | None:
    draft = open_draft(ctx, KIND)
    return pd.Dialogue.from_state(draft.serial, draft.state) if draft is not None else None


async def _keep(session: AsyncSession, ctx: Ctx, user_id: int, d: pd.Dialogue) -> None:
    """Save the dialogue as it now stands (in the caller's transaction)."""
    await keep_draft(session, ctx, user_id, Draft(KIND, d.step(), d.serial, d.to_state()))


def _today(ctx: Ctx) -> date:
    return ctx.rt.now().astimezone(ctx.settings.locale.tz).date()


async def _say(
    ctx: Ctx, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await ctx.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _ask(
    ctx: Ctx, chat_id: int, t: Translator, d: pd.Dialogue, prefix: str | None = None
) -> None:
    """Ask the next unanswered step, or show the preview once everything is answered."""
    step = d.next_step()
    if step is None and px.awaiting(d):  # something is being added after the preview
        text, markup = extra_question(t, d)
        await _say(ctx, chat_id, f"{prefix}\n\n{text}" if prefix else text, markup)
        return
    if step is None:
        if prefix:
            await _say(ctx, chat_id, prefix)
        await _preview(ctx, chat_id, t, d)
        return
    if step == "body" and pm.collecting(d):  # a long paste arriving in pieces
        text, markup = pieces_prompt(t, d)
    else:
        text, markup = question(t, d, step, ctx.rt.now(), ctx.settings.locale.tz)
    await _say(ctx, chat_id, f"{prefix}\n\n{text}" if prefix else text, markup)


# -- starting, cancelling, reminding ------------------------------------------------------------


async def publish_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    if not is_private(update):
        await message.reply_text(t("pd-private-only"))
        return
    async with unit_of_work(ctx) as session:
        publisher = await pd.publisher_of(session, user.id, ctx.settings.bot.admins)
        d = pd.new_dialogue(publisher) if publisher is not None else None
        if d is not None:  # a new /publish starts over; one dialogue at a time: the newest wins
            await _keep(session, ctx, user.id, d)
    if d is None:
        await message.reply_text(t("pd-not-allowed"))
        return
    await _ask(ctx, message.chat_id, t, d, prefix=t("pd-start"))


async def cancel_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or _dialogue(ctx) is None:
        return
    async with unit_of_work(ctx) as session:
        await drop_draft(session, ctx, user.id)
    await message.reply_text(translator(update, ctx)("pd-cancelled"))


async def remind(update: Update, ctx: Ctx) -> None:
    """Another command (or a photo...) in the middle of the dialogue: say where we are."""
    message, d = update.effective_message, _dialogue(ctx)
    if message is None or d is None:
        return
    t = translator(update, ctx)
    lead = t("pd-reminder") if message.text else t("pd-text-only")
    if d.next_step() is None and not px.awaiting(d):
        await _say(
            ctx, message.chat_id, f"{lead}\n\n{t('pd-confirm-wait')}", confirm_keyboard(t, d)
        )
    else:
        await _ask(ctx, message.chat_id, t, d, prefix=lead)


# -- answers ---------------------------------------------------------------------------------


async def on_text(update: Update, ctx: Ctx) -> None:
    message, user, d = update.effective_message, update.effective_user, _dialogue(ctx)
    if message is None or user is None or d is None or message.text is None:
        return
    t = translator(update, ctx)
    step = d.next_step()
    if step is None and d.scheduling:
        await _schedule(ctx, t, user.id, d, message.text)
        return
    if step is None and px.awaiting(d):
        await _extra(ctx, t, user.id, d, await extras.on_text(ctx, t, user.id, d, message.text))
        return
    if step is None:
        await _say(ctx, message.chat_id, t("pd-confirm-wait"), confirm_keyboard(t, d))
        return
    try:
        if step == "body":
            value = _body(d, message.text)
        else:
            value = await _read(ctx, step, message.text, user.id)
    except DraftError as error:
        await _ask(ctx, message.chat_id, t, d, prefix=refusal(t, error))
        return
    if step == "body" and value is None:  # a piece of a long paste: kept, more may follow
        async with unit_of_work(ctx) as session:
            await _keep(session, ctx, user.id, d)
        await _ask(ctx, message.chat_id, t, d)
        return
    await _accept(ctx, message.chat_id, t, d, step, value)


def _body(d: pd.Dialogue, text: str) -> str | None:
    """The body typed at once, or None while a long paste is collected (see publish_media)."""
    if pm.collecting(d) and pm.is_done(text):
        return pm.finish_body(d)
    return pm.take_body(d, text)


async def _read(ctx: Ctx, step: str, text: str, user_id: int) -> Any:
    now, tz = ctx.rt.now(), ctx.settings.locale.tz
    if step == "number":
        return pd.parse_number(text)
    if step == "title":
        return pd.parse_title(text)
    if step == "issuer":
        return pd.parse_issuer(text)
    if step == "issued_on":
        return pd.parse_issue_date(text, _today(ctx))
    if step == "body":
        return pd.parse_body(text)
    if step == "links":
        return pd.parse_links(text)
    if step == "requires_study":
        return pd.parse_yes_no(text)
    if step in DEADLINE_STEPS:
        return pd.parse_deadline(text, step, now, tz)
    codes = pd.parse_target_codes(text)
    return await _targets(ctx, codes, user_id)


async def _targets(ctx: Ctx, codes: list[str], user_id: int) -> list[str]:
    async with unit_of_work(ctx) as session:
        member = await queries.member_by_telegram_id(session, user_id)
        if member is None:
            raise DraftError("publish-not-allowed")
        units = await pd.resolve_targets(session, codes, member, ctx.settings.bot.admins)
        return [u.code for u in units]


async def _accept(
    ctx: Ctx, chat_id: int, t: Translator, d: pd.Dialogue, step: str, value: Any
) -> None:
    """Record an answer, then ask the next step. A number already used by this issuer is
    refused as soon as both are known (the number is asked again; the issuer is kept)."""
    d.answer(step, value)
    prefix = None
    async with unit_of_work(ctx) as session:
        if step in ("number", "issuer") and "number" in d.answers and "issuer" in d.answers:
            try:
                await pd.check_duplicate(session, d.answers["number"], d.answers["issuer"])
            except DraftError as error:
                d.forget("number")
                prefix = refusal(t, error)
        await _keep(session, ctx, chat_id, d)  # the dialogue runs in the user's private chat
    await _ask(ctx, chat_id, t, d, prefix=prefix)


async def _extra(ctx: Ctx, t: Translator, user_id: int, d: pd.Dialogue, said: str | None) -> None:
    """Save what an extra's answer changed, then ask what it still awaits, or show the preview
    again (the post and the note as they now are), ``said`` first."""
    async with unit_of_work(ctx) as session:
        await _keep(session, ctx, user_id, d)
    await _ask(ctx, user_id, t, d, prefix=said)


async def on_file(update: Update, ctx: Ctx) -> None:
    """A document or photo during the dialogue: kept by its file_id (or refused, saying why:
    type, size against the limit, count), then the current question again (or the preview
    again, the file in it). See bot.services.publish_media."""
    message, user, d = update.effective_message, update.effective_user, _dialogue(ctx)
    if message is None or user is None or d is None:
        return
    f = chat_file(message)
    if f is None:
        await remind(update, ctx)
        return
    t = translator(update, ctx)
    try:
        count = pm.add_file(d, f)
    except DraftError as error:  # nothing kept: the draft is as it was
        await _ask(ctx, message.chat_id, t, d, prefix=refusal(t, error))
        return
    async with unit_of_work(ctx) as session:
        await _keep(session, ctx, user.id, d)
    ack = t("media-file-kept", file=html.escape(f.name), count=count)
    if d.next_step() == "body" and not pm.collecting(d):
        ack = f"{ack}\n{t('media-file-as-body')}"
    await _ask(ctx, message.chat_id, t, d, prefix=ack)


# -- buttons ---------------------------------------------------------------------------------


@own_buttons("pd-stale")
async def on_button(update: Update, ctx: Ctx) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    parts = (query.data or "").split(":")
    d = _dialogue(ctx)
    if len(parts) != 3 or d is None or parts[1] != d.serial:
        await query.answer(t("pd-stale"))
        return
    action, chat_id = parts[2], user.id  # the dialogue only runs in the private chat
    if action == "x":
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, user.id)
        await _close(query, t("pd-button-cancel"), t)
        await _say(ctx, chat_id, t("pd-cancelled"))
        await query.answer()
        return
    if action == "go":
        await _confirm(ctx, query, t, user.id, d)
        return
    if d.next_step() is None and not d.scheduling:
        chosen_extra = extras.on_action(t, d, action)
        if chosen_extra is not None:
            said, shown_label = chosen_extra
            if shown_label:
                await _close(query, shown_label, t)
            await _extra(ctx, t, user.id, d, said)
            await query.answer()
            return
    if action == "sch" and d.next_step() is None and not px.awaiting(d):
        d.answers[pd.SCHEDULING] = True
        async with unit_of_work(ctx) as session:
            await _keep(session, ctx, user.id, d)
        await _close(query, t("sq-button-schedule"), t)
        await _ask_time(ctx, t, user.id, d)
        await query.answer()
        return
    step = d.next_step()
    try:
        chosen = await _choice(ctx, d, step, action, t, user.id)
    except DraftError as error:
        await _ask(ctx, chat_id, t, d, prefix=refusal(t, error))
        await query.answer()
        return
    if chosen is None or step is None:
        await query.answer(t("pd-stale"))
        return
    value, shown = chosen
    await _close(query, shown, t)
    await _accept(ctx, chat_id, t, d, step, value)
    await query.answer()  # after the next question, so it is there when the spinner stops


async def _choice(
    ctx: Ctx, d: pd.Dialogue, step: str | None, action: str, t: Translator, user_id: int
) -> tuple[Any, str] | None:
    """The value a button stands for at the current step; None if it belongs to another."""
    if step == "body" and action == DONE_ACTION and pm.collecting(d):
        return pm.finish_body(d), t("media-button-done")
    if step == "issuer" and action == "is" and d.home_name:
        return d.home_name, d.home_name
    if step == "issued_on" and action == "td":
        today = _today(ctx)
        return today, today.strftime("%d/%m/%Y")
    if action == "sk" and (step == "links" or step in DEADLINE_STEPS):
        return ([] if step == "links" else None), t("pd-button-skip")
    if step == "requires_study" and action in ("y", "n"):
        return action == "y", t("pd-button-yes" if action == "y" else "pd-button-no")
    if step == "targets" and action[:1] == "t" and action[1:].isdigit():
        async with unit_of_work(ctx) as session:
            unit = await session.get(Unit, int(action[1:]))
            code = unit.code if unit is not None else action[1:]
        codes = await _targets(ctx, [code], user_id)
        return codes, code
    return None


async def _close(query: CallbackQuery, shown: str, t: Translator) -> None:
    """Keep the question, add what was chosen, drop its buttons (a second tap does nothing)."""
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        return
    text = f"{message.text_html}\n\n{t('pd-chosen', value=html.escape(shown))}"
    with contextlib.suppress(BadRequest):
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=None)


# -- preview and publishing ------------------------------------------------------------------


async def _preview(ctx: Ctx, chat_id: int, t: Translator, d: pd.Dialogue) -> None:
    """The post as a linked group gets it (same text, same sender code), inert buttons, then
    who will receive it and the Ban hành / Huỷ buttons."""
    draft = d.to_draft()
    try:
        async with unit_of_work(ctx) as session:
            member = await queries.member_by_telegram_id(session, chat_id)
            if member is None:
                raise DraftError("publish-not-allowed")
            units = await pd.resolve_targets(
                session, draft.targets, member, ctx.settings.bot.admins
            )
            reach = await pd.audience(session, units)
    except DraftError as error:  # roles changed during the dialogue
        d.forget("targets")
        async with unit_of_work(ctx) as session:
            await _keep(session, ctx, chat_id, d)
        await _ask(ctx, chat_id, t, d, prefix=refusal(t, error))
        return
    groups_t = ctx.texts.for_lang(ctx.texts.default)  # groups read the default language
    port = TelegramPort(ctx.bot)
    for payload in pd.preview_payloads(groups_t, draft, ctx.settings.locale.tz, reach.members):
        await port.send(chat_id, payload)
    names = ", ".join(f"{html.escape(u.code)} ({html.escape(u.name)})" for u in units)
    note = t("pd-preview-note", units=names, chats=reach.chats, private=reach.private)
    note = "\n".join([note, *extras.note_lines(t, d)])
    await _say(ctx, chat_id, note, confirm_keyboard(t, d))


async def _confirm(
    ctx: Ctx, query: CallbackQuery, t: Translator, user_id: int, d: pd.Dialogue
) -> None:
    if d.next_step() is not None or px.awaiting(d):  # a preview older than what was added
        await query.answer(t("pd-stale"))
        return
    published = await _publish_draft(ctx, t, user_id, d, d.to_draft())
    if published == "taken":
        await query.answer(t("pd-stale"))
        return
    if published == "refused":
        await query.answer()
        return
    number, chats, private = published
    # After the commit: what the user is told has been stored.
    await query.answer(t("pd-published-toast"))
    await _close(query, t("pd-button-publish"), t)
    await _say(
        ctx,
        user_id,
        t("pd-published", number=html.escape(number), chats=chats, private=private),
    )


async def _ask_time(
    ctx: Ctx, t: Translator, user_id: int, d: pd.Dialogue, prefix: str = ""
) -> None:
    example = pd.example_deadline(ctx.rt.now(), ctx.settings.locale.tz)
    text = t("sq-ask-time", example=example)
    await _say(
        ctx,
        user_id,
        f"{prefix}\n\n{text}" if prefix else text,
        InlineKeyboardMarkup([cancel_row(t, d)]),
    )


async def _schedule(ctx: Ctx, t: Translator, user_id: int, d: pd.Dialogue, text: str) -> None:
    """The time typed after "Hẹn giờ": checked by the directive's rules, then the draft is
    stored as a scheduled directive (the schedule tick publishes it then)."""
    now, tz = ctx.rt.now(), ctx.settings.locale.tz
    try:
        moment = pd.parse_publish_at(text, d, now, tz)
    except DraftError as error:
        await _ask_time(ctx, t, user_id, d, prefix=refusal(t, error))
        return
    draft = d.to_draft()
    draft.publish_at = moment
    published = await _publish_draft(ctx, t, user_id, d, draft)
    if isinstance(published, tuple):
        at = moment.strftime("%d/%m/%Y %H:%M")
        await _say(ctx, user_id, t("sq-scheduled", number=html.escape(published[0]), at=at))


async def _publish_draft(
    ctx: Ctx, t: Translator, user_id: int, d: pd.Dialogue, draft: DirectiveDraft
) -> tuple[str, int, int] | Literal["taken", "refused"]:
    """Publish (or schedule) the draft in the transaction that takes the dialogue: (number,
    groups, private copies); "taken" if the draft was gone (a second tap); "refused" (the user
    was told why and asked again what went stale)."""
    try:
        async with unit_of_work(ctx) as session:
            # The draft is taken in the transaction that publishes: a second tap (or one that
            # waited for this one) finds nothing to publish; a refusal rolls both back.
            if not await drop_draft(session, ctx, user_id, d.serial):
                raise _Taken
            member = await queries.member_by_telegram_id(session, user_id)
            if member is None:  # never publish with the CLI's authority by accident
                raise DraftError("publish-not-allowed")
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
    except _Taken:
        return "taken"
    except DraftError as error:
        # Nothing was written (the transaction rolled back); ask again what went stale.
        reason = refusal(t, error)
        step = pd.step_of_error(error)
        d.answers.pop(pd.SCHEDULING, None)  # asked again from the step that went stale
        async with unit_of_work(ctx) as session:
            if step is None:
                await drop_draft(session, ctx, user_id)
            else:
                d.forget(step)
                await _keep(session, ctx, user_id, d)
        if step is None:
            await _say(ctx, user_id, t("pd-not-published", reason=reason))
            return "refused"
        await _ask(ctx, user_id, t, d, prefix=t("pd-not-published", reason=reason))
        return "refused"
    return number, chats, private


class _Taken(Exception):
    """The draft was gone when Ban hành was pressed (published or cancelled meanwhile)."""


async def on_preview_press(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(translator(update, ctx)("pd-preview-toast"))


# -- registration ----------------------------------------------------------------------------


class Publishing(filters.MessageFilter):
    """Messages from a user with a /publish dialogue in progress."""

    def __init__(self, app: ChithiApp) -> None:
        super().__init__(name="Publishing")
        self._app = app

    def filter(self, message: Message) -> bool:
        return has_draft(self._app, message.from_user, KIND)


def register(app: ChithiApp) -> None:
    # New messages only: editing an earlier answer must not answer the current question.
    fresh = filters.UpdateType.MESSAGE
    active = fresh & filters.ChatType.PRIVATE & Publishing(app)
    own = filters.Regex(r"^/(publish|cancel)(@\w+)?(\s|$)")
    app.add_handler(CommandHandler("publish", publish_command, filters=fresh))
    app.add_handler(CommandHandler("cancel", cancel_command, filters=active))
    app.add_handler(MessageHandler(active & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(active & (filters.Document.ALL | filters.PHOTO), on_file))
    app.add_handler(MessageHandler(active & ~filters.TEXT & ~filters.StatusUpdate.ALL, remind))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^pub:"))
    app.add_handler(CallbackQueryHandler(on_preview_press, pattern=rf"^{pd.PREVIEW_PREFIX}:"))
    # Group 1 runs after group 0 answered the command (e.g. /pending): then say where we are.
    app.add_handler(MessageHandler(active & filters.COMMAND & ~own, remind), group=1)
