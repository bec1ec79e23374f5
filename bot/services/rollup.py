"""Completion of one directive rolled up the tree: the figures behind /stats, exports and the
report draft.

Every figure is over the roster (memberships), restricted to the directive's target
sub-trees, and each unit's figure covers its whole sub-tree: a person listed in two units
counts once in each, and once in any unit above both (distinct people). Each unit's own
figures come from a few grouped SQL statements (rows per unit, whatever the number of people);
they are summed up the tree in Python over the units (a province: about 1,100), and only the
people listed in more than one unit are read one by one, to take off their double counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.db import plan_with_values
from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Membership,
    ReportCycle,
    Unit,
)

HOWS = ("press", "meeting", "behalf")
NOT_ISSUED = ("scheduled", "failed")  # a forwarding still waiting for its time, or refused then


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
    # every document forwarding the directive, at every level (``forwarding_tree``)
    documents: list[Forwarding] = field(default_factory=list)

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
    """Figures of ``root``'s sub-tree for ``directive``.

    Each unit's own figures come from grouped statements (one row per unit, not per person);
    they are summed up the tree here, over the units. A person listed in several units of the
    sub-tree would then count once per unit at every unit above them; those people (a few: a
    district secretary also on a cell's list) are read once and the excess taken off exactly
    where their units' branches meet."""
    await plan_with_values(session)  # the sub-tree's size is in its path
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
    scope = {uid for uid, f in units.items() if any(f.path.startswith(p) for p in targets)}
    own = {
        uid: Figures(uid, f.code, f.name, f.path, f.depth, f.parent_id) for uid, f in units.items()
    }
    # Grouped by unit over the whole table (an index scan, no per-row path test) and kept for
    # the units in scope here: cheaper than joining every row to its unit to test its path.
    for uid, n in await session.execute(_own_members(scope)):
        if uid in scope:
            own[uid].members = n
    for uid, kind, how, n in await session.execute(_own_confirmations(directive.id)):
        if uid in scope:
            _add_confirmations(own[uid], kind, how, n)
    for uid, reported in await session.execute(_own_reports(directive.id, now)):
        if uid in scope:
            own[uid].reports_owed = 1
            own[uid].reports_done = 1 if reported else 0
    documents = await forwarding_tree(session, directive.id)
    for document in documents:
        issuer = document.issuer_unit_id
        if issuer is not None and issuer in scope:
            own[issuer].forwarded += 1
    # Sum each unit's own figures into it and every unit above it, up to the root.
    for uid, figures in own.items():
        for node in _up(uid, units):
            _add(units[node], figures, 1)
    await _uncount_repeats(session, scope, directive.id, units)
    return Rollup(directive, units[root.id], units, documents)


def _up(uid: int, units: dict[int, Figures]) -> list[int]:
    """The unit and each unit above it, within the roll-up."""
    chain = []
    current: int | None = uid
    while current is not None and current in units:
        chain.append(current)
        current = units[current].parent_id
    return chain


def _add_confirmations(f: Figures, kind: str, how: str, n: int) -> None:
    if kind == "received":
        f.received += n
    elif kind == "studied":
        f.studied += n
        f.studied_by[how if how in HOWS else "press"] += n


def _add(into: Figures, part: Figures, sign: int) -> None:
    into.members += sign * part.members
    into.received += sign * part.received
    into.studied += sign * part.studied
    for how in HOWS:
        into.studied_by[how] += sign * part.studied_by[how]
    into.reports_owed += sign * part.reports_owed
    into.reports_done += sign * part.reports_done
    into.forwarded += sign * part.forwarded


async def _uncount_repeats(
    session: AsyncSession, scope: set[int], directive_id: int, units: dict[int, Figures]
) -> None:
    """Take off what a person listed in several units added more than once to a unit above
    several of them: each counts once per unit (their own lists) and once above."""
    repeated = select(Membership.member_id).group_by(Membership.member_id).having(func.count() > 1)
    placed: dict[int, list[int]] = {}
    rows = await session.execute(
        select(Membership.member_id, Membership.unit_id).where(Membership.member_id.in_(repeated))
    )
    for member_id, unit_id in rows:
        if unit_id in scope:
            placed.setdefault(member_id, []).append(unit_id)
    placed = {m: u for m, u in placed.items() if len(u) > 1}
    if not placed:
        return
    confirmed: dict[int, list[tuple[str, str]]] = {}
    their_confirmations = await session.execute(
        select(Confirmation.member_id, Confirmation.kind, Confirmation.how).where(
            Confirmation.directive_id == directive_id, Confirmation.member_id.in_(repeated)
        )
    )
    for member_id, kind, how in their_confirmations:
        confirmed.setdefault(member_id, []).append((kind, how))
    for member_id, unit_ids in placed.items():
        person = Figures(0, "", "", "", 0, None, members=1)
        for kind, how in confirmed.get(member_id, []):
            _add_confirmations(person, kind, how, 1)
        times: dict[int, int] = {}
        for unit_id in unit_ids:
            for node in _up(unit_id, units):
                times[node] = times.get(node, 0) + 1
        for node, n in times.items():
            for _ in range(n - 1):
                _add(units[node], person, -1)


SMALL_SCOPE = 2_000  # units: below this, memberships are read through their unit index


def _own_members(scope: set[int]) -> Select[int, int]:
    stmt = select(Membership.unit_id, func.count()).group_by(Membership.unit_id)
    if len(scope) <= SMALL_SCOPE:
        stmt = stmt.where(Membership.unit_id.in_(sorted(scope)))
    return stmt


def _own_confirmations(directive_id: int) -> Select[int, str, str, int]:
    return (
        select(Membership.unit_id, Confirmation.kind, Confirmation.how, func.count())
        .select_from(Confirmation)
        .join(Membership, Membership.member_id == Confirmation.member_id)
        .where(Confirmation.directive_id == directive_id)
        .group_by(Membership.unit_id, Confirmation.kind, Confirmation.how)
    )


def _own_reports(directive_id: int, now: datetime) -> Select[int, bool]:
    """Units that owe a report (a cycle due by now, or one already submitted), each with
    whether it submitted every cycle due so far (an early report counts)."""
    due = ReportCycle.due_at <= now
    submitted = ReportCycle.submitted_at.is_not(None)
    n_due = func.count(case((due, 1)))
    n_due_done = func.count(case((and_(due, submitted), 1)))
    n_done = func.count(case((submitted, 1)))
    reported = or_(and_(n_due > 0, n_due_done == n_due), and_(n_due == 0, n_done > 0))
    return (
        select(ReportCycle.unit_id, reported)
        .where(ReportCycle.directive_id == directive_id)
        .group_by(ReportCycle.unit_id)
        .having(or_(n_due > 0, n_done > 0))
    )


@dataclass(frozen=True)
class Forwarding:
    """A document issued to carry a directive down (``parent_id`` chain), at any level."""

    id: int
    number: str
    issuer: str
    issuer_unit_id: int | None
    parent_id: int


async def forwarding_tree(session: AsyncSession, directive_id: int) -> list[Forwarding]:
    """Every document forwarding the directive, at every level below it (the district's
    forwarding of the province's letter, a ward's forwarding of the district's ...): one
    statement per level, none beyond the first for a directive nobody forwarded. In the
    order they were stored; one still scheduled (or refused at its time) is not issued."""
    found: list[Forwarding] = []
    seen = {directive_id}
    frontier = [directive_id]
    while frontier:
        rows = await session.execute(
            select(
                Directive.id,
                Directive.number,
                Directive.issuer,
                Directive.issuer_unit_id,
                Directive.parent_id,
            ).where(Directive.parent_id.in_(frontier), Directive.status.not_in(NOT_ISSUED))
        )
        level = [
            Forwarding(did, number, issuer, unit_id, parent or 0)
            for did, number, issuer, unit_id, parent in rows
            if did not in seen
        ]
        seen.update(f.id for f in level)
        found.extend(level)
        frontier = sorted(f.id for f in level)
    return sorted(found, key=lambda f: f.id)


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
