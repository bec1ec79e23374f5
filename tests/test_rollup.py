"""Completion rolled up the tree (bot.services.rollup): exact figures at every level, on SQLite
and PostgreSQL, for a generated three-level tree with known confirmations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.rollup import Figures, rollup
from storage.db import SessionFactory, transaction
from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Meeting,
    Member,
    Membership,
    ReportCycle,
    Unit,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _unit(s: AsyncSession, code: str, parent: Unit | None) -> Unit:
    unit = Unit(
        code=code,
        name=f"Đơn vị {code}",
        kind="cell" if parent and parent.parent_id else "district" if parent else "province",
        parent_id=parent.id if parent else None,
        path="/",
        depth=parent.depth + 1 if parent else 0,
        join_token=f"tok-{code}",
    )
    s.add(unit)
    await s.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    await s.flush()
    return unit


async def _people(s: AsyncSession, unit: Unit, n: int, tag: str) -> list[Member]:
    people = [Member(telegram_id=None, full_name=f"{tag} {i}") for i in range(n)]
    s.add_all(people)
    await s.flush()
    s.add_all(Membership(member_id=m.id, unit_id=unit.id) for m in people)
    return people


def _confirm(
    d: Directive, people: list[Member], kind: str, how: str = "press", meeting: int | None = None
) -> list[Confirmation]:
    return [
        Confirmation(
            directive_id=d.id, member_id=m.id, kind=kind, at=NOW, how=how, meeting_id=meeting
        )
        for m in people
    ]


async def _province(s: AsyncSession) -> dict[str, object]:
    """P → D1 (cells C1: 10 people, C2: 4, C3: empty), D2 (cell C4: 5); D3 not targeted.

    D1 itself lists 2 people (its committee), one of whom (shared) is also in C1."""
    p = await _unit(s, "P", None)
    d1, d2, d3 = [await _unit(s, c, p) for c in ("D1", "D2", "D3")]
    c1, c2, c3 = [await _unit(s, c, d1) for c in ("C1", "C2", "C3")]
    c4 = await _unit(s, "C4", d2)
    await _unit(s, "C5", d3)
    c1p = await _people(s, c1, 10, "c1")
    c2p = await _people(s, c2, 4, "c2")
    c4p = await _people(s, c4, 5, "c4")
    d1p = await _people(s, d1, 1, "d1")
    s.add(Membership(member_id=c1p[0].id, unit_id=d1.id))  # in C1 and in D1's committee
    await _people(s, d3, 7, "d3")  # outside the targets: never counted
    directive = Directive(number="1-CV/T", title="t", issuer="i", body="", published_at=NOW)
    s.add(directive)
    await s.flush()
    s.add_all(DirectiveTarget(directive_id=directive.id, unit_id=u.id) for u in (d1, d2))
    meeting = Meeting(directive_id=directive.id, unit_id=c1.id, held_on=date(2026, 11, 30))
    s.add(meeting)
    await s.flush()
    # C1: 8 received; 6 studied (4 in the app, 2 at the meeting), the shared one among them.
    s.add_all(_confirm(directive, c1p[:8], "received"))
    s.add_all(_confirm(directive, c1p[:4], "studied"))
    s.add_all(_confirm(directive, c1p[4:6], "studied", "meeting", meeting.id))
    # C2: 1 received; C4: 5 received, 5 studied (one marked by the secretary); D1's own: 1.
    s.add_all(_confirm(directive, c2p[:1], "received"))
    s.add_all(_confirm(directive, c4p, "received"))
    s.add_all(_confirm(directive, c4p[:4], "studied"))
    s.add_all(_confirm(directive, c4p[4:], "studied", "behalf"))
    s.add_all(_confirm(directive, d1p, "received"))
    # Reports: C1 submitted its due cycle, C2 did not, C4's is not due yet but came early.
    s.add_all(
        [
            ReportCycle(
                directive_id=directive.id,
                unit_id=c1.id,
                cycle=0,
                due_at=NOW - timedelta(days=1),
                submitted_at=NOW - timedelta(days=2),
            ),
            ReportCycle(
                directive_id=directive.id, unit_id=c2.id, cycle=0, due_at=NOW - timedelta(days=1)
            ),
            ReportCycle(
                directive_id=directive.id,
                unit_id=c4.id,
                cycle=0,
                due_at=NOW + timedelta(days=3),
                submitted_at=NOW - timedelta(hours=1),
            ),
        ]
    )
    # D1 forwarded the directive as its own document.
    s.add(
        Directive(
            number="9-CV/D1",
            title="t",
            issuer="i",
            body="",
            parent_id=directive.id,
            issuer_unit_id=d1.id,
        )
    )
    await s.flush()
    return {"directive": directive, "p": p, "d1": d1, "d2": d2, "c1": c1, "c3": c3}


def _row(f: Figures) -> tuple[object, ...]:
    return (
        f.members,
        f.received,
        f.studied,
        f.studied_by["press"],
        f.studied_by["meeting"],
        f.studied_by["behalf"],
        f.reports_owed,
        f.reports_done,
        f.forwarded,
    )


async def test_figures_at_every_level_are_exact(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        made = await _province(s)
        directive, p = made["directive"], made["p"]
        assert isinstance(directive, Directive) and isinstance(p, Unit)
        result = await rollup(s, directive, p, NOW)
    by_code = {f.code: f for f in result.units.values()}
    # members, received, studied, press, meeting, behalf, owed, reported, forwarded
    assert _row(by_code["C1"]) == (10, 8, 6, 4, 2, 0, 1, 1, 0)
    assert _row(by_code["C2"]) == (4, 1, 0, 0, 0, 0, 1, 0, 0)
    assert _row(by_code["C3"]) == (0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert _row(by_code["C4"]) == (5, 5, 5, 4, 0, 1, 1, 1, 0)
    # D1: C1 + C2 + its own two, the one listed in C1 and D1 counted once (10 + 4 + 1).
    assert _row(by_code["D1"]) == (15, 10, 6, 4, 2, 0, 2, 1, 1)
    assert _row(by_code["D2"]) == (5, 5, 5, 4, 0, 1, 1, 1, 0)
    # D3 is not a target: nobody there counts, nor in the province's total.
    assert _row(by_code["D3"])[:3] == (0, 0, 0)
    assert _row(result.root) == (20, 15, 11, 8, 2, 1, 3, 2, 1)
    assert result.root.received_pct == 75.0 and result.root.studied_pct == 55.0
    assert by_code["C1"].studied_pct == 60.0 and by_code["C2"].received_pct == 25.0
    assert by_code["C3"].studied_pct is None  # an empty unit has no share, not 0%
    # Worst first: D1 (6/15 = 40%) before D2 (100%), the untargeted, empty D3 last.
    assert [f.code for f in result.children(p.id)] == ["D1", "D2", "D3"]
    d1 = made["d1"]
    assert isinstance(d1, Unit)
    assert [f.code for f in result.children(d1.id)] == ["C2", "C1", "C3"]
    levels = [[f.code for f in level] for level in result.levels()]
    assert levels == [["P"], ["D1", "D2", "D3"], ["C1", "C2", "C3", "C4", "C5"]]


async def test_a_subtree_root_sees_only_its_own_units(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        made = await _province(s)
        directive, d1 = made["directive"], made["d1"]
        assert isinstance(directive, Directive) and isinstance(d1, Unit)
        result = await rollup(s, directive, d1, NOW)
    assert {f.code for f in result.units.values()} == {"D1", "C1", "C2", "C3"}
    assert result.root.depth == 0 and _row(result.root)[:3] == (15, 10, 6)
