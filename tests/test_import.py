"""Importing the sample tree and members: idempotent, all-or-nothing, one error per bad cell."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services.tree import ImportRejected, import_members, import_units
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import Member, Membership, Unit
from tests.kit.paths import SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
MEMBERS = (SAMPLE / "members.csv").read_text(encoding="utf-8")


async def _counts(sessions: SessionFactory) -> tuple[int, int, int]:
    async with sessions() as s:
        return (
            await s.scalar(select(func.count(Unit.id))) or 0,
            await s.scalar(select(func.count(Member.id))) or 0,
            await s.scalar(select(func.count(Membership.id))) or 0,
        )


async def _import_sample(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        await import_units(s, UNITS)
    async with transaction(sessions) as s:
        await import_members(s, MEMBERS)


async def test_sample_tree_imports_with_materialised_paths(sessions: SessionFactory) -> None:
    await _import_sample(sessions)
    assert await _counts(sessions) == (56, 426, 426)
    async with sessions() as s:
        units = await queries.units_by_code(s)
        root, district, cell = units["BP"], units["BP-DX"], units["BP-DX-01"]
        assert root.path == f"/{root.id}/" and root.depth == 0
        assert cell.path == f"/{root.id}/{district.id}/{cell.id}/" and cell.depth == 2
        below = [u.code for u in await queries.subtree(s, district)]
        assert below == ["BP-DX", "BP-DX-01", "BP-DX-02", "BP-DX-03", "BP-DX-04", "BP-DX-05"]
        assert len({u.join_token for u in units.values()}) == 56


async def test_reimport_updates_and_never_duplicates(sessions: SessionFactory) -> None:
    await _import_sample(sessions)
    renamed = UNITS.replace("Chi bộ ấp 2,cell", "Chi bộ ấp Hai,cell", 1)
    async with transaction(sessions) as s:
        result = await import_units(s, renamed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 55)
    async with transaction(sessions) as s:
        again = await import_members(s, MEMBERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 426)
    assert await _counts(sessions) == (56, 426, 426)
    async with sessions() as s:
        assert (await queries.units_by_code(s))["BP-DX-02"].name == "Chi bộ ấp Hai"


async def test_moving_a_unit_moves_its_subtree_paths(sessions: SessionFactory) -> None:
    await _import_sample(sessions)
    moved = UNITS.replace("BP-DX,BP,Thành ủy Đồng Xoài", "BP-DX,BP-BL,Thành ủy Đồng Xoài")
    async with transaction(sessions) as s:
        await import_units(s, moved)
    async with sessions() as s:
        units = await queries.units_by_code(s)
        assert units["BP-DX-03"].path.startswith(units["BP-BL"].path)
        assert units["BP-DX-03"].depth == 3


async def test_bad_member_rows_leave_the_database_exactly_as_before(
    sessions: SessionFactory,
) -> None:
    await _import_sample(sessions)
    before = await _counts(sessions)
    async with sessions() as s:
        names_before = sorted((await s.scalars(select(Member.full_name))).all())
    bad = (
        "telegram_id,full_name,username,unit_code,role,language\n"
        "800000001,Người Mới,,BP-DX-01,member,vi\n"  # a good row: must not be written either
        "700000004,Tên Đổi,,BP-DX-01,member,vi\n"  # a good update: must not be written either
        "12x,Sai Số,,BP-DX-01,member,vi\n"
        "800000002,Người Khác,,NOPE,chief,fr\n"
    )
    try:
        async with transaction(sessions) as s:
            await import_members(s, bad, "bad.csv")
    except ImportRejected as exc:
        errors = [(e.line, e.column, e.reason) for e in exc.errors]
    else:
        raise AssertionError("bad rows were accepted")
    assert errors == [
        (4, "telegram_id", "import-bad-telegram-id"),
        (5, "unit_code", "import-unknown-unit"),
        (5, "role", "import-bad-role"),
        (5, "language", "import-bad-language"),
    ]
    assert await _counts(sessions) == before
    async with sessions() as s:
        assert sorted((await s.scalars(select(Member.full_name))).all()) == names_before


async def test_bad_unit_rows_are_all_reported_and_nothing_written(
    sessions: SessionFactory,
) -> None:
    bad = (
        "code,parent_code,name,kind\n"
        "A,,Gốc,province\n"
        "B,ZZ,Con,district\n"
        "A,,Lặp,province\n"
        "C,D,Vòng 1,cell\n"
        "D,C,Vòng 2,cell\n"
        ",A,,\n"
    )
    try:
        async with transaction(sessions) as s:
            await import_units(s, bad)
    except ImportRejected as exc:
        found = {(e.line, e.column, e.reason) for e in exc.errors}
    else:
        raise AssertionError("bad rows were accepted")
    assert found == {
        (3, "parent_code", "import-unknown-unit"),
        (4, "code", "import-repeated"),
        (5, "parent_code", "import-cycle"),
        (6, "parent_code", "import-cycle"),
        (7, "code", "import-empty"),
    }
    assert await _counts(sessions) == (0, 0, 0)


async def test_missing_columns_are_named(sessions: SessionFactory) -> None:
    try:
        async with transaction(sessions) as s:
            await import_units(s, "code,name\nA,Gốc\n")
    except ImportRejected as exc:
        assert [(e.line, e.column, e.reason) for e in exc.errors] == [
            (1, "parent_code,kind", "import-missing-columns")
        ]
    else:
        raise AssertionError("a file without columns was accepted")
