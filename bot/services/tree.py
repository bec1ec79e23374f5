"""Importing the unit tree (CSV) and members (CSV or XLSX): validate every row, then write all
or nothing."""

from __future__ import annotations

import csv
import io
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import role_from_word
from bot.services.dates import read_day
from bot.services.joining import NAME_MAX
from bot.services.phones import normalise_phone
from bot.services.roster import roster_name
from bot.services.tg_text import clean_text
from storage import queries
from storage.models import Member, Membership, Unit, column_length

LANGUAGES = ("vi", "en")
UNIT_COLUMNS = ("code", "parent_code", "name", "kind")
MEMBER_COLUMNS = ("telegram_id", "full_name", "username", "unit_code", "role", "language")
# A unit's path ("/1/7/42/") is stored in a column this long: it bounds how deep a branch can go.
PATH_MAX = column_length(Unit, "path")


@dataclass(frozen=True)
class RowError:
    """One bad cell: ``reason`` is a text key (``import-...``) formatted with ``args``."""

    line: int
    column: str
    reason: str
    args: dict[str, str | int] = field(default_factory=dict)


class ImportRejected(Exception):
    """The file had bad rows; nothing was written."""

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {len(errors)} bad row(s)")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)


def new_join_token() -> str:
    """A /start payload: 16 chars of A-Z a-z 0-9 _ - (Telegram allows 64)."""
    return secrets.token_urlsafe(12)


def _read_rows(
    text: str, columns: tuple[str, ...], source: str
) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportRejected(
            source,
            [
                RowError(
                    1, ",".join(missing), "import-missing-columns", {"expected": ", ".join(columns)}
                )
            ],
        )
    rows = []
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        rows.append((reader.line_num, clean))
    return rows


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportRejected(str(path), [RowError(0, "-", "import-file-not-found")]) from None
    except UnicodeDecodeError:
        raise ImportRejected(str(path), [RowError(0, "-", "import-not-utf8")]) from None


async def import_units(session: AsyncSession, text: str, source: str = "units.csv") -> ImportResult:
    """Create or update units by ``code``; parents may be in the file or already stored."""
    rows = _read_rows(text, UNIT_COLUMNS, source)
    errors: list[RowError] = []
    existing = await queries.units_by_code(session)
    seen: dict[str, int] = {}
    parents: dict[str, str] = {}
    for line, row in rows:
        code = row["code"]
        if not code:
            errors.append(RowError(line, "code", "import-empty"))
            continue
        if len(code) > 64 or any(ch.isspace() for ch in code):
            errors.append(RowError(line, "code", "import-bad-code"))
        if code in seen:
            errors.append(
                RowError(line, "code", "import-repeated", {"value": code, "other": seen[code]})
            )
        seen[code] = line
        if not row["name"]:
            errors.append(RowError(line, "name", "import-empty"))
        if not row["kind"]:
            errors.append(RowError(line, "kind", "import-empty"))
        parents[code] = row["parent_code"]
    for line, row in rows:
        parent = row["parent_code"]
        if parent and parent not in seen and parent not in existing:
            errors.append(RowError(line, "parent_code", "import-unknown-unit", {"value": parent}))
    errors.extend(_cycles(rows, parents, existing))
    if errors:
        raise ImportRejected(source, sorted(errors, key=lambda e: e.line))

    result = ImportResult()
    by_code = dict(existing)
    code_by_id = {u.id: u.code for u in existing.values()}
    for _line, row in rows:
        unit = by_code.get(row["code"])
        if unit is None:
            unit = Unit(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                path="/",
                join_token=new_join_token(),
                depth=0,
            )
            session.add(unit)
            by_code[unit.code] = unit
            result.created += 1
        elif (unit.name, unit.kind) != (row["name"], row["kind"]) or (
            code_by_id.get(unit.parent_id or 0) != (row["parent_code"] or None)
        ):
            unit.name, unit.kind = row["name"], row["kind"]
            result.updated += 1
        else:
            result.unchanged += 1
    await session.flush()
    for _line, row in rows:
        parent_unit = by_code.get(row["parent_code"]) if row["parent_code"] else None
        by_code[row["code"]].parent_id = parent_unit.id if parent_unit else None
    _recompute_paths(list(by_code.values()))
    too_deep = _too_deep(rows, by_code)
    if too_deep:  # before the paths are written; the caller's transaction drops the rest
        raise ImportRejected(source, too_deep)
    await session.flush()
    return result


def _cycles(
    rows: list[tuple[int, dict[str, str]]], parents: dict[str, str], existing: dict[str, Unit]
) -> list[RowError]:
    """Rows whose unit is on a cycle of parents (the file's, over what is stored).

    Each unit is walked up at most once (a walk stops at a unit already settled), so a chain
    of any depth costs time in proportion to its length, with no recursion."""
    by_id = {u.id: u for u in existing.values()}
    stored_parent = {
        u.code: (by_id[u.parent_id].code if u.parent_id in by_id else "") for u in existing.values()
    }
    merged = {**stored_parent, **parents}
    on_cycle: set[str] = set()
    settled: set[str] = set()
    for start in merged:
        walk: list[str] = []
        position: dict[str, int] = {}
        cursor = start
        while cursor and cursor not in settled:
            if cursor in position:  # came back to a unit of this walk: a cycle from there on
                on_cycle.update(walk[position[cursor] :])
                break
            position[cursor] = len(walk)
            walk.append(cursor)
            cursor = merged.get(cursor, "")
        settled.update(walk)
    return [
        RowError(line, "parent_code", "import-cycle")
        for line, row in rows
        if row["code"] in on_cycle
    ]


def _recompute_paths(units: list[Unit]) -> None:
    """Every unit's ``path`` and ``depth`` from its parents, walking up without recursion."""
    by_id = {u.id: u for u in units}
    known: dict[int, tuple[str, int]] = {}
    for unit in units:
        chain: list[Unit] = []
        on_chain: set[int] = set()
        cursor = unit
        while cursor.id not in known:
            chain.append(cursor)
            on_chain.add(cursor.id)
            parent = by_id.get(cursor.parent_id) if cursor.parent_id is not None else None
            if parent is None or parent.id in on_chain:  # a root (or a cycle, refused earlier)
                break
            cursor = parent
        path, depth = ("/", -1) if cursor.id in on_chain else known[cursor.id]
        for below in reversed(chain):
            path, depth = f"{path}{below.id}/", depth + 1
            known[below.id] = (path, depth)
            if below.path != path:
                below.path = path
            if below.depth != depth:
                below.depth = depth


def _too_deep(rows: list[tuple[int, dict[str, str]]], by_code: dict[str, Unit]) -> list[RowError]:
    """Where a branch first gets deeper than a stored path can hold: one error per branch, on
    the row that made it so (the unit's own, or the nearest ancestor's for a moved sub-tree)."""
    by_id = {u.id: u for u in by_code.values()}
    line_of = {row["code"]: line for line, row in rows}
    errors: dict[int, RowError] = {}
    for unit in by_code.values():
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        if len(unit.path) <= PATH_MAX or (parent is not None and len(parent.path) > PATH_MAX):
            continue
        cursor: Unit | None = unit
        while cursor is not None and cursor.code not in line_of:
            cursor = by_id.get(cursor.parent_id) if cursor.parent_id is not None else None
        line = line_of[cursor.code] if cursor is not None else 0
        errors.setdefault(
            line,
            RowError(
                line, "parent_code", "import-too-deep", {"depth": unit.depth, "max": unit.depth - 1}
            ),
        )
    return sorted(errors.values(), key=lambda e: e.line)


# -- members: the secretary's roster (CSV or XLSX), people with or without a Telegram id ---------

# Required and optional columns of a member file, under the names the files use: the
# secretary's list (Vietnamese headers) and the older members.csv shape both read the same.
MEMBER_REQUIRED = ("unit_code", "full_name", "role")
MEMBER_OPTIONAL = ("telegram_id", "phone", "card_number", "birth_date", "username", "language")
# The secretary's list names its columns so (compared without case or extra spaces); a bad
# cell of such a file is named by the header written there, not by our own column name.
SHEET_HEADERS = {
    "unit_code": "Mã đơn vị",
    "full_name": "Họ và tên",
    "role": "Chức vụ",
    "phone": "Số điện thoại",
    "card_number": "Số thẻ đảng viên",
    "birth_date": "Ngày sinh",
    "telegram_id": "Telegram ID",
}
CARD_MAX = column_length(Member, "card_number")
BIRTH_FIRST = date(1900, 1, 1)


@dataclass(frozen=True)
class Table:
    """A sheet read from a file: its header as written and its rows (line number, cells)."""

    header: list[str]
    rows: Iterable[tuple[int, list[str]]]


def _header_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold (a date cell as dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_table(path: Path) -> Table:
    """The first sheet of an XLSX workbook, read row by row (openpyxl's read-only mode)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ImportRejected(str(path), [RowError(0, "-", "import-file-not-found")]) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise ImportRejected(str(path), [RowError(0, "-", "import-not-xlsx")]) from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header = [_cell_text(v) for v in next(cells, ())]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, values in enumerate(cells, start=2):
                yield line, [_cell_text(v) for v in values]
        finally:
            book.close()

    return Table(header, rows())


def _csv_table(text: str) -> Table:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, [])
    return Table(header, ((reader.line_num, row) for row in reader))


def read_member_file(path: Path) -> str | Table:
    """A member file for :func:`import_members`: CSV text, or an XLSX sheet by its suffix."""
    if path.suffix.lower() == ".xlsx":
        return xlsx_table(path)
    return read_text(path)


def _header_names() -> dict[str, str]:
    """Header (as :func:`_header_key` reads it) -> column: the sheet's and our own names."""
    names = {_header_key(header): column for column, header in SHEET_HEADERS.items()}
    names.update({c: c for c in (*MEMBER_REQUIRED, *MEMBER_OPTIONAL)})
    return names


HEADER_NAMES = _header_names()


@dataclass(frozen=True)
class _MemberRows:
    """A member file's rows keyed by our column names, and each column's header as the file
    writes it (what an error names)."""

    rows: list[tuple[int, dict[str, str]]]
    headers: dict[str, str]


def _member_rows(table: Table, source: str) -> _MemberRows:
    """Rows keyed by the canonical column names; a missing required column rejects the file,
    named as the file's other headers are written (the sheet's Vietnamese or our own)."""
    keys = [HEADER_NAMES.get(_header_key(name), "") for name in table.header]
    headers: dict[str, str] = {}
    for key, name in zip(keys, table.header, strict=True):
        if key:
            headers.setdefault(key, " ".join(name.split()))
    missing = [c for c in MEMBER_REQUIRED if c not in keys]
    if missing:
        sheet = any(_header_key(headers[k]) != k for k in headers)  # Vietnamese headers
        shown = SHEET_HEADERS if sheet else {c: c for c in MEMBER_REQUIRED}
        raise ImportRejected(
            source,
            [
                RowError(
                    1,
                    ", ".join(shown[c] for c in missing),
                    "import-missing-columns",
                    {"expected": ", ".join(shown[c] for c in MEMBER_REQUIRED)},
                )
            ],
        )
    rows = []
    for line, cells in table.rows:
        clean = {c: "" for c in (*MEMBER_REQUIRED, *MEMBER_OPTIONAL)}
        for key, value in zip(keys, cells, strict=False):
            if key:
                clean[key] = clean_text(value or "").strip()
        if any(clean.values()):
            rows.append((line, clean))
    return _MemberRows(rows, headers)


@dataclass
class _Row:
    """One valid member row, its values read."""

    line: int
    unit: Unit
    full_name: str
    role: str
    telegram_id: int | None
    phone: str | None
    card: str | None
    birth: date | None
    username: str | None
    language: str | None
    person: tuple[object, ...]  # who the row is about: see _person_key


def _person_key(
    unit: Unit, name: str, telegram_id: int | None, phone: str | None, card: str | None
) -> tuple[object, ...]:
    """A person is their party card; else their Telegram id; else unit + name + phone."""
    if card:
        return ("card", card)
    if telegram_id is not None:
        return ("telegram", telegram_id)
    return ("name", unit.id, name, phone)


def _check_member_row(
    line: int, row: dict[str, str], units: dict[str, Unit], errors: list[RowError]
) -> _Row | None:
    before = len(errors)

    def bad(column: str, reason: str, **args: str | int) -> None:
        errors.append(RowError(line, column, reason, args))

    telegram_id: int | None = None
    if row["telegram_id"]:
        try:
            telegram_id = int(row["telegram_id"])
            if telegram_id <= 0:
                raise ValueError
        except ValueError:
            bad("telegram_id", "import-bad-telegram-id", value=row["telegram_id"])
    name = roster_name(row["full_name"])
    if not name:
        bad("full_name", "import-empty")
    elif len(name) > NAME_MAX:
        bad("full_name", "import-too-long", max=NAME_MAX)
    unit = units.get(row["unit_code"])
    if unit is None:
        bad("unit_code", "import-unknown-unit", value=row["unit_code"])
    role = role_from_word(row["role"]) if row["role"].strip() else "member"
    if role is None:
        bad("role", "import-bad-role", value=row["role"])
    language = row["language"] or None
    if language is not None and language not in LANGUAGES:
        bad("language", "import-bad-language", value=language)
    phone = normalise_phone(row["phone"]) if row["phone"] else None
    if row["phone"] and phone is None:
        bad("phone", "import-bad-phone", value=row["phone"])
    card = row["card_number"] or None
    if card is not None and (len(card) > CARD_MAX or len(card.split()) != 1):
        bad("card_number", "import-bad-card", value=card, max=CARD_MAX)
    birth = read_day(row["birth_date"]) if row["birth_date"] else None
    if row["birth_date"] and (birth is None or not BIRTH_FIRST <= birth <= date.today()):
        bad("birth_date", "import-bad-date", value=row["birth_date"])
    if len(errors) > before or unit is None or role is None:
        return None
    return _Row(
        line=line,
        unit=unit,
        full_name=name,
        role=role,
        telegram_id=telegram_id,
        phone=phone,
        card=card,
        birth=birth,
        username=row["username"] or None,
        language=language,
        person=_person_key(unit, name, telegram_id, phone, card),
    )


def _repeats(parsed: list[_Row]) -> list[RowError]:
    """Rows the file already said: a card twice, one Telegram id for two people, one person
    twice in a unit."""
    errors: list[RowError] = []
    cards: dict[str, int] = {}
    telegram: dict[int, tuple[tuple[object, ...], int]] = {}
    placed: dict[tuple[tuple[object, ...], int], int] = {}
    for row in parsed:
        if row.card is not None:
            if row.card in cards:
                errors.append(
                    RowError(
                        row.line,
                        "card_number",
                        "import-repeated",
                        {"value": row.card, "other": cards[row.card]},
                    )
                )
                continue
            cards[row.card] = row.line
        if row.telegram_id is not None:
            first = telegram.setdefault(row.telegram_id, (row.person, row.line))
            if first[0] != row.person:
                errors.append(
                    RowError(
                        row.line,
                        "telegram_id",
                        "import-repeated",
                        {"value": row.telegram_id, "other": first[1]},
                    )
                )
                continue
        key = (row.person, row.unit.id)
        if key in placed:
            errors.append(
                RowError(
                    row.line,
                    "unit_code",
                    "import-repeated",
                    {"value": row.unit.code, "other": placed[key]},
                )
            )
        placed[key] = row.line
    return errors


@dataclass(slots=True)
class _Stored:
    """A stored member as the import compares it: the columns, not an ORM object (a re-import
    of 50,000 people read them all; as ORM objects they took twice the first import's memory)."""

    id: int
    telegram_id: int | None
    full_name: str
    phone: str | None
    card_number: str | None
    birth_date: date | None
    username: str | None
    language: str | None


_STORED = (
    Member.id,
    Member.telegram_id,
    Member.full_name,
    Member.phone,
    Member.card_number,
    Member.birth_date,
    Member.username,
    Member.language,
)


async def _stored_by(
    session: AsyncSession, column: Any, values: Iterable[object]
) -> dict[object, _Stored]:
    """Stored members whose ``column`` is one of ``values`` (an IN list cut in chunks)."""
    found: dict[object, _Stored] = {}
    for part in queries.chunks(dict.fromkeys(values)):
        for row in await session.execute(select(*_STORED).where(column.in_(part))):
            member = _Stored(*row)
            found[getattr(member, column.key)] = member
    return found


async def _stored_people(
    session: AsyncSession, parsed: list[_Row], errors: list[RowError]
) -> dict[tuple[object, ...], _Stored]:
    """The stored member each person of the file already is, if any (by card, Telegram id, or
    unit + name + phone); a row whose card and Telegram id name two different people is bad."""
    by_card = await _stored_by(session, Member.card_number, [r.card for r in parsed if r.card])
    by_telegram = await _stored_by(
        session, Member.telegram_id, [r.telegram_id for r in parsed if r.telegram_id is not None]
    )
    by_name: dict[tuple[object, ...], _Stored] = {}
    named_units = [r.unit.id for r in parsed if r.person[0] == "name"]
    for part in queries.chunks(dict.fromkeys(named_units)):
        stmt = (
            select(Membership.unit_id, *_STORED)
            .join(Membership, Membership.member_id == Member.id)
            .where(Membership.unit_id.in_(part), Member.erased_at.is_(None))
        )
        for found_row in await session.execute(stmt):
            unit_id, entry = found_row[0], _Stored(*found_row[1:])
            by_name.setdefault(("name", unit_id, entry.full_name, entry.phone), entry)
    found: dict[tuple[object, ...], _Stored] = {}
    for row in parsed:
        if row.person in found:
            continue
        member = by_card.get(row.card) if row.card else None
        holder = by_telegram.get(row.telegram_id) if row.telegram_id is not None else None
        if member is not None and holder is not None and holder.id != member.id:
            value = row.telegram_id or 0
            errors.append(
                RowError(row.line, "telegram_id", "import-telegram-taken", {"value": value})
            )
            continue
        if (
            member is not None
            and row.telegram_id is not None
            and member.telegram_id not in (None, row.telegram_id)
        ):
            errors.append(
                RowError(row.line, "card_number", "import-card-taken", {"value": row.card or ""})
            )
            continue
        if holder is not None and row.card and holder.card_number not in (None, row.card):
            errors.append(
                RowError(row.line, "card_number", "import-card-taken", {"value": row.card})
            )
            continue
        member = member or holder or by_name.get(row.person)
        if member is not None:
            found[row.person] = member
    return found


def _changes(member: _Stored, row: _Row) -> dict[str, object]:
    """What the row changes in a stored member (an empty cell keeps what is stored); the
    stored copy takes the new values, so a person's later rows compare with them."""
    wanted: dict[str, object] = {"full_name": row.full_name}
    optional = {
        "telegram_id": row.telegram_id,
        "phone": row.phone,
        "card_number": row.card,
        "birth_date": row.birth,
        "username": row.username,
        "language": row.language,
    }
    wanted.update({k: v for k, v in optional.items() if v is not None})
    changed = {k: v for k, v in wanted.items() if getattr(member, k) != v}
    for attribute, value in changed.items():
        setattr(member, attribute, value)
    return changed


async def _write_changes(connection: Any, changes: dict[int, dict[str, object]]) -> None:
    """UPDATE the changed members, one batched statement per set of changed columns."""
    table = Member.metadata.tables[Member.__tablename__]
    by_columns: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for member_id, changed in changes.items():
        columns = tuple(sorted(changed))
        by_columns.setdefault(columns, []).append({"_id": member_id, **changed})
    for columns, params in by_columns.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns})
        )
        for batch in queries.chunks(params, queries.rows_per_statement(len(columns) + 1)):
            await connection.execute(stmt, batch)


async def import_members(
    session: AsyncSession, data: str | Table, source: str = "members.csv"
) -> ImportResult:
    """Create or update the people on units' rosters and their role in each listed unit.

    ``data`` is CSV text or a sheet read by :func:`xlsx_table`. A person is found again by
    party card number, else Telegram id, else unit + full name + phone, so importing the same
    list twice changes nothing. Every row is checked before anything is written; one bad cell
    rejects the file (every bad cell listed by row and column)."""
    read = _member_rows(_csv_table(data) if isinstance(data, str) else data, source)
    rows = read.rows
    units = await queries.units_by_code(session, {row["unit_code"] for _, row in rows})
    errors: list[RowError] = []
    parsed = [p for line, row in rows if (p := _check_member_row(line, row, units, errors))]
    errors.extend(_repeats(parsed))
    stored = await _stored_people(session, parsed, errors) if not errors else {}
    if errors:
        named = [replace(e, column=read.headers.get(e.column, e.column)) for e in errors]
        raise ImportRejected(source, sorted(named, key=lambda e: e.line))

    outcome: dict[tuple[object, ...], str] = {}
    # People: changes to stored members, then every new person in bulk.
    fresh: dict[tuple[object, ...], _Row] = {}
    changes: dict[int, dict[str, object]] = {}
    for row in parsed:
        member = stored.get(row.person)
        if member is None:
            fresh.setdefault(row.person, row)
        elif changed := _changes(member, row):
            changes.setdefault(member.id, {}).update(changed)
            outcome[row.person] = "updated"
    await session.flush()
    connection = await session.connection()
    await _write_changes(connection, changes)
    ids = {person: m.id for person, m in stored.items()}
    # RETURNING in input order costs a statement per row on SQLite; instead each new id comes
    # back with the values it was written with (rows that wrote the same values are
    # interchangeable: their usernames and languages, the only values not compared, come with
    # a Telegram id, which is unique).
    returned = (
        Member.telegram_id,
        Member.full_name,
        Member.phone,
        Member.card_number,
        Member.birth_date,
    )
    for part in queries.chunks(list(fresh.items()), queries.rows_per_statement(9)):
        waiting: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
        values = []
        for person, r in part:
            written = (r.telegram_id, r.full_name, r.phone, r.card, r.birth)
            waiting.setdefault(written, []).append(person)
            values.append(
                {
                    "telegram_id": r.telegram_id,
                    "full_name": r.full_name,
                    "phone": r.phone,
                    "card_number": r.card,
                    "birth_date": r.birth,
                    "username": r.username,
                    "language": r.language or "vi",
                    "private_chat": False,
                    "blocked": False,
                }
            )
        # Core, not the ORM's bulk path: one batched statement, however the rows differ.
        table = Member.metadata.tables[Member.__tablename__]
        stmt = insert(table).returning(Member.id, *returned)
        for member_id, *stored_values in await connection.execute(stmt, values):
            person = waiting[tuple(stored_values)].pop()
            ids[person] = member_id
            outcome[person] = "created"
    # Their roles in units.
    existing: dict[tuple[int, int], list[Any]] = {}  # (member, unit) -> [membership id, role]
    for member_ids in queries.chunks(dict.fromkeys(m.id for m in stored.values())):
        held_stmt = select(
            Membership.id, Membership.member_id, Membership.unit_id, Membership.role
        ).where(Membership.member_id.in_(member_ids))
        for ms_id, member_id, unit_id, role in await session.execute(held_stmt):
            existing[(member_id, unit_id)] = [ms_id, role]
    adds: list[dict[str, object]] = []
    roles: dict[int, str] = {}
    for row in parsed:
        member_id = ids[row.person]
        held = existing.get((member_id, row.unit.id))
        if held is None:
            adds.append({"member_id": member_id, "unit_id": row.unit.id, "role": row.role})
            outcome.setdefault(row.person, "updated")
        elif held[1] != row.role:
            held[1] = roles[held[0]] = row.role
            outcome.setdefault(row.person, "updated")
    memberships = Membership.metadata.tables[Membership.__tablename__]
    for batch in queries.chunks(adds, queries.rows_per_statement(3)):
        await connection.execute(insert(memberships), batch)
    set_role = (
        update(memberships)
        .where(memberships.c.id == bindparam("_id"))
        .values(role=bindparam("_role"))
    )
    role_params = [{"_id": i, "_role": r} for i, r in roles.items()]
    for batch in queries.chunks(role_params, queries.rows_per_statement(2)):
        await connection.execute(set_role, batch)
    result = ImportResult()
    for person in dict.fromkeys(r.person for r in parsed):  # per person, in file order
        kind = outcome.get(person, "unchanged")
        result.created += kind == "created"
        result.updated += kind == "updated"
        result.unchanged += kind == "unchanged"
    await session.flush()
    return result
