"""Who has not confirmed: per unit in the asker's sub-trees, with counts and names."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.names import remembered_sort_key
from storage import queries
from storage.db import plan_with_values
from storage.models import Confirmation, Directive, DirectiveTarget, Member, Membership, Unit

Cols = TypeVarTuple("Cols")
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class UnitPending:
    code: str
    name: str
    depth: int
    total: int = 0
    received: int = 0
    studied: int = 0
    # Three disjoint lists of names, each in Vietnamese order (bot.services.names):
    missing_received: list[str] = field(default_factory=list)  # use the bot, not received
    missing_studied: list[str] = field(default_factory=list)  # received, not studied
    not_using: list[str] = field(default_factory=list)  # no Telegram account, nothing recorded


@dataclass
class PendingReport:
    directive: Directive
    units: list[UnitPending]

    @property
    def total(self) -> int:
        return sum(u.total for u in self.units)

    @property
    def received(self) -> int:
        return sum(u.received for u in self.units)

    @property
    def studied(self) -> int:
        return sum(u.studied for u in self.units)


async def targets_of(session: AsyncSession, directive_id: int) -> list[Unit]:
    stmt = (
        select(Unit)
        .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
        .where(DirectiveTarget.directive_id == directive_id)
    )
    return list((await session.scalars(stmt)).all())


def overlaps(a: Sequence[Unit], b: Sequence[Unit]) -> bool:
    """Does a unit of ``a`` lie inside a sub-tree of ``b``, or the other way round?"""
    return any(queries.covers(b, x) for x in a) or any(queries.covers(a, y) for y in b)


async def visible_directives(
    session: AsyncSession, roots: Sequence[Unit], limit: int = 10
) -> list[Directive]:
    """Open directives sent to (part of) the asker's sub-trees, newest first."""
    stmt = (
        select(Directive)
        .where(Directive.status == "published")
        .order_by(Directive.id.desc())
        .limit(200)
    )
    found = []
    for directive in (await session.scalars(stmt)).all():
        if overlaps(await targets_of(session, directive.id), roots):
            found.append(directive)
            if len(found) >= limit:
                break
    return found


async def directive_by_number(session: AsyncSession, number: str) -> Directive | None:
    stmt = select(Directive).where(Directive.number == number).order_by(Directive.id.desc())
    return (await session.scalars(stmt.limit(1))).first()


# Between the names of one list as the database strings them together (a control character
# no name is expected to hold; a list that does not split into its count is read row by row).
_SEP = "\x1f"


def roster_confirmations(
    stmt: Select[*Cols],
    directive_id: int,
    received: type[Confirmation],
    studied: type[Confirmation],
) -> Select[*Cols]:
    """``stmt`` over the roster: each membership with its unit, its member, and the member's
    received and studied confirmations of the directive (``received``/``studied``: aliases of
    ``Confirmation``, outer joined: None when not recorded). /pending and the exports' member
    sheet read the same rows."""
    return (
        stmt.select_from(Membership)
        .join(Unit, Unit.id == Membership.unit_id)
        .join(Member, Member.id == Membership.member_id)
        .outerjoin(received, queries.confirmation_of(received, directive_id, "received"))
        .outerjoin(studied, queries.confirmation_of(studied, directive_id, "studied"))
    )


async def pending_report(
    session: AsyncSession, directive: Directive, roots: Sequence[Unit]
) -> PendingReport:
    """Every unit under both the directive's targets and ``roots``, in tree order.

    One grouped statement: per unit the counts and each list of names strung together by
    the database (a row per unit, not one per member), split and sorted off the event loop."""
    # The sub-tree's size is in its path: planned with it, not with a generic plan PostgreSQL
    # may settle on after a statement's fifth run on a connection (a cell's asked as often).
    await plan_with_values(session)
    targets = await targets_of(session, directive.id)
    received = aliased(Confirmation)
    studied = aliased(Confirmation)

    def joined(stmt: Select[*Cols]) -> Select[*Cols]:
        return roster_confirmations(stmt, directive.id, received, studied).where(
            queries.in_subtrees(targets), queries.in_subtrees(roots)
        )

    # The three lists: nothing recorded (using the bot, or not: recorded at a meeting or on
    # their behalf, they count like anyone else), and received but not studied.
    nothing = and_(received.id.is_(None), studied.id.is_(None))
    lists = [
        and_(nothing, Member.telegram_id.is_not(None)),
        and_(received.id.is_not(None), studied.id.is_(None)),
        and_(nothing, Member.telegram_id.is_(None)),
    ]
    columns = [
        part
        for listed in lists
        for part in (
            func.aggregate_strings(case((listed, Member.full_name)), _SEP),
            func.count(case((listed, 1))),
        )
    ]
    stmt = joined(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.depth,
            func.count(),
            func.count(received.id),
            func.count(studied.id),
            *columns,
        )
    ).group_by(Unit.id, Unit.code, Unit.name, Unit.depth, Unit.path)
    rows = (await session.execute(stmt.order_by(Unit.path))).all()
    units = await asyncio.to_thread(_units, rows, directive.requires_study)
    for unit in units:
        for which in unit.unsplit:  # a name held _SEP: that list read row by row
            listed = joined(select(Member.full_name)).where(
                Membership.unit_id == unit.id, lists[which]
            )
            names = list((await session.scalars(listed)).all())
            names.sort(key=remembered_sort_key)
            setattr(unit.report, _LISTS[which], names)
    return PendingReport(directive, [u.report for u in units])


_LISTS = ("missing_received", "missing_studied", "not_using")


@dataclass
class _Read:
    id: int
    report: UnitPending
    unsplit: list[int] = field(default_factory=list)  # lists whose names did not split


class HeldByContent(Generic[K, V]):
    """What was made from a unit's list of names, kept by the list's content: asked again
    (the next page, the next /pending), a unit whose list has not changed since is not split,
    sorted or measured again. Holds at most ``limit`` names (then starts afresh); used from the
    worker threads (dict operations are atomic; two threads may make the same value, and
    either is the same)."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._held: dict[K, V] = {}
        self._names = 0

    def get(self, key: K, make: Callable[[], V], names: int) -> V:
        found = self._held.get(key)
        if found is None:
            found = make()
            if self._names + names > self.limit:
                self._held, self._names = {}, 0
            self._held[key] = found
            self._names += names
        return found


def _split_sorted(text: str) -> list[str]:
    names = text.split(_SEP)
    names.sort(key=remembered_sort_key)
    return names


_SORTED: HeldByContent[str, list[str]] = HeldByContent()


def _units(rows: Sequence[Sequence[Any]], study: bool) -> list[_Read]:
    """Each unit's report from its grouped row, names split and sorted (the same order on
    SQLite and PostgreSQL)."""
    out: list[_Read] = []
    for unit_id, code, name, depth, total, n_received, n_studied, *lists in rows:
        unit = _Read(unit_id, UnitPending(code, name, depth, total, n_received, n_studied))
        for which, attr in enumerate(_LISTS):
            text, count = lists[2 * which], lists[2 * which + 1]
            if attr == "missing_studied" and not study:
                continue  # listed only when the directive asks for study
            # The caller's own list: the one held stays as it was made.
            names = list(_SORTED.get(text, partial(_split_sorted, text), count)) if count else []
            if len(names) != count:
                unit.unsplit.append(which)
                continue
            setattr(unit.report, attr, names)
        out.append(unit)
    return out
