"""Query functions: take a session, never commit, hold no business rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple, cast

from sqlalchemy import ColumnElement, CursorResult, Result, Row, Select, and_, false, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Confirmation, Member, Membership, Unit

T = TypeVar("T")
_Ts = TypeVarTuple("_Ts")

# One statement carries at most 32,767 bind parameters on asyncpg and 32,766 on SQLite (its
# default SQLITE_MAX_VARIABLE_NUMBER): every IN list and bulk write is cut into pieces below that.
MAX_PARAMETERS = 32_000
IN_CHUNK = 10_000


def chunks(items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (an IN list, or a batch of rows to write)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_per_statement(columns: int) -> int:
    """How many rows of ``columns`` values one bulk statement may carry."""
    return max(1, min(IN_CHUNK, MAX_PARAMETERS // max(columns, 1)))


def rows_touched(result: Result[Any]) -> int:
    """How many rows an INSERT/UPDATE/DELETE wrote (0 when the driver cannot tell)."""
    return max(cast(CursorResult[Any], result).rowcount or 0, 0)


# -- sub-trees: a unit's path is its ancestors' ids ("/1/4/9/"), so a unit is inside the sub-tree
# of ``root`` exactly when its path starts with the root's path. Written here once.


def covers(roots: Iterable[Unit], unit: Unit) -> bool:
    """Is ``unit`` inside one of the sub-trees rooted at ``roots``?"""
    return any(unit.path.startswith(root.path) for root in roots)


def in_subtrees(roots: Iterable[Unit | str]) -> ColumnElement[bool]:
    """SQL: the ``Unit`` row is inside one of the sub-trees rooted at ``roots`` (units or
    their paths); false for no roots."""
    paths = [r if isinstance(r, str) else r.path for r in roots]
    return or_(*[Unit.path.startswith(p) for p in paths]) if paths else false()


def confirmation_of(
    confirmation: type[Confirmation], directive_id: int, kind: str
) -> ColumnElement[bool]:
    """``confirmation`` (``Confirmation`` or an alias of it) is the member's (``Member`` in the
    statement) confirmation of ``kind`` for the directive: the join or EXISTS condition."""
    return and_(
        confirmation.member_id == Member.id,
        confirmation.directive_id == directive_id,
        confirmation.kind == kind,
    )


async def units_by_code(
    session: AsyncSession, codes: Iterable[str] | None = None
) -> dict[str, Unit]:
    if codes is None:
        return {u.code: u for u in (await session.scalars(select(Unit))).all()}
    found: dict[str, Unit] = {}
    for part in chunks(dict.fromkeys(codes)):
        found.update(
            {u.code: u for u in await session.scalars(select(Unit).where(Unit.code.in_(part)))}
        )
    return found


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.code == code))


async def unit_by_token(session: AsyncSession, token: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.join_token == token))


async def subtree(session: AsyncSession, root: Unit) -> Sequence[Unit]:
    """The unit and every unit under it, in tree order."""
    stmt = select(Unit).where(in_subtrees([root])).order_by(Unit.path)
    return (await session.scalars(stmt)).all()


async def ancestors(session: AsyncSession, unit: Unit) -> Sequence[Unit]:
    """The unit's ancestors and itself, root first."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    rows = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
    order = {uid: i for i, uid in enumerate(ids)}
    return sorted(rows, key=lambda u: order[u.id])


async def member_by_telegram_id(session: AsyncSession, telegram_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.telegram_id == telegram_id))


async def members_by_card(session: AsyncSession, cards: Iterable[str]) -> dict[str, Member]:
    """Members by party card number (an IN list cut in chunks)."""
    found: dict[str, Member] = {}
    for part in chunks(dict.fromkeys(cards)):
        rows = await session.scalars(select(Member).where(Member.card_number.in_(part)))
        found.update({m.card_number: m for m in rows if m.card_number is not None})
    return found


async def memberships_of_members(
    session: AsyncSession, member_ids: Iterable[int]
) -> list[Membership]:
    """Every membership of these members (an IN list cut in chunks)."""
    found: list[Membership] = []
    for part in chunks(dict.fromkeys(member_ids)):
        stmt = select(Membership).where(Membership.member_id.in_(part))
        found.extend(await session.scalars(stmt))
    return found


async def roster_of_units(
    session: AsyncSession, unit_ids: Iterable[int]
) -> list[tuple[Member, Membership]]:
    """The people on these units' rosters with their membership (erased people left out)."""
    found: list[tuple[Member, Membership]] = []
    for part in chunks(dict.fromkeys(unit_ids)):
        stmt = (
            select(Member, Membership)
            .join(Membership, Membership.member_id == Member.id)
            .where(Membership.unit_id.in_(part), Member.erased_at.is_(None))
        )
        found.extend((m, ms) for m, ms in await session.execute(stmt))
    return found


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
    return rows_touched(result) > 0


STREAM_CHUNK = 500  # rows a chunk of ``chunked_rows``


async def chunked_rows(
    session: AsyncSession, stmt: Select[*_Ts], size: int = STREAM_CHUNK
) -> AsyncIterator[Sequence[Row[*_Ts]]]:
    """The rows of ``stmt`` in chunks of ``size``, streamed (a server-side cursor on
    PostgreSQL), the event loop free between chunks: tens of thousands of rows are never
    fetched and converted in one piece on the loop."""
    result = await session.stream(stmt)
    async for chunk in result.partitions(size):
        yield chunk
        await asyncio.sleep(0)
