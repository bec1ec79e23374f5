"""/broadcast (administrators, private chat): content → targets → pin → preview → confirm.

The draft is the admin's dialogue draft in the database (``handlers.common.keep_draft``), so
a restart loses none, until **Gửi** is pressed; /cancel (or **Huỷ**) at any step removes it
and writes nothing else. Sending, progress and **Dừng** are in
``handlers.broadcast_stop`` and ``bot.broadcast_worker``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.delivery.telegram_port import TelegramPort, keyboard
from bot.i18n import Translator
from bot.services import access, broadcast
from bot.services.broadcast import Announcement, BroadcastError
from bot.services.broadcast_text import progress_payload
from bot.services.dialogues import Draft
from bot.services.ports import SendError
from bot.services.tg_text import CALLBACK_ANSWER_LIMIT, truncate
from handlers.common import (
    asker,
    asker_roots,
    drop_draft,
    has_draft,
    keep_draft,
    open_draft,
    own_buttons,
    translator,
    unit_of_work,
)
from storage import queries
from storage.models import Unit

KIND = "broadcast"  # the kind of its dialogue draft
_BUTTON = re.compile(r"^bd:([0-9a-f]{8}):(t|p|go|no)(?::(\d{1,12}))?$")


@dataclass
class Dialogue:
    """The admin's draft; ``nonce`` ties buttons to this dialogue, not to an older one."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(4))
    step: str = "content"  # content, targets, pin, confirm
    text: str = ""
    media_kind: str | None = None
    file_id: str | None = None
    targets: list[str] = field(default_factory=list)
    pin: bool = False

    def announcement(self) -> Announcement:
        return Announcement(self.text, self.media_kind, self.file_id, None, self.pin)

    def data(self, action: str, arg: int | None = None) -> str:
        return f"bd:{self.nonce}:{action}" + (f":{arg}" if arg is not None else "")

    def draft(self) -> Draft:
        state = {
            "text": self.text,
            "media_kind": self.media_kind,
            "file_id": self.file_id,
            "targets": list(self.targets),
            "pin": self.pin,
        }
        return Draft(KIND, self.step, self.nonce, state)

    @classmethod
    def of(cls, draft: Draft) -> Dialogue:
        state = draft.state
        return cls(
            nonce=draft.serial,
            step=draft.step,
            text=str(state.get("text") or ""),
            media_kind=state.get("media_kind"),
            file_id=state.get("file_id"),
            targets=[str(code) for code in state.get("targets") or []],
            pin=bool(state.get("pin")),
        )


class InDialogue(filters.UpdateFilter):
    """Matches updates from users who have a broadcast draft open (other messages pass on)."""

    __slots__ = ("_app",)

    def __init__(self, app: ChithiApp) -> None:
        super().__init__(name="InBroadcastDialogue")
        self._app = app

    def filter(self, update: Update) -> bool:
        return has_draft(self._app, update.effective_user, KIND)


def _dialogue(ctx: Ctx) -> Dialogue | None:
    draft = open_draft(ctx, KIND)
    return Dialogue.of(draft) if draft is not None else None


async def _keep(session: AsyncSession, ctx: Ctx, user_id: int, dialogue: Dialogue) -> None:
    """Save the draft as it now stands (in the caller's transaction)."""
    await keep_draft(session, ctx, user_id, dialogue.draft())


async def broadcast_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        allowed = member is not None and await access.is_admin(
            session, member, ctx.settings.bot.admins
        )
        if allowed:  # one dialogue at a time: the newest wins
            await _keep(session, ctx, user.id, Dialogue())
    if not allowed:
        await message.reply_text(t("broadcast-not-admin"))
        return
    await message.reply_text(t("broadcast-ask-content"), parse_mode="HTML")


async def group_hint(update: Update, ctx: Ctx) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(translator(update, ctx)("broadcast-private-only"))


async def cancel_command(update: Update, ctx: Ctx) -> None:
    if update.effective_user is not None:
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, update.effective_user.id)
    if update.effective_message is not None:
        await update.effective_message.reply_text(translator(update, ctx)("broadcast-cancelled"))


async def on_message(update: Update, ctx: Ctx) -> None:
    """Whatever the admin writes while a draft is open, read according to the step."""
    message, dialogue = update.effective_message, _dialogue(ctx)
    if message is None or dialogue is None:
        return
    t = translator(update, ctx)
    if dialogue.step == "content":
        await _take_content(update, ctx, message, dialogue, t)
    elif dialogue.step == "targets" and message.text:
        await _take_codes(update, ctx, message, dialogue, t)
    else:
        await message.reply_text(t("broadcast-use-buttons"))


async def _take_content(
    update: Update, ctx: Ctx, message: Message, dialogue: Dialogue, t: Translator
) -> None:
    if message.photo:
        kind, file_id, text = "photo", message.photo[-1].file_id, message.caption or ""
    elif message.document:
        kind, file_id, text = "document", message.document.file_id, message.caption or ""
    elif message.text:
        kind, file_id, text = None, None, message.text
    else:
        await message.reply_text(t("broadcast-content-unsupported"))
        return
    draft = Announcement(text, kind, file_id)
    try:
        broadcast.check_announcement(draft)
    except BroadcastError as exc:
        await message.reply_text(t(exc.key, **exc.args_))
        return
    dialogue.text, dialogue.media_kind, dialogue.file_id = text, kind, file_id
    dialogue.step = "targets"
    async with unit_of_work(ctx) as session:
        roots = await asker_roots(session, update, ctx)
        await _keep(session, ctx, message.chat_id, dialogue)  # the admin's private chat
    buttons = [
        [{"text": f"{u.code} — {u.name}"[:60], "data": dialogue.data("t", u.id)}] for u in roots
    ]
    await message.reply_text(t("broadcast-ask-targets"), reply_markup=keyboard(buttons))


async def _chats_under(session: AsyncSession, codes: list[str]) -> tuple[list[Unit], int]:
    units = await broadcast.resolve_targets(session, codes)
    chats = await broadcast.target_chats(session, units)
    if not chats:
        raise BroadcastError("broadcast-no-chats", targets=", ".join(u.code for u in units))
    return units, len(chats)


async def _take_codes(
    update: Update, ctx: Ctx, message: Message, dialogue: Dialogue, t: Translator
) -> None:
    try:
        async with unit_of_work(ctx) as session:
            units, _chats = await _chats_under(session, broadcast.split_codes(message.text or ""))
            dialogue.targets, dialogue.step = [u.code for u in units], "pin"
            await _keep(session, ctx, message.chat_id, dialogue)
    except BroadcastError as exc:
        await message.reply_text(t(exc.key, **exc.args_))
        return
    await _ask_pin(message, dialogue, t)


async def _ask_pin(message: Message, dialogue: Dialogue, t: Translator) -> None:
    """Ask whether to pin (the draft is already saved at the "pin" step)."""
    buttons = [
        [
            {"text": t("broadcast-pin-yes"), "data": dialogue.data("p", 1)},
            {"text": t("broadcast-pin-no"), "data": dialogue.data("p", 0)},
        ]
    ]
    await message.reply_text(
        t("broadcast-ask-pin", targets=", ".join(dialogue.targets)), reply_markup=keyboard(buttons)
    )


@own_buttons("broadcast-stale")
async def on_button(update: Update, ctx: Ctx) -> None:
    """Dialogue buttons; the data is checked against this user's own open draft."""
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    t = translator(update, ctx)
    match = _BUTTON.match(query.data or "")
    dialogue = _dialogue(ctx)
    if match is None or dialogue is None or match.group(1) != dialogue.nonce:
        await query.answer(t("broadcast-stale"))
        return
    action, arg = match.group(2), match.group(3)
    if action == "t" and dialogue.step == "targets" and arg is not None:
        await _pick_target(update, ctx, query, dialogue, int(arg), t)
    elif action == "p" and dialogue.step == "pin" and arg in ("0", "1"):
        await _pick_pin(update, ctx, query, dialogue, arg == "1", t)
    elif action == "go" and dialogue.step == "confirm":
        await _send(update, ctx, query, dialogue, t)
    elif action == "no" and dialogue.step == "confirm":
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, query.from_user.id)
        await query.answer()
        await query.edit_message_text(t("broadcast-cancelled"))
    else:
        await query.answer(t("broadcast-stale"))


async def _pick_target(
    update: Update, ctx: Ctx, query: CallbackQuery, dialogue: Dialogue, unit_id: int, t: Translator
) -> None:
    async with unit_of_work(ctx) as session:
        unit = await session.get(Unit, unit_id)
        roots = await asker_roots(session, update, ctx)
        if unit is None or not queries.covers(roots, unit):
            problem: BroadcastError | None = BroadcastError("broadcast-stale")
        else:
            try:
                await _chats_under(session, [unit.code])
                problem = None
            except BroadcastError as exc:
                problem = exc
            if problem is None:
                dialogue.targets, dialogue.step = [unit.code], "pin"
                await _keep(session, ctx, query.from_user.id, dialogue)
    if problem is not None or unit is None:
        error = problem or BroadcastError("broadcast-stale")
        await query.answer(
            truncate(t(error.key, **error.args_), CALLBACK_ANSWER_LIMIT), show_alert=True
        )
        return
    await query.answer()
    await query.edit_message_text(
        t("broadcast-targets-chosen", targets=f"{unit.code} — {unit.name}")
    )
    if isinstance(query.message, Message):
        await _ask_pin(query.message, dialogue, t)


async def _pick_pin(
    update: Update, ctx: Ctx, query: CallbackQuery, dialogue: Dialogue, pin: bool, t: Translator
) -> None:
    dialogue.pin = pin
    await query.answer()
    await query.edit_message_text(
        t("broadcast-pin-chosen-yes" if pin else "broadcast-pin-chosen-no")
    )
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    user_id = query.from_user.id
    try:
        async with unit_of_work(ctx) as session:
            _units, chats = await _chats_under(session, dialogue.targets)
    except BroadcastError as exc:
        dialogue.step = "targets"
        async with unit_of_work(ctx) as session:
            await _keep(session, ctx, user_id, dialogue)
        await ctx.bot.send_message(chat_id, t(exc.key, **exc.args_))
        return
    preview: dict[str, Any] = broadcast.payload_of(dialogue.announcement())
    preview.pop("pin", None)
    await ctx.bot.send_message(chat_id, t("broadcast-preview-intro"))
    try:
        # The very payload the sender will post, through the same port: exactly as it will look.
        await TelegramPort(ctx.bot).send(chat_id, preview)
    except SendError as exc:
        dialogue.step = "content"
        async with unit_of_work(ctx) as session:
            await _keep(session, ctx, user_id, dialogue)
        await ctx.bot.send_message(chat_id, t("broadcast-preview-failed", reason=exc.reason))
        return
    dialogue.step = "confirm"
    async with unit_of_work(ctx) as session:
        await _keep(session, ctx, user_id, dialogue)
    key = "broadcast-confirm-pinned" if pin else "broadcast-confirm"
    buttons = [
        [
            {"text": t("broadcast-send-button"), "data": dialogue.data("go")},
            {"text": t("broadcast-cancel-button"), "data": dialogue.data("no")},
        ]
    ]
    await ctx.bot.send_message(
        chat_id,
        t(key, chats=chats, targets=", ".join(dialogue.targets)),
        reply_markup=keyboard(buttons),
    )


class _Taken(Exception):
    """The draft was gone when Gửi was pressed (sent or cancelled meanwhile)."""


async def _send(
    update: Update, ctx: Ctx, query: CallbackQuery, dialogue: Dialogue, t: Translator
) -> None:
    message, user_id = query.message, query.from_user.id
    if message is None:
        await query.answer(t("broadcast-stale"))
        return
    try:
        async with unit_of_work(ctx) as session:
            # The draft is taken in the transaction that queues the broadcast: a second press
            # of Gửi (even one waiting on this transaction) finds no draft and sends nothing.
            if not await drop_draft(session, ctx, user_id, dialogue.nonce):
                raise _Taken
            member = await asker(session, update, ctx)
            units = await broadcast.resolve_targets(session, dialogue.targets)
            row, _count = await broadcast.create(
                session,
                dialogue.announcement(),
                units,
                creator=member,
                config_admins=ctx.settings.bot.admins,
                now=ctx.rt.now(),
                progress_chat_id=message.chat.id,
                progress_message_id=message.message_id,
            )
            counts = await broadcast.progress(session, row.id)
            broadcast_id, status = row.id, row.status
    except _Taken:
        await query.answer(t("broadcast-stale"))
        return
    except BroadcastError as exc:
        async with unit_of_work(ctx) as session:  # the refused draft ends (rolled back above)
            await drop_draft(session, ctx, user_id, dialogue.nonce)
        await query.answer()
        await query.edit_message_text(t("broadcast-not-sent", reason=t(exc.key, **exc.args_)))
        return
    await query.answer(t("broadcast-started"))
    payload = progress_payload(t, counts, status, broadcast_id)
    await query.edit_message_text(payload["text"], reply_markup=keyboard(payload.get("buttons")))


def register(app: ChithiApp) -> None:
    private = filters.ChatType.PRIVATE
    # New messages only: editing an earlier message must not answer the current question.
    active = filters.UpdateType.MESSAGE & InDialogue(app)
    app.add_handler(CommandHandler("broadcast", broadcast_command, filters=private))
    app.add_handler(CommandHandler("broadcast", group_hint, filters=~private))
    # Only while a draft is open: otherwise /cancel and messages belong to other features.
    app.add_handler(CommandHandler("cancel", cancel_command, filters=private & active))
    app.add_handler(MessageHandler(private & active & ~filters.COMMAND, on_message))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^bd:"))
