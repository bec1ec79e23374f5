"""Confirmation buttons (✅ Đã nhận / 📖 Đã học tập): record once, answer with a toast."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import Ctx
from bot.press_worker import batcher_of
from bot.services.confirm import Press
from handlers.common import language_of, person_of, translator


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
    # Recorded in a transaction shared with the presses that arrived together (group commit);
    # answered after that commit: "recorded" means recorded.
    outcome = await batcher_of(ctx.rt).submit(press)
    t = translator(update, ctx)
    kind = outcome.kind or "received"
    await query.answer(
        t(
            f"press-{outcome.status}-{kind}" if outcome.kind else f"press-{outcome.status}",
            number=outcome.number or "",
        )
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Every callback starting with "c:" is a confirmation; forged ones are answered too.
    app.add_handler(CallbackQueryHandler(on_press, pattern=r"^c:"))
