"""Importing a unit's roster: the secretary's XLSX list (no Telegram ids needed), the older
members.csv shape, idempotent re-imports, all-or-nothing rejections, and lists larger than one
statement's bind parameters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.services.tree import (
    ImportRejected,
    RowError,
    import_members,
    import_units,
    xlsx_table,
)
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import Member, Membership
from tests.kit.paths import ROOT, SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
MEMBERS = (SAMPLE / "members.csv").read_text(encoding="utf-8")
ROSTER = ROOT / "tests" / "data" / "roster.xlsx"
HEADER = ["Mã đơn vị", "Họ và tên", "Chức vụ", "Số điện thoại", "Số thẻ đảng viên", "Ngày sinh"]


async def _units(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        await import_units(s, UNITS)


async def _counts(sessions: SessionFactory) -> tuple[int, int]:
    async with sessions() as s:
        return (
            await s.scalar(select(func.count(Member.id))) or 0,
            await s.scalar(select(func.count(Membership.id))) or 0,
        )


async def _rejected(sessions: SessionFactory, data: object, source: str) -> list[RowError]:
    try:
        async with transaction(sessions) as s:
            await import_members(s, data, source)  # type: ignore[arg-type]
    except ImportRejected as exc:
        return exc.errors
    raise AssertionError("bad rows were accepted")


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách đảng viên")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def test_the_secretarys_xlsx_list_imports_every_row_and_again_changes_nothing(
    sessions: SessionFactory,
) -> None:
    await _units(sessions)
    async with transaction(sessions) as s:
        first = await import_members(s, xlsx_table(ROSTER), "roster.xlsx")
    assert (first.created, first.updated, first.unchanged) == (426, 0, 0)
    assert await _counts(sessions) == (426, 426)
    async with sessions() as s:
        without_telegram = await s.scalar(
            select(func.count(Member.id)).where(Member.telegram_id.is_(None))
        )
        assert without_telegram == 255  # on the roster though they never opened the bot
        yen = await s.scalar(select(Member).where(Member.card_number == "88.708108"))
        assert yen is not None and yen.full_name == "Đặng Thị Yến"
        assert yen.telegram_id == 700000003 and yen.phone is None
        assert yen.birth_date == date(1987, 2, 17)
        dung = await s.scalar(select(Member).where(Member.card_number == "93.522166"))
        assert dung is not None and dung.telegram_id is None and dung.phone == "0965623824"
        roles = dict(
            (await s.execute(select(Membership.role, func.count()).group_by(Membership.role))).all()
        )
        assert roles == {"member": 371, "secretary": 54, "admin": 1}
    async with transaction(sessions) as s:
        again = await import_members(s, xlsx_table(ROSTER), "roster.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 426)
    assert await _counts(sessions) == (426, 426)


async def test_the_xlsx_list_finds_the_people_the_old_csv_made(sessions: SessionFactory) -> None:
    await _units(sessions)
    async with transaction(sessions) as s:
        await import_members(s, MEMBERS)
    async with transaction(sessions) as s:
        result = await import_members(s, xlsx_table(ROSTER), "roster.xlsx")
    # The 171 with a Telegram id are the same people (now with card, phone, birth date); the
    # others were in members.csv under made-up ids, so they are the roster's new entries.
    assert await _counts(sessions) == (426 + 255, 426 + 255)
    assert (result.created, result.updated) == (255, 171)
    async with sessions() as s:  # the updates landed: the list's card, birth date
        yen = await s.scalar(select(Member).where(Member.telegram_id == 700000003))
        assert yen is not None and (yen.card_number, yen.birth_date) == (
            "88.708108",
            date(1987, 2, 17),
        )
    # A later list renames one person and makes another a deputy: exactly those two change.
    text = (
        "unit_code,full_name,role,card_number\n"
        "BP-DX-01,Đặng Thị Yến Nhi,secretary,88.708108\n"
        "BP-DX-01,Phan Minh Tuấn,phó bí thư,\n"
    )
    async with sessions() as s:
        tuan = await s.scalar(select(Member).where(Member.telegram_id == 700000004))
        assert tuan is not None and tuan.card_number is not None
        text = text.replace("phó bí thư,", f"phó bí thư,{tuan.card_number}")
    async with transaction(sessions) as s:
        later = await import_members(s, text, "later.csv")
    assert (later.created, later.updated, later.unchanged) == (0, 2, 0)
    async with sessions() as s:
        rows = (
            await s.execute(
                select(Member.full_name, Membership.role)
                .join(Membership, Membership.member_id == Member.id)
                .where(Member.telegram_id.in_([700000003, 700000004]))
                .order_by(Member.telegram_id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Đặng Thị Yến Nhi", "secretary"),
        ("Phan Minh Tuấn", "deputy"),
    ]


async def test_rows_without_card_are_found_again_by_unit_name_and_phone(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    await _units(sessions)
    rows: list[list[object]] = [
        ["BP-DX-01", "Nguyễn Văn An", "đảng viên", "0912 345 678", None, "01/02/1990"],
        ["BP-DX-01", "Nguyễn Văn An", "đảng viên", "+84 987 654 321", None, None],
        ["BP-DX-02", "Trần Thị Bé", "bí thư", 987111222, None, date(1985, 3, 4)],
    ]
    path = _write_xlsx(tmp_path / "list.xlsx", rows)
    for expected in ((3, 0, 0), (0, 0, 3)):
        async with transaction(sessions) as s:
            result = await import_members(s, xlsx_table(path), "list.xlsx")
        assert (result.created, result.updated, result.unchanged) == expected
    async with sessions() as s:
        phones = sorted((await s.scalars(select(Member.phone))).all(), key=str)
        assert phones == ["0912345678", "0987111222", "0987654321"]
        be = await s.scalar(select(Member).where(Member.full_name == "Trần Thị Bé"))
        assert be is not None and be.birth_date == date(1985, 3, 4)


async def test_the_role_column_reads_the_words_grant_reads_deputy_included(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    await _units(sessions)
    rows: list[list[object]] = [
        ["BP-DX-01", "Lê Văn Phó", "Phó bí thư", None, None, None],
        ["BP-DX-01", "Lê Văn Bí", "bi thu", None, None, None],
        ["BP-DX-01", "Lê Văn Quản", "Quản trị", None, None, None],
        ["BP-DX-01", "Lê Văn Viên", "Đảng viên", None, None, None],
        ["BP-DX-01", "Lê Văn Trống", "", None, None, None],
    ]
    async with transaction(sessions) as s:
        await import_members(s, xlsx_table(_write_xlsx(tmp_path / "r.xlsx", rows)), "r.xlsx")
    async with sessions() as s:
        held = dict(
            (await s.execute(select(Member.full_name, Membership.role).join(Membership))).all()
        )
    assert held == {
        "Lê Văn Phó": "deputy",
        "Lê Văn Bí": "secretary",
        "Lê Văn Quản": "admin",
        "Lê Văn Viên": "member",
        "Lê Văn Trống": "member",
    }
    bad = [["BP-DX-01", "Lê Văn Sai", "chủ tịch", None, None, None]]
    [error] = await _rejected(sessions, xlsx_table(_write_xlsx(tmp_path / "b.xlsx", bad)), "b")
    assert error.column == "Chức vụ"


async def test_one_bad_row_rejects_the_file_naming_every_bad_cell(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    await _units(sessions)
    rows: list[list[object]] = [
        ["BP-DX-01", "Người Tốt", "đảng viên", "0912345678", "11.000001", "01/02/1990"],
        ["NOPE", "Đơn Vị Sai", "đảng viên", None, "11.000002", None],
        ["BP-DX-01", "Số Sai", "đảng viên", "12345", "11.000003", None],
        ["BP-DX-01", "Ngày Sai", "đảng viên", None, "11.000004", "31/02/1990"],
        ["BP-DX-01", "Thẻ Lặp", "đảng viên", None, "11.000001", None],
        ["BP-DX-01", "Vai Sai", "trưởng thôn", None, "11.000005", None],
    ]
    path = _write_xlsx(tmp_path / "bad.xlsx", rows)
    errors = await _rejected(sessions, xlsx_table(path), "bad.xlsx")
    # each bad cell named by its row and the column's header as the list writes it
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (3, "Mã đơn vị", "import-unknown-unit"),
        (4, "Số điện thoại", "import-bad-phone"),
        (5, "Ngày sinh", "import-bad-date"),
        (6, "Số thẻ đảng viên", "import-repeated"),
        (7, "Chức vụ", "import-bad-role"),
    ]
    assert errors[3].args == {"value": "11.000001", "other": 2}
    assert await _counts(sessions) == (0, 0)  # the good first row was not written either


async def test_a_card_of_another_telegram_account_is_refused(sessions: SessionFactory) -> None:
    await _units(sessions)
    async with transaction(sessions) as s:
        await import_members(s, xlsx_table(ROSTER), "roster.xlsx")
    before = await _counts(sessions)
    text = (
        "unit_code,full_name,role,card_number,telegram_id\n"
        "BP-DX-01,Đặng Thị Yến,secretary,88.708108,700000004\n"  # Tuấn's account on Yến's card
    )
    errors = await _rejected(sessions, text, "swap.csv")
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (2, "telegram_id", "import-telegram-taken")
    ]
    assert await _counts(sessions) == before


async def test_a_list_larger_than_one_statements_parameters_imports(
    sessions: SessionFactory,
) -> None:
    await _units(sessions)
    async with sessions() as s:
        cells = [u.code for u in (await queries.units_by_code(s)).values() if u.kind == "cell"]
    count = 40_000
    lines = ["unit_code,full_name,role,phone,card_number,birth_date"]
    lines += [
        f"{cells[i % len(cells)]},Người Thứ {i},member,09{i:08d},{i:08d},01/01/1980"
        for i in range(count)
    ]
    text = "\n".join(lines) + "\n"
    async with transaction(sessions) as s:
        first = await import_members(s, text, "big.csv")
    assert (first.created, first.updated, first.unchanged) == (count, 0, 0)
    async with transaction(sessions) as s:
        again = await import_members(s, text, "big.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert await _counts(sessions) == (count, count)
    async with sessions() as s:  # one IN list over every card at once, cut by the query
        found = await queries.members_by_card(s, [f"{i:08d}" for i in range(count)])
    assert len(found) == count


def test_the_cli_imports_an_xlsx_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "t.db"}"\n')
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")

    def cli(*args: str) -> int:
        return cli_main(["--config", str(config), *args])

    assert cli("units", "import", str(units)) == 0
    assert cli("members", "import", str(ROSTER)) == 0
    assert "tạo mới 426, cập nhật 0, không đổi 0" in capsys.readouterr().out
    assert cli("members", "import", str(ROSTER)) == 0
    assert "tạo mới 0, cập nhật 0, không đổi 426" in capsys.readouterr().out
    bad = _write_xlsx(tmp_path / "bad.xlsx", [["BP-DX-01", "Số Sai", "đảng viên", "123"]])
    assert cli("members", "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert f"{bad} dòng 2, cột Số điện thoại: số điện thoại" in err
    # a header missing: named as the list names its columns
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Mã đơn vị", "Họ và tên", "Số điện thoại"])
    sheet.append(["BP-DX-01", "Không Có Chức Vụ", "0912345678"])
    book.save(missing := tmp_path / "missing.xlsx")
    assert cli("members", "import", str(missing)) == 1
    err = capsys.readouterr().err
    assert (
        f"{missing} dòng 1, cột Chức vụ: thiếu cột; cần các cột: Mã đơn vị, Họ và tên, Chức vụ"
    ) in err
    assert "unit_code" not in err and "role" not in err
