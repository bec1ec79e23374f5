"""/stats: what the asker may see of a directive's roll-up (bot.services.rollup), and the open
directives of a sub-tree with their completion. Access is the asker's own sub-trees (see
bot.services.access); unknown and not-theirs are one answer (None)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.forward import unforwarded
from bot.services.pending import overlaps, targets_of, visible_directives
from bot.services.rollup import Forwarding, Rollup, Totals, rollup, totals
from storage import queries
from storage.models import Directive, Unit

LIST_LIMIT = 10  # open directives listed without a number (one button each)


@dataclass
class StatsView:
    """A directive's figures at ``unit`` (the root of ``rollup``) and where "up" leads."""

    rollup: Rollup
    unit: Unit
    parent: Unit | None  # None at the top of what the asker may see
    # the documents units of this sub-tree issued to carry the directive down (every level)
    documents: list[Forwarding] = field(default_factory=list)
    # ``depth = "cell"``: the units of this sub-tree with units below them not yet forwarded
    unforwarded: list[Unit] = field(default_factory=list)


async def unit_in(session: AsyncSession, roots: Sequence[Unit], unit_id: int) -> Unit | None:
    """The unit if it lies in one of ``roots``' sub-trees; None otherwise (or unknown)."""
    unit = await session.get(Unit, unit_id)
    return unit if unit is not None and queries.covers(roots, unit) else None


async def directive_in(
    session: AsyncSession, roots: Sequence[Unit], directive_id: int
) -> Directive | None:
    """The directive if it was sent to (part of) ``roots``' sub-trees; None otherwise."""
    directive = await session.get(Directive, directive_id)
    if directive is None or not overlaps(await targets_of(session, directive.id), roots):
        return None
    return directive


async def home_unit(session: AsyncSession, roots: Sequence[Unit], directive: Directive) -> Unit:
    """Where /stats <number> starts: the asker's first sub-tree the directive reaches (a
    secretary of one unit has one)."""
    targets = await targets_of(session, directive.id)
    for root in roots:
        if overlaps(targets, [root]):
            return root
    return roots[0]


async def stats_view(
    session: AsyncSession, directive: Directive, unit: Unit, roots: Sequence[Unit], now: datetime
) -> StatsView:
    result = await rollup(session, directive, unit, now)
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    if parent is not None and not queries.covers(roots, parent):
        parent = None
    documents = [f for f in result.documents if f.issuer_unit_id in result.units]
    every_level = await unforwarded(session, directive, result.documents)
    left = [u for u in every_level if u.path.startswith(unit.path)]
    return StatsView(result, unit, parent, documents, left)


async def open_directives(session: AsyncSession, unit: Unit) -> list[tuple[Directive, Totals]]:
    """The open directives sent to (part of) ``unit``'s sub-tree, newest first, each with its
    completion over that sub-tree."""
    found = await visible_directives(session, [unit], limit=LIST_LIMIT)
    figures = await totals(session, [d.id for d in found], unit)
    return [(d, figures[d.id]) for d in found]
