"""/reports <number>: which units submitted their report for the current cycle (with the text,
bounded, or the file) and which did not, as pages within Telegram's limits.

The current cycle is the one being collected: the first whose deadline has not passed; once
every deadline has passed, the last one.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.exports import local_time
from bot.services.tg_text import html_len, truncate
from storage import queries
from storage.models import Directive, ReportCycle, Unit

PAGE_LIMIT = 3800  # Telegram's units (tg_text); leaves room for the page line under 4096
TEXT_SHOWN = 300  # characters of a submitted report shown in the list


@dataclass(frozen=True)
class UnitReport:
    cycle_id: int
    code: str
    name: str
    submitted_at: datetime | None
    text: str | None
    document_name: str | None
    has_file: bool


@dataclass
class ReportsView:
    directive: Directive
    cycle: int | None  # None: the directive asks no report of these units
    due_at: datetime | None
    submitted: list[UnitReport] = field(default_factory=list)
    missing: list[UnitReport] = field(default_factory=list)

    @property
    def files(self) -> list[UnitReport]:
        return [r for r in self.submitted if r.has_file]


async def current_cycle(
    session: AsyncSession, directive_id: int, now: datetime
) -> tuple[int, datetime] | None:
    """The cycle being collected and its deadline (one grouped query)."""
    stmt = (
        select(ReportCycle.cycle, func.min(ReportCycle.due_at))
        .where(ReportCycle.directive_id == directive_id)
        .group_by(ReportCycle.cycle)
        .order_by(ReportCycle.cycle)
    )
    cycles = [(c, due) for c, due in await session.execute(stmt)]
    if not cycles:
        return None
    return next(((c, due) for c, due in cycles if due >= now), cycles[-1])


async def unit_reports(
    session: AsyncSession, directive: Directive, roots: Sequence[Unit], now: datetime
) -> ReportsView:
    """The units of ``roots``' sub-trees that owe the current cycle, submitted or not."""
    found = await current_cycle(session, directive.id, now)
    if found is None:
        return ReportsView(directive, None, None)
    cycle, due = found
    stmt = (
        select(
            ReportCycle.id,
            Unit.code,
            Unit.name,
            ReportCycle.submitted_at,
            ReportCycle.text,
            ReportCycle.document_name,
            ReportCycle.document_file_id,
        )
        .join(Unit, Unit.id == ReportCycle.unit_id)
        .where(
            ReportCycle.directive_id == directive.id,
            ReportCycle.cycle == cycle,
            queries.in_subtrees(roots),
        )
        .order_by(Unit.path)
    )
    view = ReportsView(directive, cycle, due)
    for cid, code, name, at, text, doc_name, file_id in await session.execute(stmt):
        row = UnitReport(cid, code, name, at, text, doc_name, file_id is not None)
        (view.missing if at is None else view.submitted).append(row)
    return view


async def report_file(
    session: AsyncSession, cycle_id: int, roots: Sequence[Unit]
) -> tuple[str, str | None] | None:
    """The stored file of a submitted report (file id, name) if it lies in ``roots``."""
    stmt = (
        select(ReportCycle.document_file_id, ReportCycle.document_name)
        .join(Unit, Unit.id == ReportCycle.unit_id)
        .where(
            ReportCycle.id == cycle_id,
            ReportCycle.document_file_id.is_not(None),
            queries.in_subtrees(roots),
        )
    )
    row = (await session.execute(stmt)).first()
    return None if row is None or row[0] is None else (row[0], row[1])


def _block(t: Translator, r: UnitReport, tz: ZoneInfo, files: dict[int, int]) -> list[str]:
    lines = [
        t(
            "reports-unit-done",
            unit=html.escape(r.name),
            code=html.escape(r.code),
            when=local_time(r.submitted_at, tz),
        )
    ]
    if r.text:
        lines.append(f"<i>{html.escape(truncate(r.text, TEXT_SHOWN))}</i>")
    if r.has_file:
        lines.append(
            t("reports-unit-file", name=html.escape(r.document_name or ""), n=files[r.cycle_id])
        )
    return lines


def render_pages(t: Translator, view: ReportsView, tz: ZoneInfo) -> list[tuple[str, list[int]]]:
    """Pages of HTML, each with the report cycles whose files it lists (for its buttons)."""
    d = view.directive
    header = [t("reports-title", number=html.escape(d.number))]
    if view.cycle is None or view.due_at is None:
        return [("\n".join([*header, t("reports-none-owed")]), [])]
    total = len(view.submitted) + len(view.missing)
    header.append(
        t(
            "reports-summary",
            cycle=view.cycle + 1,
            due=local_time(view.due_at, tz),
            done=len(view.submitted),
            total=total,
        )
    )
    files = {r.cycle_id: i for i, r in enumerate(view.files, start=1)}
    blocks: list[tuple[list[str], int | None]] = []
    for r in view.submitted:
        blocks.append((_block(t, r, tz, files), r.cycle_id if r.has_file else None))
    if view.missing:
        blocks.append(([t("reports-missing-head", count=len(view.missing))], None))
        blocks.extend(
            ([f"⏳ {html.escape(r.name)} ({html.escape(r.code)})"], None) for r in view.missing
        )
    room = PAGE_LIMIT - sum(html_len(h) + 1 for h in header) - 40
    pages: list[tuple[list[str], list[int]]] = [([], [])]
    size = 0
    for lines, file_cycle in blocks:
        block_size = sum(html_len(line) + 1 for line in lines) + 1
        if size + block_size > room and pages[-1][0]:
            pages.append(([], []))
            size = 0
        pages[-1][0].extend([*lines, ""])
        if file_cycle is not None:
            pages[-1][1].append(file_cycle)
        size += block_size
    out = []
    for i, (lines, cycles) in enumerate(pages, start=1):
        footer = [t("pending-page", page=i, pages=len(pages))] if len(pages) > 1 else []
        out.append(("\n".join([*header, "", *lines, *footer]).strip(), cycles))
    return out
