"""Confirmation buttons (✅ Đã nhận / 📖 Đã học tập): record once, answer with a toast.

The poller hands presses to the press lane before PTB parses them (``bot.intake.polling``); this
handler serves presses that arrive as PTB updates some other way (a webhook, a replayed
update), through the same lane.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import ChithiApp, Ctx
from bot.intake.press_lane import PRESS_PREFIX, lane_of
from bot.services.confirm import Press
from handlers.common import language_of, person_of


async def on_press(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    message = query.message
    chat = message.chat if message is not None else None
    press = Press(
        data=query.data or "",
        person=person_of(query.from_user),
        chat_id=chat.id if chat else 0,
        chat_type=chat.type if chat else "",
        message_id=message.message_id if message is not None else None,
        at=ctx.rt.now(),
        language=language_of(update, ctx),
    )
    await lane_of(ctx.rt).handle(press, query.id)


def register(app: ChithiApp) -> None:
    # Every confirmation callback is handled here; forged ones are answered too.
    app.add_handler(CallbackQueryHandler(on_press, pattern=f"^{PRESS_PREFIX}"))
