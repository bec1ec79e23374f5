"""Completion of one directive rolled up the tree: the figures behind /stats, exports and the
report draft.

Every figure is over the roster (memberships), restricted to the directive's target
sub-trees, and each unit's figure covers its whole sub-tree: a person listed in two units
counts once in each, and once in any unit above both (distinct people). All of it comes from a
handful of grouped SQL statements over the materialised paths, whatever the size of the tree:
no query per unit, no loop over members in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, distinct, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CTE, Subquery

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
    pairs = _pairs(root, targets, session.get_bind().dialect.name == "sqlite")
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


def _pairs(root: Unit, targets: Sequence[str], sqlite: bool = False) -> Subquery | CTE:
    """(node, leaf): every unit of the root's sub-tree (node) with each unit under it (leaf,
    the node itself included) that lies inside the directive's targets.

    On SQLite the pairs are computed once (a materialised CTE) with the leaf found by a range
    on the indexed path (paths are digits and slashes, all below "~", and SQLite compares
    bytes): with a LIKE against another column SQLite re-ran the node × leaf product for every
    membership or confirmation (minutes at 50,000 members). PostgreSQL plans the LIKE well and
    its collation need not order slashes before digits, so it keeps the LIKE."""
    node = aliased(Unit, name="node")
    leaf = aliased(Unit, name="leaf")
    inside = or_(*[leaf.path.startswith(p) for p in targets]) if targets else false()
    under = (
        and_(leaf.path >= node.path, leaf.path < node.path + "~")
        if sqlite
        else leaf.path.startswith(node.path)
    )
    stmt = (
        select(node.id.label("node_id"), leaf.id.label("leaf_id"))
        .join(leaf, under)
        .where(node.path.startswith(root.path), inside)
    )
    return stmt.cte("pairs").prefix_with("MATERIALIZED") if sqlite else stmt.subquery("pairs")


def _count_members(pairs: Subquery | CTE) -> Select[int, int]:
    return (
        select(pairs.c.node_id, func.count(distinct(Membership.member_id)))
        .join(Membership, Membership.unit_id == pairs.c.leaf_id)
        .group_by(pairs.c.node_id)
    )


def _count_confirmations(pairs: Subquery | CTE, directive_id: int) -> Select[int, str, str, int]:
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
    pairs: Subquery | CTE, directive_id: int, now: datetime
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


def _count_forwarded(pairs: Subquery | CTE, directive_id: int) -> Select[int, int]:
    """Per node: documents issued by units of its sub-tree to carry the directive out."""
    return (
        select(pairs.c.node_id, func.count(Directive.id))
        .join(Directive, Directive.issuer_unit_id == pairs.c.leaf_id)
        .where(Directive.parent_id == directive_id)
        .group_by(pairs.c.node_id)
    )
