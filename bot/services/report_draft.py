"""The report the provincial office writes by hand, drafted: ``chithi report-draft`` and the
admins' /report_draft.

A DOCX (python-docx) in the layout of a Vietnamese party report: the title block (the party
committee and the issuing body on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" on the right, the number
and the place and date), the title, "I. Tình hình triển khai", "II. Kết quả cụ thể" (the
share of members who studied it overall and per level, the table by unit, the documents each
level issued), "III. Đánh giá chung" left for the office, and the signature block. Every
figure comes from one roll-up (:mod:`bot.services.rollup`); the document is built from plain
values in a thread.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.render import format_date, kind_name
from bot.services.rollup import Figures, Rollup, rollup, tree_order
from storage.models import AuditEvent, Directive, Unit

FONT = "Times New Roman"
TABLE_DEPTH = 1  # the table lists the root and the units right under it (districts)


def percent(part: int, whole: int) -> str:
    """``55,0`` (Vietnamese decimal comma); a dash for an empty unit."""
    share = Figures.share(part, whole)
    return "—" if share is None else f"{share:.1f}".replace(".", ",")


@dataclass
class Issued:
    level: int
    unit: str
    kind: str
    number: str
    title: str
    issued_on: date | None


@dataclass
class DraftData:
    """Plain values for the document (no database objects: built in a thread)."""

    texts: dict[str, str]
    table: list[tuple[str, int, int, int, str]]
    levels: list[str]
    issued: list[str] = field(default_factory=list)


async def _issued(session: AsyncSession, directive: Directive, root: Unit) -> list[Issued]:
    """Documents units of the sub-tree issued to carry the directive out: one query."""
    stmt = (
        select(
            Unit.depth,
            Unit.name,
            Directive.kind,
            Directive.number,
            Directive.title,
            Directive.issued_on,
        )
        .join(Unit, Unit.id == Directive.issuer_unit_id)
        .where(Directive.parent_id == directive.id, Unit.path.startswith(root.path))
        .order_by(Unit.depth, Unit.path, Directive.id)
    )
    return [
        Issued(depth - root.depth, name, kind, number, title, on)
        for depth, name, kind, number, title, on in await session.execute(stmt)
    ]


def compose(
    t: Translator,
    result: Rollup,
    root: Unit,
    issued: list[Issued],
    now: datetime,
    tz: ZoneInfo,
) -> DraftData:
    d = result.directive
    kind = kind_name(t, d.kind)
    total = result.root
    today = now.astimezone(tz).date()
    published = d.published_at.astimezone(tz).date() if d.published_at else d.issued_on
    texts = {
        "party": t("draft-party"),
        "body": root.name.upper(),
        "number": t("draft-number"),
        "place-date": t(
            "draft-place-date",
            day=f"{today.day:02d}",
            month=f"{today.month:02d}",
            year=str(today.year),
        ),
        "country": t("draft-country"),
        "title": t("draft-title"),
        "subtitle": t("draft-subtitle", kind=kind.lower(), number=d.number),
        "about": d.title,
        "section-1": t("draft-section-1"),
        "deployment": t(
            "draft-deployment",
            date=format_date(published) if published else "…",
            issuer=d.issuer,
            kind=kind,
            number=d.number,
            title=d.title,
            units=sum(1 for f in result.units.values() if f.members),
            members=total.members,
        ),
        "section-2": t("draft-section-2"),
        "overall": t(
            "draft-overall",
            members=total.members,
            received=total.received,
            received_pct=percent(total.received, total.members),
            studied=total.studied,
            studied_pct=percent(total.studied, total.members),
        ),
        "how": t(
            "draft-how",
            press=total.studied_by["press"],
            meeting=total.studied_by["meeting"],
            behalf=total.studied_by["behalf"],
        ),
        "levels-head": t("draft-levels-head"),
        "table-head": t("draft-table-head"),
        "col-unit": t("draft-col-unit"),
        "col-members": t("draft-col-members"),
        "col-received": t("draft-col-received"),
        "col-studied": t("draft-col-studied"),
        "col-pct": t("draft-col-pct"),
        "issued-head": t("draft-issued-head"),
        "issued-none": t("draft-issued-none"),
        "section-3": t("draft-section-3"),
        "assessment": t("draft-assessment"),
        "recipients": t("draft-recipients"),
        "sign-for": t("draft-sign-for"),
        "sign-title": t("draft-sign-title"),
        "sign-name": t("draft-sign-name"),
    }
    levels = []
    for level in result.levels()[1:]:
        counted = [f for f in level if f.members]
        if not counted:
            continue
        members = sum(f.members for f in counted)
        studied = sum(f.studied for f in counted)
        done = sum(1 for f in counted if f.studied == f.members)
        levels.append(
            t(
                "draft-level",
                level=level[0].depth + root.depth + 1,
                units=len(counted),
                members=members,
                studied=studied,
                pct=percent(studied, members),
                done=done,
            )
        )
    table = []
    for f in sorted(result.units.values(), key=tree_order):
        if f.depth > TABLE_DEPTH or (f.depth and not f.members):
            continue
        table.append(
            (
                f.name,
                f.members,
                f.received,
                f.studied,
                percent(f.studied if d.requires_study else f.received, f.members),
            )
        )
    data = DraftData(texts, table, levels)
    for depth in sorted({i.level for i in issued}):
        data.issued.append(t("draft-issued-level", level=depth + root.depth + 1))
        data.issued.extend(
            t(
                "draft-issued-item",
                unit=i.unit,
                kind=kind_name(t, i.kind),
                number=i.number,
                date=format_date(i.issued_on) if i.issued_on else "…",
                title=i.title,
            )
            for i in issued
            if i.level == depth
        )
    return data


# -- the document (plain values in, bytes out: run in a thread) ------------------------------


def _para(
    container: object,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = 13,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    paragraph.paragraph_format.space_after = Pt(3)
    return paragraph


def build_docx(data: DraftData) -> bytes:
    x = data.texts
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].text = ""
    _para(left, x["party"], size=13, align=center)
    _para(left, x["body"], bold=True, size=13, align=center)
    _para(left, "*", align=center)
    _para(left, x["number"], align=center)
    _para(right, x["country"], bold=True, underline=True, size=14, align=center)
    _para(right, x["place-date"], italic=True, align=center)

    _para(doc, "")
    _para(doc, x["title"], bold=True, size=15, align=center)
    _para(doc, x["subtitle"], bold=True, size=14, align=center)
    _para(doc, x["about"], italic=True, align=center)
    _para(doc, "-----", align=center)

    _para(doc, x["section-1"], bold=True)
    _para(doc, x["deployment"], indent=True)
    _para(doc, x["assessment"], indent=True)

    _para(doc, x["section-2"], bold=True)
    _para(doc, x["overall"], indent=True)
    _para(doc, x["how"], indent=True)
    _para(doc, x["levels-head"], indent=True)
    for line in data.levels:
        _para(doc, line, indent=True)
    _para(doc, x["table-head"], indent=True)
    header = [x["col-unit"], x["col-members"], x["col-received"], x["col-studied"], x["col-pct"]]
    table = doc.add_table(rows=1 + len(data.table), cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row, values in zip(table.rows[1:], data.table, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = str(value)
    _para(doc, "")
    _para(doc, x["issued-head"], indent=True)
    for line in data.issued or [x["issued-none"]]:
        _para(doc, line, indent=True)

    _para(doc, x["section-3"], bold=True)
    for _ in range(4):
        _para(doc, x["assessment"], indent=True)

    sign = doc.add_table(rows=1, cols=2)
    recipients, signer = sign.rows[0].cells
    for i, line in enumerate(x["recipients"].split("\n")):
        _para(recipients, line, bold=i == 0, italic=i == 0, size=12 if i == 0 else 11)
    _para(signer, x["sign-for"], bold=True, align=center)
    _para(signer, x["sign-title"], bold=True, align=center)
    for _ in range(3):
        _para(signer, "", align=center)
    _para(signer, x["sign-name"], italic=True, align=center)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def build_report_draft(
    session: AsyncSession,
    directive: Directive,
    root: Unit,
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
    *,
    actor: str | None = None,
) -> bytes:
    """The DOCX draft of the report on ``directive`` for ``root``'s sub-tree; audited when
    someone (``actor``) asked for it."""
    result = await rollup(session, directive, root, now)
    issued = await _issued(session, directive, root)
    data = compose(t, result, root, issued, now, tz)
    document = await asyncio.to_thread(build_docx, data)
    if actor is not None:  # written after the build: SQLite's write lock is held briefly
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action="report-draft",
                subject=directive.number,
                detail={"unit": root.code},
            )
        )
        await session.flush()
    return document


def draft_name(directive: Directive) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in directive.number)
    return f"bao-cao-{safe}.docx"
