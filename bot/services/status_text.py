"""The /status answer as pages of HTML lines within Telegram's text limit: failures first."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.services.render import closed_note
from bot.services.status import FAILED, PENDING, SENT, ChatStatus, StatusReport
from bot.services.tg_text import html_len

PAGE_LIMIT = 3800  # room for the header and the page line under Telegram's 4096
_ORDER = {FAILED: 0, PENDING: 1, SENT: 2}


def chat_line(t: Translator, chat: ChatStatus, tz: ZoneInfo) -> str:
    where = t(
        "status-chat",
        unit=html.escape(chat.unit_name),
        code=html.escape(chat.unit_code),
        chat=html.escape(chat.chat_title),
    )
    if chat.state == FAILED:
        detail = html.escape((chat.error or "")[:120])
        return t(
            "status-chat-failed", where=where, reason=t(f"reason-{chat.reason}", detail=detail)
        )
    if chat.state == PENDING:
        return t("status-chat-pending", where=where)
    when = chat.sent_at.astimezone(tz).strftime("%H:%M %d/%m/%Y") if chat.sent_at else "?"
    return t("status-chat-sent", where=where, when=when)


def render_pages(t: Translator, report: StatusReport, tz: ZoneInfo) -> list[str]:
    d = report.directive
    header = [
        t("status-title", number=html.escape(d.number)),
        f"<i>{html.escape(d.title)}</i>",
        t(
            "status-summary",
            chats=len(report.chats),
            sent=report.count(SENT),
            failed=report.count(FAILED),
            pending=report.count(PENDING),
        ),
    ]
    note = closed_note(t, d)
    if note:
        header.insert(2, note)
    if any(report.private.values()):
        header.append(
            t(
                "status-private",
                sent=report.private.get(SENT, 0),
                failed=report.private.get(FAILED, 0),
                pending=report.private.get(PENDING, 0),
            )
        )
    if not report.chats:
        return ["\n".join([*header, "", t("status-no-chats")])]
    room = PAGE_LIMIT - sum(html_len(h) + 1 for h in header) - 40
    pages: list[list[str]] = [[]]
    size = 0
    for chat in sorted(report.chats, key=lambda c: _ORDER[c.state]):
        line = chat_line(t, chat, tz)
        line_size = html_len(line) + 1
        if pages[-1] and size + line_size > room:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += line_size
    out = []
    for i, lines in enumerate(pages, start=1):
        footer = [t("status-page", page=i, pages=len(pages))] if len(pages) > 1 else []
        out.append("\n".join([*header, "", *lines, *footer]).strip())
    return out
