"""/report <number> [unit code] <text>, or a document captioned /report <number>: a secretary
submits the unit's report (private chat)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.services import reports
from bot.services.render import format_deadline
from handlers.common import translator, unit_of_work
from storage import queries


async def report(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    document = message.document
    sent = reports.ReportInput(
        text=message.text or message.caption or "",
        document_file_id=document.file_id if document else None,
        document_name=document.file_name if document else None,
    )
    async with unit_of_work(ctx) as session:
        member = await queries.member_by_telegram_id(session, user.id)
        outcome = await reports.submit_report(
            session, member, sent, ctx.rt.now(), ctx.settings.bot.admins
        )
    t = translator(update, ctx)
    due = format_deadline(t, outcome.due_at, ctx.settings.locale.tz) if outcome.due_at else ""
    await message.reply_text(
        t(
            # "no such directive" and "not yours" share one refusal with the other commands
            "directive-not-found"
            if outcome.status == reports.UNKNOWN
            else f"report-{outcome.status}",
            number=html.escape(outcome.number or ""),
            unit=html.escape(outcome.unit or ""),
            cycle=outcome.cycle + 1,
            when=due,
            codes=", ".join(outcome.codes),
        ),
        parse_mode=ParseMode.HTML,
    )


def register(app: ChithiApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("report", report, filters=private))
    # A file with the caption "/report <number> ...": captions are not commands to PTB.
    captioned = filters.CaptionRegex(r"^/report(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(private & filters.Document.ALL & captioned, report))
