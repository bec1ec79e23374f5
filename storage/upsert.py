"""``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> int:
    """Insert rows (all with the same keys), skipping those that clash on the unique columns
    ``conflict``. Returns how many rows were really inserted.

    One Core ``executemany`` with ``RETURNING``: SQLAlchemy batches it into multi-row INSERTs
    with a cached compiled statement ("insertmanyvalues"), which is many times faster for big
    batches (50,000 outbox rows) than building one huge VALUES clause per chunk.
    """
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Table = model.__table__  # type: ignore[assignment]
    key = next(iter(table.primary_key.columns))
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(key)
    result = await session.execute(stmt, list(rows))
    return len(result.all())


async def insert_ignore_returning(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> set[tuple[Any, ...]]:
    """Like :func:`insert_ignore`, but returns the ``conflict`` values of the rows really
    inserted (to tell, per row, "new" from "was already there")."""
    if not rows:
        return set()
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Table = model.__table__  # type: ignore[assignment]
    columns = [table.c[name] for name in conflict]
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(*columns)
    result = await session.execute(stmt, list(rows))
    return {tuple(row) for row in result.all()}
