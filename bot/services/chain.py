"""The directives a forwarded one carries, up the chain (province ← district ← commune): a
member who confirms the district's document has confirmed the province's letter inside it,
however it was recorded (a press: :mod:`bot.services.presses`, which reads the chain for a
whole batch at once; a meeting, a secretary's mark, passed questions: :func:`confirm_above`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Directive

IN_FORCE = "published"


@dataclass(frozen=True)
class Above:
    """A directive up the chain, still in force."""

    id: int
    requires_study: bool
    quiz: bool  # studied only with its questions answered, when confirmed by a bare press


async def above(session: AsyncSession, directive: Directive) -> list[Above]:
    """The directives ``directive`` forwards, nearest first, those still in force (one
    statement per level; none for a directive that forwards nothing)."""
    found: list[Above] = []
    seen = {directive.id}
    parent = directive.parent_id
    while parent is not None and parent not in seen:
        seen.add(parent)
        row = (
            await session.execute(
                select(
                    Directive.parent_id,
                    Directive.status,
                    Directive.requires_study,
                    Directive.pass_mark,
                ).where(Directive.id == parent)
            )
        ).first()
        if row is None:
            break
        up, status, study, pass_mark = row
        if status == IN_FORCE:
            found.append(Above(parent, bool(study), pass_mark is not None))
        parent = up
    return found


def rows_above(chain: Sequence[Above], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same confirmation rows for each directive up the chain ("studied" only where it
    asks to be studied), to be inserted with ``rows`` (each once: the unique key)."""
    return [
        {**row, "directive_id": a.id}
        for a in chain
        for row in rows
        if row["kind"] == "received" or a.requires_study
    ]
