"""Reading the audit log (``chithi audit``, /audit): events newest first, filtered by action,
date and actor, as lines and pages within Telegram's limits."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.deadlines import sane_moment
from bot.services.drafts import DraftError
from bot.services.exports import local_time
from bot.services.tg_text import CALLBACK_DATA_BYTES, html_len, truncate
from storage.models import AuditEvent, column_length

PAGE_SIZE = 15  # events on one page of /audit
PAGE_LIMIT = 3800
DETAIL_SHOWN = 200
MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    since: datetime | None = None  # UTC
    actor: str | None = None

    def data(self, page: int) -> str:
        """Callback data of a page of this listing (filters included, within 64 bytes)."""
        day = self.since.strftime("%Y%m%d%H%M") if self.since else ""
        return f"au:{page}:{day}:{self.actor or ''}:{self.action or ''}"

    @classmethod
    def from_data(cls, data: str, tz: ZoneInfo) -> tuple[AuditFilter, int] | None:
        parts = data.split(":", 4)
        if len(parts) != 5 or parts[0] != "au" or not parts[1].isdigit():
            return None
        _, page, day, actor, action = parts
        since = None
        if day:
            try:
                since = datetime.strptime(day, "%Y%m%d%H%M").replace(tzinfo=tz)
            except ValueError:
                return None
        if actor and not actor.isdigit():
            return None
        return cls(action or None, since, actor or None), int(page)


def parse_day(text: str, tz: ZoneInfo) -> datetime:
    """``dd/mm/yyyy`` → the start of that local day (aware)."""
    try:
        moment = datetime.strptime(text.strip(), "%d/%m/%Y")
    except ValueError:
        raise DraftError("audit-bad-date", value=text) from None
    return sane_moment(moment, text).replace(tzinfo=tz)


def parse_words(words: list[str], tz: ZoneInfo) -> AuditFilter:
    """/audit's arguments in any order: a date (dd/mm/yyyy) is "since", a number an actor's
    Telegram id, any other word the action."""
    action = since = actor = None
    for word in words:
        if "/" in word:
            since = parse_day(word, tz)
        elif word.isdigit():
            actor = word
        else:
            action = word
    found = AuditFilter(action, since, actor)
    if action is not None and len(action) > column_length(AuditEvent, "action"):
        raise DraftError("audit-bad-action", value=truncate(action, 40))
    if len(found.data(9999).encode()) > CALLBACK_DATA_BYTES:
        raise DraftError("audit-bad-action", value=truncate(action or "", 40))
    return found


async def events(
    session: AsyncSession, where: AuditFilter, limit: int, offset: int = 0
) -> list[AuditEvent]:
    """Matching events newest first."""
    stmt = select(AuditEvent)
    if where.action:
        stmt = stmt.where(AuditEvent.action == where.action)
    if where.actor:
        stmt = stmt.where(AuditEvent.actor == where.actor)
    if where.since is not None:
        stmt = stmt.where(AuditEvent.at >= where.since)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset(offset)
    return list((await session.scalars(stmt.limit(min(limit, MAX_LIMIT)))).all())


def detail_text(event: AuditEvent) -> str:
    return json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True)


def line(event: AuditEvent, tz: ZoneInfo) -> str:
    """One event as a plain line (the CLI)."""
    return "\t".join(
        [local_time(event.at, tz), event.actor, event.action, event.subject, detail_text(event)]
    )


def html_line(event: AuditEvent, tz: ZoneInfo) -> str:
    return (
        f"• <code>{local_time(event.at, tz)}</code> <b>{html.escape(event.action)}</b> "
        f"{html.escape(event.subject)} — {html.escape(event.actor)}\n"
        f"  <i>{html.escape(truncate(detail_text(event), DETAIL_SHOWN))}</i>"
    )


def page_text(header: str, found: list[AuditEvent], tz: ZoneInfo, footer: str) -> str:
    """One page of /audit; events dropped from the end if the page would be too long."""
    lines = [html_line(e, tz) for e in found]
    while lines and html_len("\n".join([header, *lines, footer])) > PAGE_LIMIT:
        lines.pop()
    return "\n".join([header, "", *lines, "", footer]).strip()
