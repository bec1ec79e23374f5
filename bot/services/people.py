"""Members as Telegram users: create on first contact, keep names and languages current."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.tg_text import clean_text
from storage import queries
from storage.models import Member, column_length

# As long as the columns hold.
NAME_MAX = column_length(Member, "full_name")
USERNAME_MAX = column_length(Member, "username")


@dataclass(frozen=True)
class TelegramPerson:
    """What Telegram tells us about a user; no PTB types beyond this point.

    Names arrive as people typed them: control characters (a NUL would make PostgreSQL refuse
    every statement about this person) are dropped here, on every way in, and lengths bounded
    to what is stored.
    """

    telegram_id: int
    full_name: str = field(repr=False)  # a log line names people by id (see bot.logs)
    username: str | None = field(repr=False)
    language_code: str | None

    def __post_init__(self) -> None:
        name = " ".join(clean_text(self.full_name or "").split())[:NAME_MAX]
        username = clean_text(self.username or "").strip()[:USERNAME_MAX] or None
        object.__setattr__(self, "full_name", name)
        object.__setattr__(self, "username", username)


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
