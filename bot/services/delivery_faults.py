"""What the sender records when a message could not be posted, in the database.

Flood control and network errors reschedule the row (back-off for the latter); a refused
message fails. A chat that blocked the bot, was deleted, or removed the bot: its delivery fails with the
reason, its other waiting messages fail too, the chat (or member) is marked so later
directives skip it, and the unit's secretaries are told privately, once. A group that became
a supergroup: the chat row and its waiting messages follow the new id.
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts
from bot.services import linking, outbox
from bot.services.outbox import Outgoing
from bot.services.ports import ChatGone, ChatMoved, Rejected, RetryLater, SendError
from storage import queries
from storage.models import Chat, Delivery, Directive, Member, Membership, Unit

MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class Outcome:
    failed: int = 0  # rows marked failed (this one and, for a gone chat, the rest of its queue)
    backed_off: int = 0  # rescheduled after a network or server error
    notices: int = 0  # secretaries told


async def record_error(
    session: AsyncSession,
    delivery_id: int,
    exc: SendError,
    *,
    max_attempts: int,
    retry_base: float,
    texts: Texts,
) -> Outcome:
    """Record why ``delivery_id`` was not posted and what happens next."""
    row = await session.get(Delivery, delivery_id)
    if row is None:
        return Outcome()
    now = outbox.wall_now()
    if isinstance(exc, RetryLater):
        at = now + timedelta(seconds=exc.seconds)
        await outbox.mark_retry(session, row.id, at, exc.reason, count_attempt=False)
        return Outcome()
    if isinstance(exc, ChatMoved):
        await linking.follow_migration(session, row.target_telegram_id, exc.new_chat_id)
        await outbox.mark_retry(session, row.id, now, exc.reason, count_attempt=False)
        return Outcome()
    if isinstance(exc, ChatGone):
        await outbox.mark_failed(session, row.id, exc.reason)
        others = await outbox.fail_queued_for(session, row.target_telegram_id, exc.reason)
        told = await chat_gone(session, row, exc.reason, exc.cause, texts)
        return Outcome(failed=1 + others, notices=told)
    if isinstance(exc, Rejected) or row.attempts + 1 >= max_attempts:
        await outbox.mark_failed(session, row.id, exc.reason)
        return Outcome(failed=1)
    backoff = min(MAX_BACKOFF, retry_base * 2.0**row.attempts) * random.uniform(0.8, 1.2)
    await outbox.mark_retry(session, row.id, now + timedelta(seconds=backoff), exc.reason)
    return Outcome(backed_off=1)


async def chat_gone(
    session: AsyncSession, row: Delivery, reason: str, cause: str, texts: Texts
) -> int:
    """Record that ``row``'s chat is unreachable (its other waiting rows already failed);
    returns how many secretaries were told."""
    units: list[Unit] = []
    subject_chat: Chat | None = None
    subject_member: Member | None = None
    if row.chat_id is not None:
        subject_chat = await session.get(Chat, row.chat_id)
        if subject_chat is None or not subject_chat.active:
            return 0  # already known (another message to it failed first)
        subject_chat.active, subject_chat.inactive_reason = False, reason[:255]
        unit = await session.get(Unit, subject_chat.unit_id) if subject_chat.unit_id else None
        units = [unit] if unit is not None else []
    elif row.member_id is not None:
        subject_member = await session.get(Member, row.member_id)
        if subject_member is None or subject_member.blocked:
            return 0
        subject_member.blocked = True
        if row.kind == "notice":
            return 0  # a secretary who cannot be reached: nobody to tell about the telling
        unit_ids = [m.unit_id for m in await queries.memberships_of(session, subject_member.id)]
        units = list((await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all())
    else:
        return 0
    secretaries = await _nearest_secretaries(session, units, exclude=row.member_id)
    what = await _what(session, row)
    notices = []
    for secretary in secretaries:
        lang = secretary.language
        args = {
            "reason": texts(lang, f"delivery-cause-{cause}"),
            "number": html.escape(what[0]),
            "title": html.escape(what[1]),
        }
        if subject_chat is not None:
            key, args["chat"] = "delivery-gone-chat", html.escape(subject_chat.title or "?")
        else:
            assert subject_member is not None
            key, args["name"] = "delivery-gone-member", html.escape(subject_member.full_name)
        if not what[0]:
            key += "-message"
        notices.append(
            Outgoing(
                f"gone:{row.id}:m{secretary.id}",
                "notice",
                secretary.chat_id,
                {"method": "message", "text": texts(lang, key, **args)},
                directive_id=row.directive_id,
                member_id=secretary.id,
            )
        )
    await outbox.enqueue(session, notices)
    return len(notices)


async def _what(session: AsyncSession, row: Delivery) -> tuple[str, str]:
    """(number, title) of the directive the row carried; ("", "") for anything else."""
    if row.directive_id is not None:
        directive = await session.get(Directive, row.directive_id)
        if directive is not None:
            return directive.number, directive.title
    return "", ""


async def _nearest_secretaries(
    session: AsyncSession, units: Sequence[Unit], exclude: int | None
) -> list[Member]:
    """Reachable secretaries of the units; where a unit has none, those of the nearest unit
    above it that has some."""
    found: dict[int, Member] = {}
    for unit in units:
        for level in reversed(await queries.ancestors(session, unit)):
            stmt = (
                select(Member)
                .join(Membership, Membership.member_id == Member.id)
                .where(
                    Membership.unit_id == level.id,
                    Membership.role == "secretary",
                    Member.private_chat.is_(True),
                    Member.blocked.is_(False),
                )
                .order_by(Member.id)
            )
            reachable = [m for m in (await session.scalars(stmt)).all() if m.id != exclude]
            if reachable:
                found.update((m.id, m) for m in reachable)
                break
    return list(found.values())
