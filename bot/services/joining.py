"""Opening a unit's join link, and display names.

``/start <token>`` -> :func:`offer_join` (which unit, is the person on its roster already);
what follows (claiming an entry, asking to be added) is ``bot.services.claims``. Buttons carry
the unit id and a short digest of the token, re-checked on press, so a rotated token makes
old buttons stale.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.people import TelegramPerson, ensure_member
from storage import queries
from storage.models import Member, Unit

NAME_MAX = 100
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WHITESPACE = re.compile(r"\s+")


class JoinStatus(StrEnum):
    OFFERED = "offered"  # valid token, not on the unit's roster yet
    ALREADY = "already"  # already a member of that unit
    INVALID = "invalid"  # unknown, malformed or regenerated token


@dataclass(frozen=True)
class JoinOutcome:
    status: JoinStatus
    unit: Unit | None = None
    parent: Unit | None = None
    member: Member | None = None


def token_digest(token: str) -> str:
    """Ten hex chars identifying the token, so buttons need not carry it whole."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


def deep_link(bot_username: str, token: str) -> str:
    """The link members open to join: ``https://t.me/<bot>?start=<token>``."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


async def _with_parent(session: AsyncSession, unit: Unit) -> Unit | None:
    return await session.get(Unit, unit.parent_id) if unit.parent_id is not None else None


async def offer_join(
    session: AsyncSession, person: TelegramPerson, token: str, *, language: str
) -> JoinOutcome:
    """What to show for ``/start <token>``; records that the user opened a private chat."""
    member = await ensure_member(session, person, language=language, private_chat=True)
    unit = await queries.unit_by_token(session, token) if _TOKEN.match(token) else None
    if unit is None:
        return JoinOutcome(JoinStatus.INVALID, member=member)
    parent = await _with_parent(session, unit)
    existing = await queries.membership(session, member.id, unit.id)
    status = JoinStatus.ALREADY if existing is not None else JoinStatus.OFFERED
    return JoinOutcome(status, unit=unit, parent=parent, member=member)


class RenameStatus(StrEnum):
    RENAMED = "renamed"
    EMPTY = "empty"
    TOO_LONG = "too-long"


@dataclass(frozen=True)
class RenameOutcome:
    status: RenameStatus
    name: str = ""
    previous: str = ""


def clean_name(raw: str) -> str:
    """Trim and collapse runs of whitespace (newlines included) into single spaces."""
    return _WHITESPACE.sub(" ", raw).strip()


async def rename_member(
    session: AsyncSession, person: TelegramPerson, raw_name: str, *, language: str
) -> RenameOutcome:
    """``/name <full name>``: set the member's display name (1-100 characters after trimming)."""
    name = clean_name(raw_name)
    if not name:
        return RenameOutcome(RenameStatus.EMPTY)
    if len(name) > NAME_MAX:
        return RenameOutcome(RenameStatus.TOO_LONG, name=name)
    member = await ensure_member(session, person, language=language, private_chat=True)
    previous, member.full_name = member.full_name, name
    return RenameOutcome(RenameStatus.RENAMED, name=name, previous=previous)
