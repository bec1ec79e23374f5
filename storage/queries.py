"""Query functions: take a session, never commit, hold no business rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Member, Membership, Unit


async def units_by_code(
    session: AsyncSession, codes: Iterable[str] | None = None
) -> dict[str, Unit]:
    stmt = select(Unit)
    if codes is not None:
        stmt = stmt.where(Unit.code.in_(list(codes)))
    return {u.code: u for u in (await session.scalars(stmt)).all()}


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.code == code))


async def unit_by_token(session: AsyncSession, token: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.join_token == token))


async def subtree(session: AsyncSession, root: Unit) -> Sequence[Unit]:
    """The unit and every unit under it, in tree order."""
    stmt = select(Unit).where(Unit.path.startswith(root.path)).order_by(Unit.path)
    return (await session.scalars(stmt)).all()


async def ancestors(session: AsyncSession, unit: Unit) -> Sequence[Unit]:
    """The unit's ancestors and itself, root first."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    rows = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
    order = {uid: i for i, uid in enumerate(ids)}
    return sorted(rows, key=lambda u: order[u.id])


async def member_by_telegram_id(session: AsyncSession, telegram_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.telegram_id == telegram_id))


async def members_by_telegram_id(
    session: AsyncSession, telegram_ids: Iterable[int]
) -> dict[int, Member]:
    rows = await session.scalars(select(Member).where(Member.telegram_id.in_(list(telegram_ids))))
    return {m.telegram_id: m for m in rows.all()}


async def memberships_of(session: AsyncSession, member_id: int) -> Sequence[Membership]:
    stmt = select(Membership).where(Membership.member_id == member_id)
    return (await session.scalars(stmt)).all()


async def membership(session: AsyncSession, member_id: int, unit_id: int) -> Membership | None:
    stmt = select(Membership).where(
        Membership.member_id == member_id, Membership.unit_id == unit_id
    )
    return await session.scalar(stmt)


async def chat_by_telegram_id(session: AsyncSession, telegram_id: int) -> Chat | None:
    return await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))


async def add_membership_if_absent(
    session: AsyncSession, member_id: int, unit_id: int, role: str
) -> bool:
    """Insert a membership unless (member, unit) already has one; True if a row was added.

    ``ON CONFLICT DO NOTHING`` keeps a double tap from failing on the unique key.
    """
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = (
        insert(Membership)
        .values(member_id=member_id, unit_id=unit_id, role=role)
        .on_conflict_do_nothing(index_elements=["member_id", "unit_id"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
