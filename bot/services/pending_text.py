"""The /pending answer as pages of HTML lines, each page within Telegram's text limit."""

from __future__ import annotations

import html
from bisect import bisect_right
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import NamedTuple

from bot.i18n import RepeatingTranslator, Translator
from bot.services.pending import HeldByContent, PendingReport, UnitPending
from bot.services.render import closed_note
from bot.services.tg_text import html_len, tg_len

PAGE_LIMIT = 3800  # Telegram's units (tg_text); leaves room for the page line under 4096


def _percent(part: int, total: int) -> int:
    return round(100 * part / total) if total else 100


class _Line(NamedTuple):
    """One line of the answer, escaped only when its page is shown: ``markup`` (safe HTML)
    then ``plain`` (text, escaped on the way out); ``size`` as Telegram counts the line."""

    markup: str
    plain: str
    size: int

    def html(self) -> str:
        return self.markup + html.escape(self.plain)


_LINES: HeldByContent[tuple[str, str, int, tuple[str, ...]], list[_Line]] = HeldByContent()


def _name_lines(t: Translator, key: str, names: list[str], width: int = 500) -> list[_Line]:
    """``Chưa nhận (3): A, B, C`` wrapped into lines that fit a page, measured and not yet
    escaped (held: a unit's list that has not changed is not laid out again)."""
    made = partial(_lay_out_names, t, key, names, width)
    return _LINES.get((t.lang, key, width, tuple(names)), made, len(names))


def _lay_out_names(t: Translator, key: str, names: list[str], width: int) -> list[_Line]:
    """The lines of :func:`_name_lines`: a name goes on the line while the line stays within
    ``width`` (Telegram's units; the first name of a continuation line always).

    A province lists tens of thousands of names: the breaks are found by bisecting running
    sizes (C loops), not by growing each line name by name; no line is parsed to be measured
    and only the page shown is escaped."""
    head = f"   {t(key, count=len(names))}: "
    last = len(names) - 1
    pieces = [name + (", " if i < last else "") for i, name in enumerate(names)]
    everything = "".join(pieces)
    measure = len if tg_len(everything) == len(everything) else tg_len  # no astral chars
    ends = [0, *accumulate(map(measure, pieces))]  # ends[k]: the size of the first k
    lines = []
    at, prefix, fewest = 0, head, 0  # the heading's line may hold no name
    while True:
        # The most pieces from ``at`` that fit beside ``prefix``.
        end = bisect_right(ends, ends[at] + width - tg_len(prefix)) - 1
        end = max(end, at + fewest)
        plain = "".join(pieces[at:end]).rstrip()
        markup = prefix if plain else prefix.rstrip()  # the line ends where its text does
        lines.append(_Line(markup, plain, html_len(markup) + measure(plain)))
        if end >= len(pieces):
            return lines
        at, prefix, fewest = end, "      ", 1


def unit_block(
    t: Translator, unit: UnitPending, requires_study: bool, top_depth: int = 0
) -> list[_Line]:
    """The unit's lines: its heading, then each list of names."""
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
    lines = [_Line(first + counts, "", shown + html_len(counts))]
    if unit.missing_received:
        lines += _name_lines(t, "pending-missing-received", unit.missing_received)
    if requires_study and unit.missing_studied:
        lines += _name_lines(t, "pending-missing-studied", unit.missing_studied)
    if unit.not_using:  # to reach in person or by phone
        lines += _name_lines(t, "pending-not-using", unit.not_using)
    return lines


def render_pages(t: Translator, report: PendingReport) -> list[str]:
    """Every page of the answer (tests, benches: the bot shows one, see ``render_page``)."""
    layout = _layout(t, report)
    return [layout.page(i) for i in range(layout.count)]


def render_page(t: Translator, report: PendingReport, page: int) -> tuple[str, int]:
    """Page ``page`` (from 0; past the last: the last) of the answer, and how many pages it
    has. Every line is measured to find the pages; only the page shown is written out."""
    layout = _layout(t, report)
    return layout.page(min(page, layout.count - 1)), layout.count


@dataclass
class _Layout:
    t: Translator
    header: list[str]
    pages: list[list[_Line]]

    @property
    def count(self) -> int:
        return len(self.pages)

    def page(self, i: int) -> str:
        pages = self.count
        footer = [self.t("pending-page", page=i + 1, pages=pages)] if pages > 1 else []
        lines = [line.html() for line in self.pages[i]]
        return "\n".join([*self.header, "", *lines, *footer]).strip()


def _layout(t: Translator, report: PendingReport) -> _Layout:
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
        return _Layout(t, header, [[_Line(t("pending-no-members"), "", 0)]])
    top = min(u.depth for u in report.units)
    room = PAGE_LIMIT - sum(html_len(h) + 1 for h in header) - 40
    pages: list[list[_Line]] = [[]]
    size = 0
    gap = _Line("", "", 0)  # between units
    for unit in report.units:
        for line in unit_block(t, unit, d.requires_study, top):
            if size + line.size + 1 > room:
                pages.append([])
                size = 0
            pages[-1].append(line)
            size += line.size + 1
        pages[-1].append(gap)
        size += 1
    return _Layout(t, header, pages)
