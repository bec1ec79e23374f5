"""Taking a roster entry: the Telegram id set on an entry nobody holds, race-safe, and the row
the bot had made for that person from Telegram alone merged into it (one transaction, the
caller's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import queries
from storage.models import Base, Confirmation, Member, Membership, Snooze

# When two rows of one person meet in a unit, the stronger role stays.
_ROLE_RANK = {"member": 0, "deputy": 1, "secretary": 2, "admin": 3}


def _member_references() -> list[Column[Any]]:
    """Every column that points at a member (so a merged row leaves nothing behind)."""
    columns = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Member.__tablename__ and fk.column.name == "id":
                columns.append(fk.parent)
    return columns


async def _merge(session: AsyncSession, old_id: int, new_id: int) -> None:
    """Move everything of member ``old_id`` to ``new_id``; where both have a row that may exist
    once (a membership of a unit, a confirmation, a snooze), the entry's stays (with the
    stronger role)."""
    mine = aliased(Membership)
    both = (
        await session.execute(
            select(Membership.id, Membership.role, mine.id, mine.role)
            .join(mine, (mine.unit_id == Membership.unit_id) & (mine.member_id == new_id))
            .where(Membership.member_id == old_id)
        )
    ).all()
    for old_row, old_role, new_row, new_role in both:
        if _ROLE_RANK.get(old_role, 0) > _ROLE_RANK.get(new_role, 0):
            await session.execute(
                update(Membership).where(Membership.id == new_row).values(role=old_role)
            )
        await session.execute(delete(Membership).where(Membership.id == old_row))
    new_conf = aliased(Confirmation)
    await session.execute(
        delete(Confirmation).where(
            Confirmation.member_id == old_id,
            exists(
                select(new_conf.id).where(
                    new_conf.member_id == new_id,
                    new_conf.directive_id == Confirmation.directive_id,
                    new_conf.kind == Confirmation.kind,
                )
            ),
        )
    )
    new_snooze = aliased(Snooze)
    await session.execute(
        delete(Snooze).where(
            Snooze.member_id == old_id,
            exists(
                select(new_snooze.id).where(
                    new_snooze.member_id == new_id,
                    new_snooze.directive_id == Snooze.directive_id,
                )
            ),
        )
    )
    for column in _member_references():
        await session.execute(
            update(column.table).where(column == old_id).values({column.name: new_id})
        )


async def take_entry(session: AsyncSession, entry_id: int, telegram_id: int) -> bool:
    """Give the entry to this Telegram user if nobody holds it (False if someone does);
    a row the bot had for them is merged into the entry."""
    own = await queries.member_by_telegram_id(session, telegram_id)
    if own is not None and own.id == entry_id:
        return True
    if own is not None:  # the Telegram id is unique: free it for the entry first
        await session.execute(update(Member).where(Member.id == own.id).values(telegram_id=None))
    taken = await session.execute(
        update(Member)
        .where(Member.id == entry_id, Member.telegram_id.is_(None), Member.erased_at.is_(None))
        .values(telegram_id=telegram_id, private_chat=True, blocked=False)
        .execution_options(synchronize_session=False)
    )
    if queries.rows_touched(taken) != 1:
        if own is not None:
            await session.execute(
                update(Member).where(Member.id == own.id).values(telegram_id=telegram_id)
            )
        return False
    if own is not None:
        await _merge(session, own.id, entry_id)
        await session.execute(
            update(Member)
            .where(Member.id == entry_id)
            .values(username=own.username, language=own.language)
        )
        await session.execute(delete(Member).where(Member.id == own.id))
        session.expunge(own)
    await session.get(Member, entry_id, populate_existing=True)  # what the ORM holds is stale
    return True
