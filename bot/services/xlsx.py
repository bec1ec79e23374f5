"""A minimal XLSX writer for plain tables: text, numbers and empty cells, no styles.

What the exports need from a workbook, and fast: openpyxl's write-only mode builds a cell object
and an XML element for every value (about 10 µs a cell on a busy 2-core machine: a province's
350,000 cells took seconds); here a row is one formatted string. Text is written inline
(``t="inlineStr"``, as openpyxl writes it too), so there is no shared-strings table to keep.
The files are what openpyxl, Excel and LibreOffice read: the package parts of ECMA-376 with the
least content (workbook, one worksheet a sheet, a minimal stylesheet, the relationships).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

Cell = str | int | float | None

# Characters XML 1.0 does not allow (and the three it escapes): a text needing either is
# rewritten; the common text matches nothing and is written as it is.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_A_WRITE = 2_000  # rows formatted before a write to the zip stream

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _text(value: str) -> str:
    if _SPECIAL.search(value) is not None:
        value = escape(_ILLEGAL.sub("", value))
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _row(number: int, row: Sequence[Cell], columns: Sequence[str]) -> str:
    cells = []
    for column, value in zip(columns, row, strict=False):
        if value is None or value == "":
            continue  # an empty cell is no cell
        if isinstance(value, str):
            cells.append(f'<c r="{column}{number}" t="inlineStr"><is>{_text(value)}</is></c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{column}{number}" t="b"><v>{int(value)}</v></c>')
        else:
            cells.append(f'<c r="{column}{number}"><v>{value!r}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _write_sheet(out: zipfile.ZipFile, name: str, rows: Iterable[Sequence[Cell]]) -> None:
    columns: list[str] = []
    with out.open(name, "w") as part:
        part.write(f'{_DECLARATION}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        batch: list[str] = []
        for number, row in enumerate(rows, start=1):
            while len(columns) < len(row):
                columns.append(get_column_letter(len(columns) + 1))
            batch.append(_row(number, row, columns))
            if len(batch) >= _ROWS_A_WRITE:
                part.write("".join(batch).encode())
                batch.clear()
        part.write("".join(batch).encode())
        part.write(b"</sheetData></worksheet>")


def workbook(sheets: Sequence[tuple[str, Iterable[Sequence[Cell]]]]) -> bytes:
    """The XLSX file of ``sheets`` (title, rows; the first row is the header, as any other)."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        out.writestr(
            "[Content_Types].xml",
            f"{_DECLARATION}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        out.writestr(
            "_rels/.rels",
            f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, (title, _rows) in enumerate(sheets, start=1)
        )
        out.writestr(
            "xl/workbook.xml",
            f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        out.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}">{links}'
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        out.writestr(
            "xl/styles.xml",
            f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>",
        )
        for i, (_title, rows) in enumerate(sheets, start=1):
            _write_sheet(out, f"xl/worksheets/sheet{i}.xml", rows)
    return buffer.getvalue()
