"""Who has not confirmed: per unit in the asker's sub-trees, with counts and names."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVarTuple

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.names import remembered_sort_key
from storage import queries
from storage.models import Confirmation, Directive, DirectiveTarget, Member, Membership, Unit

Cols = TypeVarTuple("Cols")


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


async def pending_report(
    session: AsyncSession, directive: Directive, roots: Sequence[Unit]
) -> PendingReport:
    """Every unit under both the directive's targets and ``roots``, in tree order.

    The counts are grouped in SQL (a row per unit); only the people still pending come back
    one by one, a chunk at a time (the loop free between chunks), and are sorted off the
    event loop."""
    targets = await targets_of(session, directive.id)
    received = aliased(Confirmation)
    studied = aliased(Confirmation)

    def joined(stmt: Select[*Cols]) -> Select[*Cols]:
        return (
            stmt.select_from(Membership)
            .join(Unit, Unit.id == Membership.unit_id)
            .join(Member, Member.id == Membership.member_id)
            .outerjoin(
                received,
                and_(
                    received.member_id == Member.id,
                    received.directive_id == directive.id,
                    received.kind == "received",
                ),
            )
            .outerjoin(
                studied,
                and_(
                    studied.member_id == Member.id,
                    studied.directive_id == directive.id,
                    studied.kind == "studied",
                ),
            )
            .where(queries.in_subtrees(targets), queries.in_subtrees(roots))
        )

    counts = joined(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.depth,
            func.count(),
            func.count(received.id),
            func.count(studied.id),
        )
    ).group_by(Unit.id, Unit.code, Unit.name, Unit.depth, Unit.path)
    units: dict[int, UnitPending] = {}
    for unit_id, code, name, depth, total, n_received, n_studied in (
        await session.execute(counts.order_by(Unit.path))
    ).all():
        units[unit_id] = UnitPending(code, name, depth, total, n_received, n_studied)
    # Who is listed: nothing recorded (by the bot or not), or received but not studied.
    listed = (
        studied.id.is_(None)
        if directive.requires_study
        else and_(received.id.is_(None), studied.id.is_(None))
    )
    names = joined(
        select(
            Membership.unit_id,
            Member.full_name,
            Member.telegram_id.is_not(None),
            received.id.is_not(None),
        )
    ).where(listed)
    rows: list[Row[int, str, bool, bool]] = []
    async for chunk in queries.chunked_rows(session, names):  # the loop free between chunks
        rows.extend(chunk)
    await asyncio.to_thread(_add_names, units, rows)  # thousands of names: sorted off the loop
    return PendingReport(directive, list(units.values()))


def _add_names(units: dict[int, UnitPending], rows: Sequence[Row[int, str, bool, bool]]) -> None:
    for unit_id, person, uses_bot, has_received in rows:
        unit = units.get(unit_id)
        if unit is None:  # joined the unit between the two statements (PostgreSQL)
            continue
        if not has_received:
            # Recorded at a meeting or on their behalf, they count like anyone else.
            (unit.missing_received if uses_bot else unit.not_using).append(person)
        else:  # received, not studied (listed only when the directive asks for study)
            unit.missing_studied.append(person)
    for unit in units.values():  # sorted here: the same order on SQLite and PostgreSQL
        for names in (unit.missing_received, unit.missing_studied, unit.not_using):
            names.sort(key=remembered_sort_key)
