"""Scheduled publishing: a directive stored with status ``scheduled`` and a ``publish_at``
(``chithi publish`` with ``publish_at``, or "Hẹn giờ" in /publish) is posted by the schedule
tick once that moment has come, through the same :func:`bot.services.publish.release` as one
published at once.

Scheduled directives are rows, so a restart keeps them. Each release is one transaction that
turns the row to ``published`` and writes its outbox rows together, so it happens once; on
PostgreSQL one process at a time runs a round (a transaction-scoped advisory lock, as the
reminder tick does) and the row is taken ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Texts
from bot.services import access
from bot.services.deadlines import check_may_change
from bot.services.drafts import DraftError
from bot.services.pending import overlaps, targets_of
from bot.services.publish import SCHEDULED, PublishResult, check_permission, release
from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Directive, Member

log = logging.getLogger(__name__)

SCHEDULE_LOCK = 0x43_68_53_63  # "ChSc": one schedule round at a time across processes
LISTED_MAX = 20  # /scheduled shows the next ones, soonest first


@dataclass
class ScheduleResult:
    published: int = 0
    failed: int = 0  # refused at release time (e.g. the publisher lost the right to replace)


def local_time(at: datetime, tz: ZoneInfo) -> str:
    """A scheduled moment as shown to people: ``dd/mm/yyyy hh:mm`` local time (the way it is
    typed in /publish)."""
    return at.astimezone(tz).strftime("%d/%m/%Y %H:%M")


async def _claim_round(session: AsyncSession) -> bool:
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True  # SQLite: one process; bot.jobs runs one round at a time
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(SCHEDULE_LOCK))))


async def release_next(
    session: AsyncSession, now: datetime, settings: Settings, texts: Texts
) -> PublishResult | DraftError | None:
    """Publish the earliest scheduled directive whose time has come; None when there is none
    (or another process is running a round). A refusal at release time is returned, the
    directive being marked ``failed`` (and audited) instead of published."""
    if not await _claim_round(session):
        return None
    stmt = (
        select(Directive)
        .where(Directive.status == SCHEDULED, Directive.publish_at <= now)
        .order_by(Directive.publish_at, Directive.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    directive = (await session.scalars(stmt)).first()
    if directive is None:
        return None
    publisher = (
        await session.get(Member, directive.published_by) if directive.published_by else None
    )
    forwards = (
        await session.scalar(select(Directive.number).where(Directive.id == directive.parent_id))
        if directive.parent_id
        else None
    )
    superseded = await _replaced(session, directive)
    directive.status, directive.published_at = "published", now
    try:
        async with session.begin_nested():
            targets = await targets_of(session, directive.id)
            # The publisher's right is checked again: a secretary may have left meanwhile.
            await check_permission(session, publisher, targets, settings.bot.admins)
            result = await release(
                session,
                directive,
                targets,
                publisher=publisher,
                config_admins=settings.bot.admins,
                now=now,
                tz=settings.locale.tz,
                texts=texts,
                reminder_settings=settings.reminders,
                forwards=forwards,
                superseded=superseded,
            )
    except DraftError as error:
        directive.status = "failed"
        session.add(
            AuditEvent(
                at=now,
                actor="schedule",
                action="schedule-failed",
                subject=directive.number,
                detail={"directive_id": directive.id, "reason": error.key},
            )
        )
        return error
    return result


async def _replaced(session: AsyncSession, directive: Directive) -> Directive | None:
    """The directive it replaces, as it stands now (it may have been published meanwhile)."""
    if directive.supersedes_id is not None:
        return await session.get(Directive, directive.supersedes_id)
    if not directive.supersedes_number:
        return None
    stmt = (
        select(Directive)
        .where(Directive.number == directive.supersedes_number, Directive.id != directive.id)
        .order_by(Directive.id.desc())
        .limit(1)
    )
    found = (await session.scalars(stmt)).first()
    if found is not None:
        directive.supersedes_id = found.id
    return found


async def run_due(
    sessions: SessionFactory, now: datetime, settings: Settings, texts: Texts, *, limit: int = 100
) -> ScheduleResult:
    """Release every scheduled directive due at ``now``; one transaction each."""
    result = ScheduleResult()
    for _ in range(limit):
        async with transaction(sessions) as session:
            outcome = await release_next(session, now, settings, texts)
        if outcome is None:
            break
        if isinstance(outcome, DraftError):
            log.warning("a scheduled directive was refused at its time: %s", outcome.key)
            result.failed += 1
        else:
            result.published += 1
    return result


async def scheduled_for(
    session: AsyncSession, member: Member | None, config_admins: Collection[int]
) -> list[Directive]:
    """Scheduled directives the asker may see: those of their own sub-trees (all of them for
    an administrator), soonest first. Empty for someone who manages nothing."""
    managed = await access.managed_roots(session, member, config_admins) if member else []
    if not managed:
        return []
    admin = member is not None and await access.is_admin(session, member, config_admins)
    stmt = (
        select(Directive)
        .where(Directive.status == SCHEDULED)
        .order_by(Directive.publish_at, Directive.id)
        .limit(500)
    )
    found: list[Directive] = []
    for d in (await session.scalars(stmt)).all():
        own = member is not None and d.published_by == member.id
        if admin or own or overlaps(await targets_of(session, d.id), managed):
            found.append(d)
            if len(found) >= LISTED_MAX:
                break
    return found


async def cancel(
    session: AsyncSession,
    directive_id: int,
    member: Member | None,
    config_admins: Collection[int],
    now: datetime,
) -> str:
    """Cancel a scheduled directive (its row is removed, so its number may be used again);
    returns its number. Refused (``DraftError``) if it is no longer scheduled or not the
    asker's to change."""
    directive = await session.get(Directive, directive_id, with_for_update=True)
    if directive is None or directive.status != SCHEDULED:
        raise DraftError("sq-not-scheduled")
    await check_may_change(session, member, directive, list(config_admins), "sq-cancel-not-allowed")
    number = directive.number
    session.add(
        AuditEvent(
            at=now,
            actor=str(member.telegram_id) if member else "cli",
            action="schedule-cancel",
            subject=number,
            detail={"directive_id": directive.id, "publish_at": str(directive.publish_at)},
        )
    )
    await session.delete(directive)
    await session.flush()
    return number
