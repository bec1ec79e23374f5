"""Completion rolled up the tree (bot.services.rollup): exact figures at every level, on SQLite
and PostgreSQL, for a generated three-level tree with known confirmations."""

from __future__ import annotations

from bot.services.rollup import Figures, rollup
from storage.db import SessionFactory, transaction
from storage.models import Directive, Unit
from tests.kit.tree3 import NOW, province


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
        made = await province(s)
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
        made = await province(s)
        directive, d1 = made["directive"], made["d1"]
        assert isinstance(directive, Directive) and isinstance(d1, Unit)
        result = await rollup(s, directive, d1, NOW)
    assert {f.code for f in result.units.values()} == {"D1", "C1", "C2", "C3"}
    assert result.root.depth == 0 and _row(result.root)[:3] == (15, 10, 6)
