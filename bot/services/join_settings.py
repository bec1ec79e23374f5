"""A unit's join link settings kept by its secretaries: withdraw the link (a new token), and
whether joiners wait for approval. Both audited."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services.tree import new_join_token
from storage.models import AuditEvent, Unit


async def rotate_link(
    session: AsyncSession,
    telegram_id: int,
    code: str,
    now: datetime,
    config_admins: Collection[int],
) -> Unit | None:
    """Give the unit a new join token (links and QR codes with the old one stop working);
    None if there is no such unit or the asker does not manage it (one answer for both)."""
    unit = await access.unit_for(session, telegram_id, code, config_admins)
    if unit is None:
        return None
    old = unit.join_token
    unit.join_token = new_join_token()
    session.add(
        AuditEvent(
            at=now,
            actor=str(telegram_id),
            action="join-link-rotated",
            subject=f"unit:{unit.code}",
            detail={"old_token_prefix": old[:4]},
        )
    )
    await session.flush()
    return unit


async def set_join_approval(
    session: AsyncSession,
    telegram_id: int,
    code: str,
    on: bool,
    now: datetime,
    config_admins: Collection[int],
) -> Unit | None:
    """Whether claims by name and requests to be added wait for a secretary; None as above."""
    unit = await access.unit_for(session, telegram_id, code, config_admins)
    if unit is None:
        return None
    previous, unit.join_approval = unit.join_approval, on
    session.add(
        AuditEvent(
            at=now,
            actor=str(telegram_id),
            action="join-approval",
            subject=f"unit:{unit.code}",
            detail={"from": previous, "to": on},
        )
    )
    await session.flush()
    return unit
