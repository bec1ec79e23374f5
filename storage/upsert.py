"""``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> int:
    """Insert rows, skipping those that clash on the unique columns ``conflict``.

    Returns how many rows were really inserted.
    """
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    total = 0
    # Keep statements well under both backends' bound-parameter limits.
    per_row = max(1, len(rows[0]))
    chunk = max(1, 30000 // per_row)
    for start in range(0, len(rows), chunk):
        stmt = insert(model).values(list(rows[start : start + chunk]))
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
        result = await session.execute(stmt)
        total += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    return total
