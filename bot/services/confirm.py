"""Recording a button press: once per (directive, member, kind); "studied" implies "received"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import counters
from bot.services.joining import enrol_if_unknown
from bot.services.people import TelegramPerson, ensure_member
from bot.services.render import KIND_CODES
from storage.models import Chat, Confirmation, Delivery, Directive, Unit
from storage.upsert import insert_ignore

# Messages that carry the confirmation buttons (QR images and documents do not).
CONFIRMABLE = ("post", "private", "reminder")
_DATA = re.compile(r"^c:(\d{1,12}):([rs])$")

RECORDED, ALREADY, INVALID, NOT_HERE, CLOSED = (
    "recorded",
    "already",
    "invalid",
    "not-sent-here",
    "closed",
)


@dataclass(frozen=True)
class Press:
    """A button press as Telegram reported it (nothing in it is trusted yet)."""

    data: str
    person: TelegramPerson
    chat_id: int
    chat_type: str
    message_id: int | None
    at: datetime
    language: str


@dataclass(frozen=True)
class PressOutcome:
    status: str
    kind: str | None = None
    number: str | None = None


def parse_data(data: str) -> tuple[int, str] | None:
    match = _DATA.match(data)
    if not match:
        return None
    return int(match.group(1)), KIND_CODES[match.group(2)]


async def _sent_here(
    session: AsyncSession, directive_id: int, press: Press
) -> tuple[Directive, int | None] | None:
    """The directive, if the bot really posted it as this very message in this chat, with the
    unit of that chat (None for private copies) — one query."""
    if press.message_id is None:
        return None
    stmt = (
        select(Directive, Chat.unit_id)
        .join(Delivery, Delivery.directive_id == Directive.id)
        .outerjoin(Chat, Chat.id == Delivery.chat_id)
        .where(
            Directive.id == directive_id,
            Delivery.target_telegram_id == press.chat_id,
            Delivery.message_id == press.message_id,
            Delivery.state == "sent",
            Delivery.kind.in_(CONFIRMABLE),
        )
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row is not None else None


async def record_press(session: AsyncSession, press: Press) -> PressOutcome:
    """Check a press against the database and record it; never trusts the callback data."""
    parsed = parse_data(press.data)
    if parsed is None:
        return PressOutcome(INVALID)
    directive_id, kind = parsed
    found = await _sent_here(session, directive_id, press)
    if found is None:  # the slow path only for bad presses: say what was wrong
        directive = await session.get(Directive, directive_id)
        if directive is None or (kind == "studied" and not directive.requires_study):
            return PressOutcome(INVALID)
        return PressOutcome(NOT_HERE, kind, directive.number)
    directive, unit_id = found
    if kind == "studied" and not directive.requires_study:
        return PressOutcome(INVALID)
    if directive.status not in ("published", "superseded"):
        return PressOutcome(CLOSED, kind, directive.number)
    private = press.chat_type == "private"
    member = await ensure_member(
        session, press.person, language=press.language, private_chat=private
    )
    if unit_id is not None and not private:
        unit = await session.get(Unit, unit_id)
        if unit is not None:
            await enrol_if_unknown(session, member, unit)
    if kind == "studied":  # studying implies having received it
        await _insert(session, directive_id, member.id, "received", press)
    if not await _insert(session, directive_id, member.id, kind, press):
        return PressOutcome(ALREADY, kind, directive.number)
    await counters.mark_dirty(session, directive_id, member.id)
    return PressOutcome(RECORDED, kind, directive.number)


async def _insert(
    session: AsyncSession, directive_id: int, member_id: int, kind: str, press: Press
) -> bool:
    row = {
        "directive_id": directive_id,
        "member_id": member_id,
        "kind": kind,
        "at": press.at,
        "chat_id": press.chat_id,
    }
    conflict = ["directive_id", "member_id", "kind"]
    return await insert_ignore(session, Confirmation, [row], conflict) == 1
