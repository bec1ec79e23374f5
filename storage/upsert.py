"""``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


@lru_cache(maxsize=64)
def _statement(dialect: str, table: Table, conflict: tuple[str, ...], returning: bool) -> Insert:
    """Built once per table and key (these statements run with every batch of presses)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        return stmt.returning(*[table.c[name] for name in conflict])
    return stmt.returning(next(iter(table.primary_key.columns)))


async def _run(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    returning: bool,
) -> list[tuple[Any, ...]]:
    connection = await session.connection()
    table = model.__table__
    assert isinstance(table, Table), f"{model.__name__} is mapped to a table"
    stmt = _statement(connection.dialect.name, table, tuple(conflict), returning)
    result = await connection.execute(stmt, list(rows))
    return [tuple(row) for row in result.all()]


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
    return len(await _run(session, model, rows, conflict, returning=False))


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
    return set(await _run(session, model, rows, conflict, returning=True))
