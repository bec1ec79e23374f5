""" "Nhắc lại sau": a member mutes private reminders of one directive until its next reminder
time. The deadline itself does not move: summaries and escalations still count them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders import PENDING
from bot.services.schedule import OFFSET
from storage import queries
from storage.models import Delivery, Directive, Reminder, Snooze
from storage.upsert import insert_ignore

_DATA = re.compile(r"^z:(\d{1,12})$")
SNOOZED, INVALID = "snoozed", "invalid"


@dataclass(frozen=True)
class SnoozeOutcome:
    status: str
    number: str | None = None
    until: datetime | None = None  # the next reminder time; None: no reminder left before
    deadline: datetime | None = None


async def snooze_press(
    session: AsyncSession,
    data: str,
    *,
    telegram_id: int,
    chat_id: int,
    message_id: int | None,
    now: datetime,
) -> SnoozeOutcome:
    """Check the press against the reminder the bot really sent to this member, then mute."""
    match = _DATA.match(data)
    if match is None or message_id is None or chat_id != telegram_id:
        return SnoozeOutcome(INVALID)
    reminder = await session.get(Reminder, int(match.group(1)))
    member = await queries.member_by_telegram_id(session, telegram_id)
    if reminder is None or member is None:
        return SnoozeOutcome(INVALID)
    sent = await session.scalar(
        select(Delivery.id).where(
            Delivery.dedupe_key == f"rem{reminder.id}:m{member.id}",
            Delivery.kind == "reminder",
            Delivery.target_telegram_id == chat_id,
            Delivery.message_id == message_id,
            Delivery.state == "sent",
        )
    )
    directive = await session.get(Directive, reminder.directive_id)
    if sent is None or directive is None:
        return SnoozeOutcome(INVALID)
    next_due = await session.scalar(
        select(func.min(Reminder.due_at)).where(
            Reminder.directive_id == directive.id,
            Reminder.deadline == reminder.deadline,
            Reminder.cycle == reminder.cycle,
            Reminder.state == PENDING,
            Reminder.kind == OFFSET,
            Reminder.due_at > now,
        )
    )
    deadline = reminder.deadline_at
    until = next_due or (deadline if deadline is not None and deadline > now else now)
    row = {"directive_id": directive.id, "member_id": member.id, "until": until}
    if not await insert_ignore(session, Snooze, [row], ["directive_id", "member_id"]):
        await session.execute(
            update(Snooze)
            .where(Snooze.directive_id == directive.id, Snooze.member_id == member.id)
            .values(until=until)
        )
    return SnoozeOutcome(SNOOZED, directive.number, next_due, deadline)
