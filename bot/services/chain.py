"""The directives a forwarded one carries, up the chain (province ← district ← commune): a
member who confirms the district's document has confirmed the province's letter inside it,
however it was recorded (a press: :mod:`bot.services.presses`, which reads the chain for a
whole batch at once with :func:`links`; a meeting, a secretary's mark, passed questions:
:func:`above`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.lifecycle import PUBLISHED
from storage.models import Directive


@dataclass(frozen=True)
class Link:
    """A directive up the chain: what it forwards in turn, and what confirming it takes."""

    id: int
    parent_id: int | None
    status: str
    requires_study: bool
    quiz: bool  # studied only with its questions answered, when confirmed by a bare press


async def links(session: AsyncSession, parent_ids: Collection[int]) -> dict[int, Link]:
    """The directives ``parent_ids`` name and every one up the chain from them (id → link):
    one statement per level, none when there is nothing to forward."""
    found: dict[int, Link] = {}
    frontier = set(parent_ids)
    while frontier:
        rows = await session.execute(
            select(
                Directive.id,
                Directive.parent_id,
                Directive.status,
                Directive.requires_study,
                Directive.pass_mark,
            ).where(Directive.id.in_(sorted(frontier)))
        )
        for directive_id, parent, status, study, pass_mark in rows:
            found[directive_id] = Link(
                directive_id, parent, status, bool(study), pass_mark is not None
            )
        frontier = {a.parent_id for a in found.values() if a.parent_id} - set(found)
    return found


def walk(
    start: int | None, found: dict[int, Link], *, not_past: Collection[int] = ()
) -> list[Link]:
    """The chain from ``start`` up, nearest first, as far as ``found`` reaches (a loop, or a
    directive of ``not_past``, ends it)."""
    chain: list[Link] = []
    seen = set(not_past)
    while start is not None and start in found and start not in seen:
        seen.add(start)
        chain.append(found[start])
        start = found[start].parent_id
    return chain


async def above(session: AsyncSession, directive: Directive) -> list[Link]:
    """The directives ``directive`` forwards, nearest first, those still in force (one
    statement per level; none for a directive that forwards nothing)."""
    if directive.parent_id is None:
        return []
    found = await links(session, {directive.parent_id})
    chain = walk(directive.parent_id, found, not_past={directive.id})
    return [a for a in chain if a.status == PUBLISHED]


def rows_above(chain: Sequence[Link], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same confirmation rows for each directive up the chain ("studied" only where it
    asks to be studied), to be inserted with ``rows`` (each once: the unique key)."""
    return [
        {**row, "directive_id": a.id}
        for a in chain
        for row in rows
        if row["kind"] == "received" or a.requires_study
    ]
