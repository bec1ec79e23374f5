"""The **Dừng** button under a broadcast's progress message: only its creator or an
administrator may stop it; the data is re-checked against the database."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import ChithiApp, Ctx
from bot.delivery.telegram_port import keyboard
from bot.services import broadcast
from bot.services.broadcast_text import progress_payload
from handlers.common import translator, unit_of_work
from storage import queries
from storage.models import Broadcast

_STOP = re.compile(r"^bs:(\d{1,12})$")


async def on_stop(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    t = translator(update, ctx)
    match = _STOP.match(query.data or "")
    if match is None:
        await query.answer(t("broadcast-stop-unknown"))
        return
    broadcast_id = int(match.group(1))
    async with unit_of_work(ctx) as session:
        member = await queries.member_by_telegram_id(session, query.from_user.id)
        outcome = await broadcast.stop(
            session,
            broadcast_id,
            by=member,
            config_admins=ctx.settings.bot.admins,
            now=ctx.rt.now(),
        )
        row = await session.get(Broadcast, broadcast_id)
        counts = await broadcast.progress(session, broadcast_id) if row else None
        shown_here = (
            row is not None
            and query.message is not None
            and row.progress_chat_id == query.message.chat.id
            and row.progress_message_id == query.message.message_id
        )
        status = row.status if row else ""
    # Answered after the commit: "stopped" means nothing more will be posted.
    key = "done" if outcome.status == "stopped" else outcome.status
    await query.answer(t(f"broadcast-stop-{key}"))
    if outcome.status == "stopped" and shown_here and counts is not None:
        payload = progress_payload(t, counts, status, broadcast_id)
        await query.edit_message_text(
            payload["text"], reply_markup=keyboard(payload.get("buttons"))
        )


def register(app: ChithiApp) -> None:
    app.add_handler(CallbackQueryHandler(on_stop, pattern=r"^bs:"))
