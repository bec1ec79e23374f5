"""Every IN list that grows with the province is cut below the drivers' parameter limits
(asyncpg: 32,767 arguments; SQLite: 32,766 variables): 40,000 ids go through (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from bot.services import counters, meetings, publish
from storage.db import SessionFactory, transaction
from storage.models import Confirmation, Directive, Member, Membership, Unit

MANY = 40_000  # above both limits
NOW = datetime(2027, 1, 10, tzinfo=UTC)


async def _unit_with_two_members(sessions: SessionFactory) -> tuple[Unit, int]:
    async with transaction(sessions) as s:
        unit = Unit(code="C1", name="Chi bộ 1", kind="cell", path="/", depth=0, join_token="t1")
        s.add(unit)
        await s.flush()
        unit.path = f"/{unit.id}/"
        await s.execute(
            insert(Member),
            [
                {"id": 1, "telegram_id": 501, "full_name": "Nguyễn Văn An", "language": "vi"},
                {"id": 2, "telegram_id": 502, "full_name": "Trần Thị Bình", "language": "vi"},
            ],
        )
        await s.execute(
            insert(Membership),
            [{"member_id": m, "unit_id": unit.id, "role": "member"} for m in (1, 2)],
        )
        directive = Directive(number="1-CV", kind="CV", title="T", issuer="I", status="published")
        s.add(directive)
        await s.flush()
        s.add(Confirmation(directive_id=directive.id, member_id=1, kind="received", at=NOW))
        return unit, directive.id


async def test_forty_thousand_unit_ids_in_one_call(sessions: SessionFactory) -> None:
    unit, directive_id = await _unit_with_two_members(sessions)
    others = [unit.id + 1 + i for i in range(MANY - 1)]  # no such units: nothing to count
    async with transaction(sessions) as s:
        assert await publish.unit_member_counts(s, [unit.id, *others]) == {unit.id: 2}
        pairs = {(directive_id, u) for u in [unit.id, *others]}
        figures = await counters.unit_counts(s, pairs)
        assert figures[(directive_id, unit.id)] == counters.UnitCounts(1, 0, 2)
        assert len(figures) == MANY
        ghosts = [Unit(id=u, name=f"Chi bộ {u}", path=f"/{u}/") for u in others]
        found = await meetings.find_members(s, [unit, *ghosts], "binh")
        assert [(entry.name, u.id) for entry, u in found] == [("Trần Thị Bình", unit.id)]
