"""Who is still pending for a deadline: per unit of a directive's sub-trees, the members (or,
for reports, the units themselves) who have not done what the deadline asks, rolled up the
tree for escalations. A handful of queries whatever the tree's size."""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Exists, Select, and_, case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.access import MANAGING_ROLES
from bot.services.names import vietnamese_sort_key
from storage import queries
from storage.db import plan_with_values
from storage.models import (
    Confirmation,
    DirectiveTarget,
    Member,
    Membership,
    ReportCycle,
    Snooze,
    Unit,
)

# A secretary's summary shows at most this many names per list (reminder_text.NAMES_ROOM
# characters, each name at least one character and a separator): no more are ever kept.
MAX_NAMES = 1000

# What each deadline asks of a member; report_by is asked of units.
CONFIRMATION_OF = {"receive_by": "received", "study_by": "studied"}


@dataclass(frozen=True)
class Recipient:
    """Someone the bot can write to privately."""

    member_id: int
    telegram_id: int
    language: str
    name: str


@dataclass
class ScopeUnit:
    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    total: int = 0  # own members (or 1: the unit itself, for reports)
    done: int = 0
    sub_total: int = 0  # the unit and everything under it in scope
    sub_done: int = 0
    waiting: int = 0  # own pending members using the bot
    not_using: int = 0  # own pending roster entries not using it yet
    # The first of their names in Vietnamese order (at most what a message can show).
    pending: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)
    managers: list[Recipient] = field(default_factory=list)

    @property
    def pending_count(self) -> int:
        return self.waiting + self.not_using


@dataclass
class Scope:
    units: dict[int, ScopeUnit]  # tree order

    @property
    def total(self) -> int:
        return sum(u.total for u in self.units.values())

    @property
    def done(self) -> int:
        return sum(u.done for u in self.units.values())


async def target_paths(session: AsyncSession, directive_id: int) -> list[str]:
    stmt = (
        select(Unit.path)
        .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
        .where(DirectiveTarget.directive_id == directive_id)
    )
    return list((await session.scalars(stmt)).all())


async def scope_units(session: AsyncSession, directive_id: int) -> list[Unit]:
    """Every unit under the directive's targets, in tree order."""
    paths = await target_paths(session, directive_id)
    stmt = select(Unit).where(queries.in_subtrees(paths)).order_by(Unit.path)
    return list((await session.scalars(stmt)).all())


def _confirmed(directive_id: int, which: str) -> Exists:
    """The member (``Member`` in the statement) has confirmed what ``which`` asks."""
    return (
        select(Confirmation.id)
        .where(queries.confirmation_of(Confirmation, directive_id, CONFIRMATION_OF[which]))
        .exists()
    )


def reminder_recipients(
    paths: Sequence[str], directive_id: int, which: str, now: datetime
) -> Select[int, int | None, str]:
    """Members to remind privately: under the targets, with a private chat with the bot, who
    have not confirmed what ``which`` asks and have not snoozed this directive. Columns
    ``member_id``, ``telegram_id``, ``language``; each member once."""
    in_scope = (
        select(Membership.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.member_id == Member.id, queries.in_subtrees(paths))
        .exists()
    )
    confirmed = _confirmed(directive_id, which)
    snoozed = (
        select(Snooze.id)
        .where(
            Snooze.member_id == Member.id,
            Snooze.directive_id == directive_id,
            Snooze.until > now,
        )
        .exists()
    )
    return select(
        Member.id.label("member_id"),
        Member.telegram_id.label("telegram_id"),
        Member.language.label("language"),
    ).where(
        Member.private_chat.is_(True),
        Member.blocked.is_(False),
        in_scope,
        ~confirmed,
        ~snoozed,
    )


def _scope_unit(u: Unit) -> ScopeUnit:
    return ScopeUnit(u.id, u.code, u.name, u.parent_id, u.depth)


async def member_scope(
    session: AsyncSession,
    directive_id: int,
    which: str,
    *,
    chunk_size: int = 2000,
    keep: int = MAX_NAMES,
) -> Scope:
    """Per unit: roster entries (with or without a Telegram account), how many confirmed what
    ``which`` asks, the first ``keep`` pending names (in Vietnamese order; those not using the
    bot apart) and the unit's managers who can be written to privately."""
    scope = await member_counts(session, directive_id, which)
    async for unit_id, using, not_using in pending_names(
        session, directive_id, which, chunk_size, keep
    ):
        fill_names(scope.units[unit_id], using, not_using, keep)
    return scope


async def member_counts(session: AsyncSession, directive_id: int, which: str) -> Scope:
    """Per unit of the scope: roster entries, how many confirmed what ``which`` asks, how many
    pending are (not) using the bot, and the managers; counted in SQL (one grouped query), so
    the memory is one small record per unit whatever the number of members. No names: see
    ``pending_names``."""
    kind = CONFIRMATION_OF[which]
    paths = await target_paths(session, directive_id)
    units = {u.id: _scope_unit(u) for u in await scope_units(session, directive_id)}
    scope = Scope(units)
    if not units:
        return scope
    confirmed = aliased(Confirmation)
    not_using = and_(confirmed.id.is_(None), Member.telegram_id.is_(None))
    stmt = (
        select(
            Membership.unit_id,
            func.count(),
            func.count(confirmed.id),
            func.count(case((not_using, 1))),
        )
        .select_from(Membership)
        .join(Unit, Unit.id == Membership.unit_id)
        .join(Member, Member.id == Membership.member_id)
        .outerjoin(confirmed, queries.confirmation_of(confirmed, directive_id, kind))
        .where(queries.in_subtrees(paths))
        .group_by(Membership.unit_id)
    )
    for unit_id, total, done, offline in await session.execute(stmt):
        unit = units[unit_id]
        unit.total, unit.done = int(total), int(done)
        unit.not_using = int(offline)
        unit.waiting = unit.total - unit.done - unit.not_using
    await _add_managers(session, units, paths)
    roll_up(scope)
    return scope


async def pending_names(
    session: AsyncSession,
    directive_id: int,
    which: str,
    chunk_size: int,
    keep: int,
) -> AsyncIterator[tuple[int, list[str], list[str]]]:
    """Per unit of the scope with someone pending, in unit id order: ``(unit id, names using
    the bot, names not using it)``, each list the first ``keep`` in Vietnamese order (sorted
    in Python: the same order on SQLite and PostgreSQL collations). The memberships are read
    ``chunk_size`` at a time (keyset on (unit id, membership id), which the unit index
    serves), so memory stays within one unit's ``keep`` names and one chunk, however large
    the province."""
    paths = await target_paths(session, directive_id)
    if not paths:
        return
    # NOT EXISTS rather than an outer join kept where nothing matched: PostgreSQL plans that as
    # an anti join and walks the (unit id, id) index in order, stopping after a page (12 ms);
    # the outer join's estimate was one row, and each page joined and sorted the rest of the
    # scope (560 ms a page at 200,000 members).
    confirmed = _confirmed(directive_id, which)
    base = (
        select(
            Membership.unit_id,
            Membership.id,
            Member.full_name,
            Member.telegram_id.is_not(None),
        )
        .select_from(Membership)
        .join(Unit, Unit.id == Membership.unit_id)
        .join(Member, Member.id == Membership.member_id)
        .where(queries.in_subtrees(paths), ~confirmed)
        .order_by(Membership.unit_id, Membership.id)
        .limit(chunk_size)
    )
    await plan_with_values(session)  # each page's plan made for its keyset and sub-tree
    current: int | None = None
    using: list[str] = []
    not_using: list[str] = []
    after = (0, 0)
    while True:
        page = base.where(tuple_(Membership.unit_id, Membership.id) > tuple_(*after))
        rows = (await session.execute(page)).all()
        for unit_id, _, name, has_account in rows:
            if unit_id != current:
                if current is not None:
                    yield current, using, not_using
                current, using, not_using = unit_id, [], []
            (using if has_account else not_using).append(name)
            if len(using) >= 2 * keep:  # bounded: keep the first, drop the rest
                using = _first(keep, using, ())
            if len(not_using) >= 2 * keep:
                not_using = _first(keep, not_using, ())
        if len(rows) < chunk_size:
            break
        after = (rows[-1][0], rows[-1][1])
    if current is not None:
        yield current, using, not_using


def fill_names(unit: ScopeUnit, using: list[str], not_using: list[str], keep: int) -> None:
    unit.pending, unit.offline = _first(keep, using, ()), _first(keep, not_using, ())


def _first(keep: int, kept: list[str], more: Iterable[str]) -> list[str]:
    """The ``keep`` first names of ``kept`` and ``more`` together, in Vietnamese order."""
    return heapq.nsmallest(keep, [*kept, *more], key=vietnamese_sort_key)


async def report_scope(session: AsyncSession, directive_id: int, cycle: int) -> Scope:
    """Per unit that owes a report for ``cycle``: has it reported, and its managers."""
    stmt = (
        select(Unit, ReportCycle.submitted_at.is_not(None))
        .join(ReportCycle, ReportCycle.unit_id == Unit.id)
        .where(ReportCycle.directive_id == directive_id, ReportCycle.cycle == cycle)
        .order_by(Unit.path)
    )
    units: dict[int, ScopeUnit] = {}
    for unit, submitted in await session.execute(stmt):
        item = _scope_unit(unit)
        item.total, item.done = 1, int(bool(submitted))
        if not submitted:
            item.pending.append(unit.name)
            item.waiting = 1
        units[unit.id] = item
    scope = Scope(units)
    if units:
        await _add_managers(session, units, await target_paths(session, directive_id))
    roll_up(scope)
    return scope


async def _add_managers(
    session: AsyncSession, units: dict[int, ScopeUnit], paths: Sequence[str]
) -> None:
    stmt = (
        select(Membership.unit_id, Member.id, Member.telegram_id, Member.language, Member.full_name)
        .join(Member, Member.id == Membership.member_id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Membership.role.in_(MANAGING_ROLES),
            Member.private_chat.is_(True),
            Member.blocked.is_(False),
            queries.in_subtrees(paths),
        )
    )
    for unit_id, mid, tid, lang, name in await session.execute(stmt):
        if unit_id in units and tid is not None:  # a private chat means a Telegram id
            units[unit_id].managers.append(Recipient(mid, tid, lang, name))
    for unit in units.values():
        unit.managers.sort(key=_by_name)


def _by_name(r: Recipient) -> tuple[bytes, int]:
    return vietnamese_sort_key(r.name), r.member_id


def roll_up(scope: Scope) -> None:
    """Fill ``sub_total``/``sub_done``: each unit plus everything under it within the scope."""
    for unit in scope.units.values():
        unit.sub_total, unit.sub_done = unit.total, unit.done
    for unit in sorted(scope.units.values(), key=lambda u: -u.depth):
        parent = scope.units.get(unit.parent_id) if unit.parent_id is not None else None
        if parent is not None:
            parent.sub_total += unit.sub_total
            parent.sub_done += unit.sub_done


def lagging_children(scope: Scope, threshold: float) -> dict[int, list[ScopeUnit]]:
    """Parent unit id -> its child units (in scope) whose rolled-up completion is below
    ``threshold`` percent. Units with nobody to count are never lagging."""
    lagging: dict[int, list[ScopeUnit]] = {}
    for unit in scope.units.values():
        parent = unit.parent_id
        if parent is None or parent not in scope.units or unit.sub_total == 0:
            continue
        if unit.sub_done * 100 < threshold * unit.sub_total:
            lagging.setdefault(parent, []).append(unit)
    return lagging


def percent(done: int, total: int) -> int:
    """Rounded down, so a unit below 100% never shows as 100%."""
    return (100 * done) // total if total else 100


def below_count(scope: Scope, threshold: float, units: Sequence[ScopeUnit] | None = None) -> int:
    chosen = scope.units.values() if units is None else units
    return sum(1 for u in chosen if u.total and u.done * 100 < threshold * u.total)
