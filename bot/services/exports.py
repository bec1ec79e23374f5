"""/export and ``chithi export``: a directive's completion as an XLSX workbook and a CSV of the
member sheet.

The figures of the summary sheet come from :mod:`bot.services.rollup` (one roll-up per asked
sub-tree); the member sheet is one query streamed into the sheet, the reports sheet another.
The rows are fetched on the event loop; the files are built from plain tuples in a thread
(:func:`build_files`), so a province's 50,000 rows do not hold the loop.

A period (``11/2026``) exports every directive published that month into one workbook: each
sheet has a "Văn bản" column first, so the office can filter or pivot by directive in Excel
without hunting across one sheet per directive (a month may hold dozens).
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from xlsxwriter.worksheet import Worksheet

from bot.i18n import Translator
from bot.services import quiz
from bot.services.names import remembered_sort_key
from bot.services.pending import overlaps, roster_confirmations, targets_of
from bot.services.rollup import HOWS, Figures, rollup
from storage import queries
from storage.db import plan_with_values
from storage.models import (
    AuditEvent,
    Confirmation,
    Directive,
    DirectiveTarget,
    Member,
    ReportCycle,
    Unit,
)

# Spreadsheets run a cell starting with one of these as a formula (or a DDE payload): such a
# text is stored with a leading apostrophe, which Excel and LibreOffice show as plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767  # characters in one cell
PERIOD = re.compile(r"^(\d{1,2})/(\d{4})$")
TIME_FORMAT = "%d/%m/%Y %H:%M"
CSV_BOM = "\ufeff"

Cell = str | int | float | None
Row = tuple[Cell, ...]


def neutralise(value: Cell) -> Cell:
    """The one guard for every text cell of the XLSX and the CSV: a text a spreadsheet would
    run as a formula gets an apostrophe in front; numbers and empty cells pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value[:EXCEL_CELL_LIMIT]


def parse_period(text: str) -> tuple[int, int] | None:
    """``11/2026`` → (2026, 11); None if ``text`` is not a month."""
    match = PERIOD.match(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= 12:
        return None
    return int(match.group(2)), int(match.group(1))


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime(TIME_FORMAT)


@dataclass
class Sheet:
    title: str
    header: Row
    rows: list[Row] = field(default_factory=list)


@dataclass
class ExportFiles:
    """What an export produced: the workbook, the CSV of its member sheet, their names."""

    xlsx: bytes
    csv: bytes
    stem: str
    directives: list[str]
    members: int

    @property
    def xlsx_name(self) -> str:
        return f"{self.stem}.xlsx"

    @property
    def csv_name(self) -> str:
        return f"{self.stem}.csv"


@dataclass
class ExportData:
    """The rows of the three sheets, fetched; :func:`build_files` turns them into files."""

    summary: Sheet
    members: Sheet
    reports: Sheet
    stem: str
    directives: list[str]


def file_stem(label: str) -> str:
    """A file name from a directive number or a period: ``1208-CV/BTGTU`` → ``1208-CV_BTGTU``."""
    safe = re.sub(r"[^0-9A-Za-z._-]+", "_", label).strip("_") or "export"
    return f"chithi-{safe}"


async def directives_of_period(
    session: AsyncSession, year: int, month: int, roots: Sequence[Unit] | None, tz: ZoneInfo
) -> list[Directive]:
    """Directives published in that month (local time), oldest first; with ``roots``, only
    those sent to (part of) those sub-trees."""
    start = datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
    end_local = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    stmt = (
        select(Directive)
        .where(
            Directive.status == "published",
            Directive.published_at >= start,
            Directive.published_at < end_local.astimezone(UTC),
        )
        .order_by(Directive.published_at, Directive.id)
    )
    found = list((await session.scalars(stmt)).all())
    if roots is None:
        return found
    return [d for d in found if overlaps(await targets_of(session, d.id), roots)]


def _how(t: Translator, how: str | None) -> str:
    return t(f"export-how-{how if how in HOWS else 'press'}") if how else ""


def _pct(figures: Figures, part: int) -> float | None:
    share = Figures.share(part, figures.members)
    return None if share is None else round(share, 1)


async def collect(
    session: AsyncSession,
    directives: Sequence[Directive],
    roots: Sequence[Unit],
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
    label: str,
) -> ExportData:
    """Every row of the export of ``directives`` over the sub-trees ``roots``."""
    await plan_with_values(session)  # the sub-trees' sizes are in their paths
    summary = Sheet(
        t("export-sheet-summary"),
        tuple(t(f"export-col-{c}") for c in SUMMARY_COLUMNS),
    )
    members = Sheet(t("export-sheet-members"), tuple(t(f"export-col-{c}") for c in MEMBER_COLUMNS))
    reports = Sheet(t("export-sheet-reports"), tuple(t(f"export-col-{c}") for c in REPORT_COLUMNS))
    for directive in directives:
        target_paths = await _target_paths(session, directive.id)
        for root in roots:
            result = await rollup(session, directive, root, now)
            for level in result.levels():
                for f in level:
                    if not _related(f.path, target_paths):
                        continue  # a branch the directive was not sent to
                    summary.rows.append(_summary_row(directive, root, f))
        members.rows.extend(await _member_rows(session, directive, roots, target_paths, tz, t))
        reports.rows.extend(await _report_rows(session, directive, roots, now, tz, t))
    return ExportData(summary, members, reports, file_stem(label), [d.number for d in directives])


SUMMARY_COLUMNS = (
    "directive",
    "level",
    "code",
    "unit",
    "members",
    "received",
    "received-pct",
    "studied",
    "studied-pct",
    "press",
    "meeting",
    "behalf",
    "reports-owed",
    "reports-done",
    "forwarded",
)
MEMBER_COLUMNS = (
    "directive",
    "code",
    "unit",
    "name",
    "received-at",
    "studied-at",
    "how",
    "quiz-score",
    "quiz-attempts",
    "quiz-answers",
)
REPORT_COLUMNS = ("directive", "code", "unit", "cycle", "due", "state", "submitted-at", "content")


def _summary_row(directive: Directive, root: Unit, f: Figures) -> Row:
    return (
        directive.number,
        root.depth + f.depth + 1,
        f.code,
        f.name,
        f.members,
        f.received,
        _pct(f, f.received),
        f.studied,
        _pct(f, f.studied),
        f.studied_by["press"],
        f.studied_by["meeting"],
        f.studied_by["behalf"],
        f.reports_owed,
        f.reports_done,
        f.forwarded,
    )


async def _target_paths(session: AsyncSession, directive_id: int) -> list[str]:
    stmt = (
        select(Unit.path)
        .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
        .where(DirectiveTarget.directive_id == directive_id)
    )
    return list((await session.scalars(stmt)).all())


def _related(path: str, targets: Iterable[str]) -> bool:
    """Is the unit inside a target, or above one (it rolls a target up)?"""
    return any(path.startswith(p) or p.startswith(path) for p in targets)


async def _member_rows(
    session: AsyncSession,
    directive: Directive,
    roots: Sequence[Unit],
    target_paths: Sequence[str],
    tz: ZoneInfo,
    t: Translator,
) -> list[Row]:
    """Every roster entry of the sub-trees within the directive's targets: one query."""
    received = aliased(Confirmation, name="rec")
    studied = aliased(Confirmation, name="stu")
    stmt = (
        roster_confirmations(
            select(
                Unit.code,
                Unit.name,
                Member.full_name,
                received.at,
                studied.at,
                studied.how,
                Member.id,
            ),
            directive.id,
            received,
            studied,
        )
        .where(
            queries.in_subtrees(roots),
            queries.in_subtrees(target_paths),
        )
        .order_by(Unit.path, Member.id)
    )
    hows = {h: _how(t, h) for h in HOWS}
    number = directive.number
    fetched: list[Any] = []
    async for chunk in queries.chunked_rows(session, stmt):  # the loop free between chunks
        fetched.extend(chunk)
    scores = await quiz.latest_scores(session, directive.id) if directive.quiz else {}
    shown = _answer_texts(t, directive)

    def quiz_cells(member_id: int) -> tuple[Cell, Cell, Cell]:
        score = scores.get(member_id)
        if score is None:
            return "", None, ""
        answers = "; ".join(shown[(i, a)] for i, a in enumerate(score.answers) if (i, a) in shown)
        return f"{score.score}/{score.total}", score.attempts, answers

    def convert() -> list[Row]:  # tens of thousands of dates and names: off the event loop
        # Unit by unit as the tree reads (the rows come so), each unit's people in Vietnamese
        # order (by given name), as /pending lists them.
        unit_rank: dict[str, int] = {}
        for row in fetched:
            unit_rank.setdefault(row[0], len(unit_rank))
        fetched.sort(key=lambda r: (unit_rank[r[0]], remembered_sort_key(r[2])))
        return [
            (
                number,
                code,
                name,
                full_name,
                local_time(rec_at, tz),
                local_time(stu_at, tz),
                (hows.get(how, hows["press"]) if stu_at is not None else ""),
                *quiz_cells(member_id),
            )
            for code, name, full_name, rec_at, stu_at, how, member_id in fetched
        ]

    return await asyncio.to_thread(convert)


def _answer_texts(t: Translator, directive: Directive) -> dict[tuple[int, int], str]:
    """(question, option) → how an answer reads in the export: "Câu 2: Hằng quý (đúng)"."""
    texts: dict[tuple[int, int], str] = {}
    for i, item in enumerate(directive.quiz or []):
        for k, option in enumerate(item["options"]):
            verdict = t("export-quiz-right" if k == item["answer"] else "export-quiz-wrong")
            texts[(i, k)] = t("export-quiz-answer", n=i + 1, option=option, verdict=verdict)
    return texts


async def _report_rows(
    session: AsyncSession,
    directive: Directive,
    roots: Sequence[Unit],
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
) -> list[Row]:
    """Every report cycle due so far (or already submitted) of the sub-trees' units: the
    missing ones first, then what was submitted, with its text or file name."""
    stmt = (
        select(
            Unit.code,
            Unit.name,
            ReportCycle.cycle,
            ReportCycle.due_at,
            ReportCycle.submitted_at,
            ReportCycle.text,
            ReportCycle.document_name,
        )
        .join(Unit, Unit.id == ReportCycle.unit_id)
        .where(
            ReportCycle.directive_id == directive.id,
            queries.in_subtrees(roots),
            or_(ReportCycle.due_at <= now, ReportCycle.submitted_at.is_not(None)),
        )
        .order_by(ReportCycle.submitted_at.is_not(None), Unit.path, ReportCycle.cycle)
    )
    rows: list[Row] = []
    for code, name, cycle, due, submitted, text, document in await session.execute(stmt):
        if submitted is None:
            state, content = t("export-report-missing"), ""
        else:
            late = submitted > due
            state = t("export-report-late" if late else "export-report-done")
            parts = [
                p for p in (text, t("export-report-file", name=document) if document else None) if p
            ]
            content = "\n".join(parts)
        rows.append(
            (
                directive.number,
                code,
                name,
                cycle + 1,
                local_time(due, tz),
                state,
                local_time(submitted, tz),
                content,
            )
        )
    return rows


# -- building the files (plain tuples in, bytes out: run in a thread) ------------------------


XLSX_OPTIONS = {
    "in_memory": True,  # no temporary files
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def build_xlsx(data: ExportData) -> bytes:
    """The workbook: summary, members, reports. Written by XlsxWriter: openpyxl's write-only
    mode took 5.3 s for a province's 376,000 cells (a cell object a value), XlsxWriter 2.1 s
    (bench/queries.py compares them). Texts are only ever texts: no formula, URL or number
    is read into them (and :func:`neutralise` guards them for the spreadsheet)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, XLSX_OPTIONS)
    for sheet in (data.summary, data.members, data.reports):
        _write_sheet(book.add_worksheet(sheet.title), [sheet.header, *sheet.rows])
    book.close()
    return out.getvalue()


def _write_sheet(ws: Worksheet, rows: Iterable[Row]) -> None:
    text, number = ws.write_string, ws.write_number
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    text(r, c, neutralise(value))
            elif value is not None:
                number(r, c, value)


def build_csv(sheet: Sheet) -> bytes:
    """The member sheet as CSV, UTF-8 with a BOM so that Excel reads the Vietnamese right."""
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in sheet.header])
    writer.writerows([neutralise(c) for c in row] for row in sheet.rows)
    return out.getvalue().encode("utf-8")


def build_files(data: ExportData) -> ExportFiles:
    return ExportFiles(
        build_xlsx(data),
        build_csv(data.members),
        data.stem,
        data.directives,
        len(data.members.rows),
    )


async def export(
    session: AsyncSession,
    directives: Sequence[Directive],
    roots: Sequence[Unit],
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
    *,
    label: str,
    actor: str,
) -> ExportFiles:
    """Fetch the rows, build the files off the event loop, and audit the export."""
    files = await build_export(session, directives, roots, now, tz, t, label=label)
    await record_export(session, files, roots, now, label=label, actor=actor)
    return files


async def build_export(
    session: AsyncSession,
    directives: Sequence[Directive],
    roots: Sequence[Unit],
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
    *,
    label: str,
) -> ExportFiles:
    """Fetch the rows and build the files off the event loop (reads only)."""
    data = await collect(session, directives, roots, now, tz, t, label)
    return await asyncio.to_thread(build_files, data)


async def record_export(
    session: AsyncSession,
    files: ExportFiles,
    roots: Sequence[Unit],
    now: datetime,
    *,
    label: str,
    actor: str,
) -> None:
    """The export in the audit log (before anyone holds the files)."""
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="export",
            subject=label,
            detail={
                "directives": files.directives,
                "units": [r.code for r in roots],
                "members": files.members,
            },
        )
    )
    await session.flush()
