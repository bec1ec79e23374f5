"""Completion of one directive rolled up the tree: the figures behind /stats, exports and the
report draft.

Every figure is over the roster (memberships), restricted to the directive's target
sub-trees, and each unit's figure covers its whole sub-tree: a person listed in two units
counts once in each, and once in any unit above both (distinct people). All of it comes from a
handful of grouped SQL statements over the materialised paths, whatever the size of the tree:
no query per unit, no loop over members in Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, distinct, false, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Subquery

from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Membership,
    ReportCycle,
    Unit,
)

HOWS = ("press", "meeting", "behalf")


@dataclass
class Figures:
    """One unit's sub-tree for one directive."""

    unit_id: int
    code: str
    name: str
    path: str
    depth: int
    parent_id: int | None
    members: int = 0
    received: int = 0
    studied: int = 0
    studied_by: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HOWS, 0))
    reports_owed: int = 0  # units in the sub-tree with a report cycle due so far
    reports_done: int = 0  # of which every due cycle was submitted
    forwarded: int = 0  # documents issued in the sub-tree to carry the directive out

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        """``part`` of ``whole`` in percent (None for an empty unit: no figure, not 0%)."""
        return None if whole == 0 else 100.0 * part / whole

    @property
    def received_pct(self) -> float | None:
        return self.share(self.received, self.members)

    @property
    def studied_pct(self) -> float | None:
        return self.share(self.studied, self.members)


@dataclass
class Rollup:
    """The figures of ``root`` and of every unit under it (within the directive's targets)."""

    directive: Directive
    root: Figures
    units: dict[int, Figures]

    def children(self, unit_id: int) -> list[Figures]:
        """The unit's direct children, worst first (lowest completion; empty units last)."""
        kids = [f for f in self.units.values() if f.parent_id == unit_id]
        return sorted(kids, key=lambda f: worst_first(f, self.directive.requires_study))

    def levels(self) -> list[list[Figures]]:
        """Every unit grouped by depth below the root, each level in tree (path) order."""
        by_depth: dict[int, list[Figures]] = {}
        for f in sorted(self.units.values(), key=tree_order):
            by_depth.setdefault(f.depth, []).append(f)
        return [by_depth[d] for d in sorted(by_depth)]


def tree_order(f: Figures) -> list[int]:
    """Parents before children, siblings by id (paths compared as numbers: "/1/10/" after "/1/2/")."""
    return [int(part) for part in f.path.strip("/").split("/")]


def worst_first(f: Figures, requires_study: bool) -> tuple[int, float, str]:
    pct = f.studied_pct if requires_study else f.received_pct
    return (1, 0.0, f.path) if pct is None else (0, pct, f.path)


async def rollup(session: AsyncSession, directive: Directive, root: Unit, now: datetime) -> Rollup:
    """Figures of ``root``'s sub-tree for ``directive``: five grouped statements in all."""
    target_paths = (
        select(Unit.path)
        .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
        .where(DirectiveTarget.directive_id == directive.id)
    )
    targets = list((await session.scalars(target_paths)).all())
    nodes = await session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.depth, Unit.parent_id).where(
            Unit.path.startswith(root.path)
        )
    )
    units = {
        uid: Figures(uid, code, name, path, depth - root.depth, parent)
        for uid, code, name, path, depth, parent in nodes
    }
    pairs = _pairs(root, targets, max(f.depth for f in units.values()))
    for uid, n in await session.execute(_count_members(pairs)):
        units[uid].members = n
    for uid, kind, how, n in await session.execute(_count_confirmations(pairs, directive.id)):
        figures = units[uid]
        if kind == "received":
            figures.received += n
        elif kind == "studied":
            figures.studied += n
            figures.studied_by[how if how in HOWS else "press"] += n
    for uid, owed, done in await session.execute(_count_reports(pairs, directive.id, now)):
        units[uid].reports_owed, units[uid].reports_done = owed, done or 0
    for uid, n in await session.execute(_count_forwarded(pairs, directive.id)):
        units[uid].forwarded = n
    return Rollup(directive, units[root.id], units)


def _pairs(root: Unit, targets: Sequence[str], levels: int) -> Subquery:
    """(node, leaf): every unit of the root's sub-tree (node) with each unit under it (leaf,
    the node itself included) that lies inside the directive's targets.

    Built by walking up the parent links, one branch per number of steps (``levels`` is the
    sub-tree's depth below the root): equality joins on the primary key, so the database
    never compares every path with every other (a ``LIKE node.path || '%'`` join is a nested
    loop over all pairs of units, and SQLite re-ran it for every confirmation)."""
    leaf = aliased(Unit, name="leaf")
    inside = or_(*[leaf.path.startswith(p) for p in targets]) if targets else false()
    in_root = leaf.path.startswith(root.path)
    branches = [select(leaf.id.label("node_id"), leaf.id.label("leaf_id")).where(in_root, inside)]
    for steps in range(1, levels + 1):
        up = [aliased(Unit, name=f"up{i}") for i in range(1, steps + 1)]
        stmt = select(up[-1].id.label("node_id"), leaf.id.label("leaf_id")).join(
            up[0], up[0].id == leaf.parent_id
        )
        for lower, upper in itertools.pairwise(up):
            stmt = stmt.join(upper, upper.id == lower.parent_id)
        branches.append(stmt.where(in_root, inside, up[-1].depth >= root.depth))
    return union_all(*branches).subquery("pairs")


def _count_members(pairs: Subquery) -> Select[int, int]:
    return (
        select(pairs.c.node_id, func.count(distinct(Membership.member_id)))
        .join(Membership, Membership.unit_id == pairs.c.leaf_id)
        .group_by(pairs.c.node_id)
    )


def _count_confirmations(pairs: Subquery, directive_id: int) -> Select[int, str, str, int]:
    return (
        select(
            pairs.c.node_id,
            Confirmation.kind,
            Confirmation.how,
            func.count(distinct(Confirmation.member_id)),
        )
        .join(Membership, Membership.unit_id == pairs.c.leaf_id)
        .join(
            Confirmation,
            and_(
                Confirmation.member_id == Membership.member_id,
                Confirmation.directive_id == directive_id,
            ),
        )
        .group_by(pairs.c.node_id, Confirmation.kind, Confirmation.how)
    )


def _count_reports(
    pairs: Subquery, directive_id: int, now: datetime
) -> Select[int, int, int | None]:
    """Per node: units that owe a report (a cycle due by now, or one already submitted) and
    those that have submitted every cycle due so far (an early report counts)."""
    due = ReportCycle.due_at <= now
    submitted = ReportCycle.submitted_at.is_not(None)
    per_unit = (
        select(
            ReportCycle.unit_id.label("unit_id"),
            func.count(case((due, 1))).label("due"),
            func.count(case((and_(due, submitted), 1))).label("due_done"),
            func.count(case((submitted, 1))).label("done"),
        )
        .where(ReportCycle.directive_id == directive_id)
        .group_by(ReportCycle.unit_id)
        .subquery("per_unit")
    )
    reported = or_(
        and_(per_unit.c.due > 0, per_unit.c.due_done == per_unit.c.due),
        and_(per_unit.c.due == 0, per_unit.c.done > 0),
    )
    return (
        select(pairs.c.node_id, func.count(), func.sum(case((reported, 1), else_=0)))
        .join(per_unit, per_unit.c.unit_id == pairs.c.leaf_id)
        .where(or_(per_unit.c.due > 0, per_unit.c.done > 0))
        .group_by(pairs.c.node_id)
    )


def _count_forwarded(pairs: Subquery, directive_id: int) -> Select[int, int]:
    """Per node: documents issued by units of its sub-tree to carry the directive out."""
    return (
        select(pairs.c.node_id, func.count(Directive.id))
        .join(Directive, Directive.issuer_unit_id == pairs.c.leaf_id)
        .where(Directive.parent_id == directive_id)
        .group_by(pairs.c.node_id)
    )


@dataclass(frozen=True)
class Totals:
    """One directive's completion over one sub-tree (the root line of its roll-up)."""

    members: int = 0
    received: int = 0
    studied: int = 0


async def totals(
    session: AsyncSession, directive_ids: Sequence[int], root: Unit
) -> dict[int, Totals]:
    """Completion of several directives over ``root``'s sub-tree at once (the /stats list):
    two grouped statements whatever the number of directives; the same counting as
    :func:`rollup` gives its root (distinct people inside both the sub-tree and the targets)."""
    if not directive_ids:
        return {}
    target = aliased(Unit, name="target")
    leaf = aliased(Unit, name="leaf")
    reached = (
        select(
            DirectiveTarget.directive_id.label("directive_id"),
            Membership.member_id.label("member_id"),
        )
        .join(target, target.id == DirectiveTarget.unit_id)
        .join(leaf, leaf.path.startswith(target.path))
        .join(Membership, Membership.unit_id == leaf.id)
        .where(
            DirectiveTarget.directive_id.in_(list(directive_ids)),
            leaf.path.startswith(root.path),
        )
        .distinct()
        .subquery("reached")
    )
    counts: dict[int, dict[str, int]] = {}
    members = select(reached.c.directive_id, func.count()).group_by(reached.c.directive_id)
    for did, n in await session.execute(members):
        counts.setdefault(did, {})["members"] = n
    confirmed = (
        select(reached.c.directive_id, Confirmation.kind, func.count())
        .join(
            Confirmation,
            and_(
                Confirmation.member_id == reached.c.member_id,
                Confirmation.directive_id == reached.c.directive_id,
            ),
        )
        .group_by(reached.c.directive_id, Confirmation.kind)
    )
    for did, kind, n in await session.execute(confirmed):
        if kind in ("received", "studied"):
            counts.setdefault(did, {})[kind] = n
    return {did: Totals(**counts.get(did, {})) for did in directive_ids}
