"""/me: the open directives sent to a member's units, with what they have confirmed, and the
record that lets the buttons under the answer go through the press lane like a post's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Confirmation, Delivery, Directive, DirectiveTarget, Membership, Unit

LIMIT = 10  # newest open directives listed (one or two buttons each)
KIND = "me"  # the answer's outbox kind: confirmable (bot.services.confirm.CONFIRMABLE)


@dataclass(frozen=True)
class Mine:
    directive: Directive
    received: bool
    studied: bool

    @property
    def done(self) -> bool:
        return self.received and (self.studied or not self.directive.requires_study)


async def is_listed(session: AsyncSession, member_id: int) -> bool:
    found = select(Membership.id).where(Membership.member_id == member_id).limit(1)
    return (await session.scalar(found)) is not None


async def my_directives(session: AsyncSession, member_id: int, limit: int = LIMIT) -> list[Mine]:
    """Published directives whose targets cover one of the member's units, newest first: two
    statements."""
    target = aliased(Unit, name="target")
    mine = aliased(Unit, name="mine")
    reaches = (
        select(DirectiveTarget.id)
        .join(target, target.id == DirectiveTarget.unit_id)
        .join(mine, mine.path.startswith(target.path))
        .join(Membership, Membership.unit_id == mine.id)
        .where(DirectiveTarget.directive_id == Directive.id, Membership.member_id == member_id)
        .exists()
    )
    stmt = (
        select(Directive)
        .where(Directive.status == "published", reaches)
        .order_by(Directive.id.desc())
        .limit(limit)
    )
    directives = list((await session.scalars(stmt)).all())
    if not directives:
        return []
    confirmed = await session.execute(
        select(Confirmation.directive_id, Confirmation.kind).where(
            Confirmation.member_id == member_id,
            Confirmation.directive_id.in_([d.id for d in directives]),
        )
    )
    have = {(did, kind) for did, kind in confirmed}
    return [Mine(d, (d.id, "received") in have, (d.id, "studied") in have) for d in directives]


async def record_sent(
    session: AsyncSession,
    directive_ids: Sequence[int],
    chat_id: int,
    message_id: int,
    now: datetime,
) -> None:
    """The answer's message carries the buttons of these directives: recorded as sent, so a
    press on it is checked and recorded by the press lane as one on a private copy."""
    session.add_all(
        Delivery(
            dedupe_key=f"me:{chat_id}:{message_id}:{did}",
            kind=KIND,
            directive_id=did,
            target_telegram_id=chat_id,
            payload={},
            state="sent",
            message_id=message_id,
            next_attempt_at=now,
            sent_at=now,
        )
        for did in directive_ids
    )
    await session.flush()
