"""Who has not confirmed: per unit in the asker's sub-trees, with counts and names."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Row, and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.names import vietnamese_sort_key
from storage import queries
from storage.models import Confirmation, Directive, DirectiveTarget, Member, Membership, Unit


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
    """Every unit under both the directive's targets and ``roots``, in tree order."""
    targets = await targets_of(session, directive.id)
    # The units first (a province has about 1,100): the roster is then read through its unit
    # index, whatever the planner would guess of a path prefix.
    scope = await session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.depth, Unit.path).where(
            queries.in_subtrees(targets), queries.in_subtrees(roots)
        )
    )
    units = {uid: (code, name, depth, path) for uid, code, name, depth, path in scope}
    received = aliased(Confirmation)
    studied = aliased(Confirmation)
    rows: list[Row[int, str, bool, bool, bool]] = []
    for part in queries.chunks(sorted(units)):
        stmt = (
            select(
                Membership.unit_id,
                Member.full_name,
                Member.telegram_id.is_not(None),
                received.id.is_not(None),
                studied.id.is_not(None),
            )
            .select_from(Membership)
            .join(Member, Member.id == Membership.member_id)
            .outerjoin(
                received,
                and_(
                    received.member_id == Membership.member_id,
                    received.directive_id == directive.id,
                    received.kind == "received",
                ),
            )
            .outerjoin(
                studied,
                and_(
                    studied.member_id == Membership.member_id,
                    studied.directive_id == directive.id,
                    studied.kind == "studied",
                ),
            )
            .where(Membership.unit_id.in_(part))
        )
        async for chunk in queries.chunked_rows(session, stmt):  # the loop free between chunks
            rows.extend(chunk)
    # Tens of thousands of rows in a province: counted and sorted off the event loop.
    found = await asyncio.to_thread(_by_unit, units, rows, directive.requires_study)
    return PendingReport(directive, found)


def _by_unit(
    units: dict[int, tuple[str, str, int, str]],
    rows: Sequence[Row[int, str, bool, bool, bool]],
    study: bool,
) -> list[UnitPending]:
    found: dict[int, UnitPending] = {}
    for unit_id, person, uses_bot, has_received, has_studied in rows:
        unit = found.get(unit_id)
        if unit is None:
            code, name, depth, _path = units[unit_id]
            unit = found[unit_id] = UnitPending(code, name, depth)
        unit.total += 1
        unit.received += bool(has_received)
        unit.studied += bool(has_studied)
        if not has_received and not has_studied:
            # Recorded at a meeting or on their behalf, they count like anyone else.
            (unit.missing_received if uses_bot else unit.not_using).append(person)
        elif not has_studied and study:
            unit.missing_studied.append(person)
    for unit in found.values():  # sorted here: the same order on SQLite and PostgreSQL
        for names in (unit.missing_received, unit.missing_studied, unit.not_using):
            names.sort(key=vietnamese_sort_key)
    return [found[uid] for uid in sorted(found, key=lambda uid: units[uid][3])]  # tree order
