"""Importing the unit tree and members from CSV: validate every row, then write all or nothing."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import ROLES
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


async def import_members(
    session: AsyncSession, text: str, source: str = "members.csv"
) -> ImportResult:
    """Create or update members by ``telegram_id`` and their role in each listed unit."""
    rows = _read_rows(text, MEMBER_COLUMNS, source)
    units = await queries.units_by_code(session)
    errors: list[RowError] = []
    parsed: list[tuple[int, dict[str, str], int]] = []
    seen: dict[tuple[int, str], int] = {}
    for line, row in rows:
        try:
            telegram_id = int(row["telegram_id"])
            if telegram_id <= 0:
                raise ValueError
        except ValueError:
            errors.append(
                RowError(
                    line, "telegram_id", "import-bad-telegram-id", {"value": row["telegram_id"]}
                )
            )
            continue
        if not row["full_name"]:
            errors.append(RowError(line, "full_name", "import-empty"))
        if row["unit_code"] not in units:
            errors.append(
                RowError(line, "unit_code", "import-unknown-unit", {"value": row["unit_code"]})
            )
        role = row["role"] or "member"
        if role not in ROLES:
            errors.append(RowError(line, "role", "import-bad-role", {"value": role}))
        language = row["language"] or "vi"
        if language not in LANGUAGES:
            errors.append(RowError(line, "language", "import-bad-language", {"value": language}))
        key = (telegram_id, row["unit_code"])
        if key in seen:
            errors.append(
                RowError(
                    line,
                    "unit_code",
                    "import-repeated",
                    {"value": row["unit_code"], "other": seen[key]},
                )
            )
        seen[key] = line
        parsed.append((line, {**row, "role": role, "language": language}, telegram_id))
    if errors:
        raise ImportRejected(source, sorted(errors, key=lambda e: e.line))

    result = ImportResult()
    members = await queries.members_by_telegram_id(session, [t for _, _, t in parsed])
    existing_ms = {
        (m.member_id, m.unit_id): m
        for m in (
            await session.scalars(
                select(Membership).where(Membership.member_id.in_([m.id for m in members.values()]))
            )
        ).all()
    }
    # Pass 1: people (one flush for all new members, so ids come back in one round trip).
    outcome: dict[int, str] = {}
    for _line, row, telegram_id in parsed:
        member = members.get(telegram_id)
        if member is None:
            member = Member(
                telegram_id=telegram_id,
                full_name=row["full_name"],
                username=row["username"] or None,
                language=row["language"],
                private_chat=False,
                blocked=False,
            )
            session.add(member)
            members[telegram_id] = member
            outcome[telegram_id] = "created"
        elif (member.full_name, member.username, member.language) != (
            row["full_name"],
            row["username"] or None,
            row["language"],
        ):
            member.full_name = row["full_name"]
            member.username = row["username"] or None
            member.language = row["language"]
            outcome.setdefault(telegram_id, "updated")
    await session.flush()
    # Pass 2: their roles in units.
    for _line, row, telegram_id in parsed:
        member = members[telegram_id]
        unit = units[row["unit_code"]]
        ms = existing_ms.get((member.id, unit.id))
        if ms is None:
            ms = Membership(member_id=member.id, unit_id=unit.id, role=row["role"])
            session.add(ms)
            existing_ms[(member.id, unit.id)] = ms
            outcome.setdefault(telegram_id, "updated")
        elif ms.role != row["role"]:
            ms.role = row["role"]
            outcome.setdefault(telegram_id, "updated")
    for telegram_id in dict.fromkeys(t for _, _, t in parsed):  # per person, in file order
        kind = outcome.get(telegram_id, "unchanged")
        if kind == "created":
            result.created += 1
        elif kind == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    await session.flush()
    return result
