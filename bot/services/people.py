"""Members as Telegram users: create on first contact, keep names and languages current."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage import queries
from storage.models import Member


@dataclass(frozen=True)
class TelegramPerson:
    """What Telegram tells us about a user; no PTB types beyond this point."""

    telegram_id: int
    full_name: str
    username: str | None
    language_code: str | None


async def ensure_member(
    session: AsyncSession, person: TelegramPerson, *, language: str, private_chat: bool = False
) -> Member:
    """The member for this Telegram user, created on first contact.

    A stored name is kept (it may come from an import or ``/name``); the username follows Telegram.
    """
    member = await queries.member_by_telegram_id(session, person.telegram_id)
    if member is None:
        member = Member(
            telegram_id=person.telegram_id,
            full_name=person.full_name or str(person.telegram_id),
            username=person.username,
            language=language,
            private_chat=private_chat,
            blocked=False,
        )
        session.add(member)
        await session.flush()
        return member
    if person.username != member.username:
        member.username = person.username
    if private_chat and not member.private_chat:
        member.private_chat = True
    if private_chat and member.blocked:
        member.blocked = False
    return member
