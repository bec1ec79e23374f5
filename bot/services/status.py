"""Delivery status of a directive in the asker's sub-trees, and re-queueing its failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox
from bot.services.broadcast import CANCELLED
from storage import queries
from storage.models import Chat, Delivery, Directive, Membership, Unit

SENT, PENDING, FAILED = "sent", "pending", "failed"
# Failures that say nothing about the chat: trying again may well work.
TRANSIENT = ("flood", "network")
# (plain-words reason code, markers in Telegram's error text), first match wins.
_REASONS = (
    ("cancelled", (CANCELLED,)),
    ("chat-gone", ("chat not found", "chat was deleted", "group chat was deactivated")),
    ("kicked", ("kicked", "not a member")),
    ("blocked", ("blocked", "user is deactivated")),
    ("no-rights", ("rights", "chat_write_forbidden")),
    ("flood", ("flood", "too many requests", "retry after")),
    ("network", ("timed out", "network", "connect", "server error", "bad gateway")),
)


def reason_code(error: str | None) -> str:
    """Telegram's error text as a reason a secretary can read (a text key suffix)."""
    text = (error or "").lower()
    for code, markers in _REASONS:
        if any(marker in text for marker in markers):
            return code
    return "other"


def is_transient(error: str | None) -> bool:
    return reason_code(error) in TRANSIENT


@dataclass
class ChatStatus:
    """One chat's messages of the directive (post parts, QR codes, files) taken together."""

    unit_code: str
    unit_name: str
    chat_title: str
    state: str = SENT  # sent, pending, failed
    sent_at: datetime | None = None
    error: str | None = None

    @property
    def reason(self) -> str:
        return reason_code(self.error)


@dataclass
class StatusReport:
    directive: Directive
    chats: list[ChatStatus]
    private: dict[str, int] = field(default_factory=dict)  # state -> private copies

    def count(self, state: str) -> int:
        return sum(1 for c in self.chats if c.state == state)


def _state(delivery_state: str) -> str:
    if delivery_state == outbox.SENT:
        return SENT
    if delivery_state == outbox.FAILED:
        return FAILED
    return PENDING


async def delivery_status(
    session: AsyncSession, directive: Directive, roots: Sequence[Unit]
) -> StatusReport:
    """Per chat under ``roots``: failed if any of its messages failed, else pending if any is
    still queued, else sent (at the time of its last message); private copies counted."""
    stmt = (
        select(Delivery.state, Delivery.sent_at, Delivery.last_error, Chat, Unit.code, Unit.name)
        .join(Chat, Delivery.chat_id == Chat.id)
        .join(Unit, Chat.unit_id == Unit.id)
        .where(Delivery.directive_id == directive.id, queries.in_subtrees(roots))
        .order_by(Unit.path, Chat.id, Delivery.id)
    )
    chats: dict[int, ChatStatus] = {}
    for state, sent_at, error, chat, code, name in (await session.execute(stmt)).all():
        entry = chats.setdefault(
            chat.id, ChatStatus(code, name, chat.title or str(chat.telegram_id))
        )
        mine = _state(state)
        if mine == FAILED and entry.state != FAILED:
            entry.state, entry.error = FAILED, error
        elif mine == PENDING and entry.state == SENT:
            entry.state = PENDING
        if sent_at is not None and (entry.sent_at is None or sent_at > entry.sent_at):
            entry.sent_at = sent_at
    in_subtree = exists(
        select(Membership.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .where(Membership.member_id == Delivery.member_id, queries.in_subtrees(roots))
    )
    private_stmt = select(Delivery.state).where(
        Delivery.directive_id == directive.id, Delivery.member_id.is_not(None), in_subtree
    )
    private: dict[str, int] = {SENT: 0, PENDING: 0, FAILED: 0}
    for (state,) in (await session.execute(private_stmt)).all():
        private[_state(state)] += 1
    return StatusReport(directive, list(chats.values()), private)


@dataclass(frozen=True)
class Requeued:
    messages: int  # outbox rows queued again
    chats: int  # chats they go to
    skipped_chats: int  # chats left out: the bot is no longer there


async def requeue_failed(
    session: AsyncSession, directive_id: int, roots: Sequence[Unit]
) -> Requeued:
    """Queue again the directive's failed chat messages under ``roots`` whose chat is still
    active or whose failure was transient; counters are refreshed once they are posted."""
    stmt = (
        select(Delivery.id, Delivery.last_error, Chat.id, Chat.active)
        .join(Chat, Delivery.chat_id == Chat.id)
        .join(Unit, Chat.unit_id == Unit.id)
        .where(
            Delivery.directive_id == directive_id,
            Delivery.state == outbox.FAILED,
            queries.in_subtrees(roots),
        )
    )
    again: list[int] = []
    chats: set[int] = set()
    skipped: set[int] = set()
    for delivery_id, error, chat_id, active in (await session.execute(stmt)).all():
        if active or is_transient(error):
            again.append(delivery_id)
            chats.add(chat_id)
        else:
            skipped.add(chat_id)
    for part in queries.chunks(again):  # below the drivers' parameter limits
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(part), Delivery.state == outbox.FAILED)
            .values(
                state=outbox.QUEUED,
                attempts=0,
                next_attempt_at=outbox.wall_now(),
                last_error=None,
                claimed_by=None,
                counters_dirty=Delivery.payload_has_counters,
            )
            .execution_options(synchronize_session=False)
        )
    return Requeued(len(again), len(chats), len(skipped - chats))
