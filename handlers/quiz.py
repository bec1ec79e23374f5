"""The questions of a directive with proof of study, answered in the private chat: each answer
edits the message to the next question, then to the result (with "Làm lại" below a score under
the pass mark). The rules and the checks of every press are ``bot.services.quiz``'s."""

from __future__ import annotations

import contextlib
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.context import ChithiApp, Ctx
from bot.delivery.telegram_port import keyboard
from bot.i18n import Translator
from bot.services import quiz
from handlers.common import own_buttons, translator, unit_of_work


def _result(t: Translator, step: quiz.Step) -> tuple[str, InlineKeyboardMarkup | None]:
    args = {
        "number": html.escape(step.number),
        "score": step.score,
        "total": step.total,
        "mark": step.pass_mark,
    }
    if step.status == quiz.PASSED:
        return t("qz-passed", **args), None
    retry = InlineKeyboardButton(
        t("qz-button-retry"), callback_data=quiz.retry_data(step.attempt_id)
    )
    return t("qz-failed", **args), InlineKeyboardMarkup([[retry]])


@own_buttons("qz-stale")
async def on_answer(update: Update, ctx: Ctx) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    t = translator(update, ctx)
    data = query.data or ""
    async with unit_of_work(ctx) as session:
        if data.endswith(":r"):
            step = await quiz.retry(session, data, user.id, ctx.rt.now(), t)
        else:
            step = await quiz.answer(session, data, user.id, query.message.chat.id, ctx.rt.now(), t)
    if step.status in (quiz.INVALID, quiz.CLOSED, quiz.DONE):
        await query.answer(t(f"qz-{step.status}", number=step.number))
        return
    if step.status == quiz.NEXT and step.payload is not None:
        text, markup = str(step.payload["text"]), keyboard(step.payload.get("buttons"))
    else:
        text, markup = _result(t, step)
    with contextlib.suppress(BadRequest):
        await query.message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    await query.answer(t("qz-passed-toast") if step.status == quiz.PASSED else None)


def register(app: ChithiApp) -> None:
    app.add_handler(CallbackQueryHandler(on_answer, pattern=rf"^{quiz.PREFIX}:"))
