"""The /pending answer as pages of HTML lines, each page within Telegram's text limit."""

from __future__ import annotations

import html
from bisect import bisect_right
from itertools import accumulate

from bot.i18n import RepeatingTranslator, Translator
from bot.services.pending import PendingReport, UnitPending
from bot.services.render import closed_note
from bot.services.tg_text import html_len, tg_len

PAGE_LIMIT = 3800  # Telegram's units (tg_text); leaves room for the page line under 4096


def _percent(part: int, total: int) -> int:
    return round(100 * part / total) if total else 100


def _escaped(names: list[str]) -> list[str]:
    """``html.escape`` of each name, done in one pass over the joined list (a province lists
    tens of thousands); name by name when a name holds the joint."""
    if not names:
        return []
    pieces = html.escape("\n".join(names)).split("\n")
    return pieces if len(pieces) == len(names) else [html.escape(name) for name in names]


def _names_lines(t: Translator, key: str, names: list[str], width: int = 500) -> list[str]:
    """``Chưa nhận (3): A, B, C`` wrapped into lines that fit a page: a name goes on the line
    while the line stays within ``width`` (the first name of a continuation line always)."""
    return [line for line, _ in _sized_names_lines(t, key, names, width)]


def _sized_names_lines(
    t: Translator, key: str, names: list[str], width: int = 500
) -> list[tuple[str, int]]:
    """The lines of :func:`_names_lines`, each with its size as Telegram counts it (after
    entity parsing: an escaped name counts as the name).

    A province lists tens of thousands of names: the breaks are found by bisecting running
    sizes (C loops), not by growing each line name by name, and no line is parsed to be
    measured."""
    head = f"   {t(key, count=len(names))}: "
    last = len(names) - 1
    pieces = [name + (", " if i < last else "") for i, name in enumerate(_escaped(names))]
    raw = [name + (", " if i < last else "") for i, name in enumerate(names)]
    everything = "".join(pieces)
    measure = len if tg_len(everything) == len(everything) else tg_len  # no astral chars
    ends = [0, *accumulate(map(measure, pieces))]  # ends[k]: the size of the first k
    shown = [0, *accumulate(map(measure, raw))]  # the same, as Telegram counts them
    lines = []
    at, prefix, fewest = 0, head, 0  # the heading's line may hold no name
    while True:
        # The most pieces from ``at`` that fit beside ``prefix``.
        end = bisect_right(ends, ends[at] + width - tg_len(prefix)) - 1
        end = max(end, at + fewest)
        line = prefix + "".join(pieces[at:end])
        kept = line.rstrip()  # escaping leaves white space alone: the same on both sides
        size = html_len(prefix) + shown[end] - shown[at] - (len(line) - len(kept))
        lines.append((kept, size))
        if end >= len(pieces):
            return lines
        at, prefix, fewest = end, "      ", 1


def unit_block(
    t: Translator, unit: UnitPending, requires_study: bool, top_depth: int = 0
) -> list[tuple[str, int]]:
    """The unit's lines, each with its size as Telegram counts it."""
    indent = "  " * max(0, unit.depth - top_depth)
    counts = (
        t(
            "pending-unit-counts-both",
            received=unit.received,
            studied=unit.studied,
            total=unit.total,
        )
        if requires_study
        else t("pending-unit-counts", received=unit.received, total=unit.total)
    )
    done = not (
        unit.missing_received or unit.not_using or (requires_study and unit.missing_studied)
    )
    mark = "✅" if done else "⏳"
    first = f"{indent}{mark} <b>{html.escape(unit.name)}</b> ({html.escape(unit.code)}): "
    shown = tg_len(f"{indent}{mark} {unit.name} ({unit.code}): ")  # as Telegram shows it
    lines = [(first + counts, shown + html_len(counts))]
    if unit.missing_received:
        lines += _sized_names_lines(t, "pending-missing-received", unit.missing_received)
    if requires_study and unit.missing_studied:
        lines += _sized_names_lines(t, "pending-missing-studied", unit.missing_studied)
    if unit.not_using:  # to reach in person or by phone
        lines += _sized_names_lines(t, "pending-not-using", unit.not_using)
    return lines


def render_pages(t: Translator, report: PendingReport) -> list[str]:
    t = RepeatingTranslator(t)  # the same counts and headings for a thousand units
    d = report.directive
    header = [t("pending-title", number=html.escape(d.number)), f"<i>{html.escape(d.title)}</i>"]
    note = closed_note(t, d)
    if note:
        header.append(note)
    total = report.total
    if d.requires_study:
        header.append(
            t(
                "pending-overall-both",
                received=report.received,
                studied=report.studied,
                total=total,
                received_pct=_percent(report.received, total),
                studied_pct=_percent(report.studied, total),
            )
        )
    else:
        header.append(
            t(
                "pending-overall",
                received=report.received,
                total=total,
                received_pct=_percent(report.received, total),
            )
        )
    if not report.units:
        return ["\n".join([*header, "", t("pending-no-members")])]
    top = min(u.depth for u in report.units)
    room = PAGE_LIMIT - sum(html_len(h) + 1 for h in header) - 40
    pages: list[list[str]] = [[]]
    size = 0
    for unit in report.units:
        block = unit_block(t, unit, d.requires_study, top)
        for line, shown in block:
            line_size = shown + 1
            if size + line_size > room:
                pages.append([])
                size = 0
            pages[-1].append(line)
            size += line_size
        pages[-1].append("")
        size += 1
    out = []
    for i, lines in enumerate(pages, start=1):
        footer = [t("pending-page", page=i, pages=len(pages))] if len(pages) > 1 else []
        out.append("\n".join([*header, "", *lines, *footer]).strip())
    return out
