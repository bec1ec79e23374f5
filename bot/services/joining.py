"""Joining a unit through its deep link, enrolment on first contact, and display names.

The flow: ``/start <token>`` -> :func:`offer_join` (show the unit, ask to confirm) ->
button press -> :func:`confirm_join`. The button carries the unit id and a short digest of
the token; both are re-checked on press, so a regenerated token makes old buttons stale.
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
    OFFERED = "offered"  # valid token, not yet a member: ask to confirm
    JOINED = "joined"  # confirmed: membership created
    ALREADY = "already"  # already a member of that unit
    INVALID = "invalid"  # unknown, malformed or regenerated token


@dataclass(frozen=True)
class JoinOutcome:
    status: JoinStatus
    unit: Unit | None = None
    parent: Unit | None = None
    member: Member | None = None

    @property
    def confirm_data(self) -> str:
        """Callback data for the confirm button (at most 26 bytes, re-checked on press)."""
        assert self.unit is not None
        return f"join:{self.unit.id}:{token_digest(self.unit.join_token)}"


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


def parse_confirm_data(data: str) -> tuple[int, str] | None:
    """``join:<unit id>:<digest>`` -> (unit id, digest); None for anything else."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "join" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


async def confirm_join(
    session: AsyncSession, person: TelegramPerson, data: str, *, language: str
) -> JoinOutcome:
    """Handle a press on the confirm button; never trusts ``data`` beyond looking it up."""
    parsed = parse_confirm_data(data)
    unit = await session.get(Unit, parsed[0]) if parsed else None
    if parsed is None or unit is None or token_digest(unit.join_token) != parsed[1]:
        return JoinOutcome(JoinStatus.INVALID)
    member = await ensure_member(session, person, language=language, private_chat=True)
    parent = await _with_parent(session, unit)
    added = await queries.add_membership_if_absent(session, member.id, unit.id, "member")
    status = JoinStatus.JOINED if added else JoinStatus.ALREADY
    return JoinOutcome(status, unit=unit, parent=parent, member=member)


async def enrol_if_unknown(session: AsyncSession, member: Member, unit: Unit) -> bool:
    """Make ``member`` a plain member of ``unit`` only if they belong to no unit yet.

    Called when someone presses a button in a unit's chat: the first press places them in the
    tree; later presses elsewhere never move or add them. True if a membership was added.
    """
    if await queries.memberships_of(session, member.id):
        return False
    return await queries.add_membership_if_absent(session, member.id, unit.id, "member")


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
