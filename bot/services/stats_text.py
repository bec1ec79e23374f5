"""The /stats answers as HTML within one Telegram message: a unit's totals and a page of its
child units, worst first; the open directives of a sub-tree. Figures only, no names."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.rollup import Figures, Totals
from bot.services.stats import StatsView
from bot.services.tg_text import TEXT_LIMIT, html_len, truncate
from storage.models import Directive, Unit

PER_PAGE = 20  # child units per page (each line is bounded, so a page always fits)
NAME_ROOM = 48  # a unit's name in a line, in Telegram's units
TITLE_ROOM = 60  # a directive's title in the list
LISTED = 5  # forwarding documents and unforwarded units named in the head; the rest counted


def pct(t: Translator, value: float | None) -> str:
    """A share rounded down (99.6% is not yet 100%); "—" for a unit with nobody in it."""
    return t("stats-no-pct") if value is None else t("stats-pct", pct=math.floor(value))


def _name(text: str, room: int = NAME_ROOM) -> str:
    return html.escape(truncate(text, room))


def _report(t: Translator, f: Figures) -> str:
    if f.reports_owed == 0:
        return t("stats-report-none")
    if f.reports_done == f.reports_owed:
        return t("stats-report-done", done=f.reports_done, owed=f.reports_owed)
    return t("stats-report-missing", done=f.reports_done, owed=f.reports_owed)


def _totals(t: Translator, f: Figures, study: bool) -> list[str]:
    lines = [
        t(
            "stats-totals-both" if study else "stats-totals",
            members=f.members,
            received=f.received,
            received_pct=pct(t, f.received_pct),
            studied=f.studied,
            studied_pct=pct(t, f.studied_pct),
        )
    ]
    if study:
        lines.append(
            t(
                "stats-how",
                meeting=f.studied_by["meeting"],
                press=f.studied_by["press"],
                behalf=f.studied_by["behalf"],
            )
        )
    lines.append(t("stats-reports", report=_report(t, f), forwarded=f.forwarded))
    return lines


def _forwarding(t: Translator, view: StatsView) -> list[str]:
    """The documents issued in the sub-tree to carry the directive down, and (for one that
    must reach every cell) the units that have not forwarded it yet: a few named, the rest
    counted, so the head stays short."""
    lines = []
    if view.documents:
        named = [
            f"{html.escape(f.number)} ({_name(f.issuer, NAME_ROOM)})"
            for f in view.documents[:LISTED]
        ]
        rest = len(view.documents) - len(named)
        if rest:
            named.append(t("stats-documents-more", count=rest))
        lines.append(t("stats-documents", documents=", ".join(named)))
    left = unforwarded_line(t, view.unforwarded)
    return [*lines, left] if left else lines


def unforwarded_line(t: Translator, units: Sequence[Unit], listed: int = LISTED) -> str | None:
    """The roll-up's line naming the branches still to forward (None when there are none):
    the first ``listed`` named (names cut to ``NAME_ROOM``), the rest counted (HTML)."""
    if not units:
        return None
    named = [f"{_name(u.code)} ({_name(u.name)})" for u in units[:listed]]
    if len(units) > listed:
        named.append(t("stats-more", count=len(units) - listed))
    return t("forward-unforwarded", units=", ".join(named))


def child_line(t: Translator, rank: int, f: Figures, study: bool) -> str:
    if f.members == 0:
        return t("stats-child-empty", rank=rank, name=_name(f.name), code=_name(f.code))
    return t(
        "stats-child-both" if study else "stats-child",
        rank=rank,
        name=_name(f.name),
        code=_name(f.code),
        members=f.members,
        received_pct=pct(t, f.received_pct),
        studied_pct=pct(t, f.studied_pct),
        meeting=f.studied_by["meeting"],
        press=f.studied_by["press"] + f.studied_by["behalf"],
        report=_report(t, f),
        forwarded=f.forwarded,
    )


@dataclass
class StatsPage:
    text: str
    children: list[Figures]  # the child units shown on this page, in order
    page: int
    pages: int


def render_view(t: Translator, view: StatsView, page: int) -> StatsPage:
    """One page of a unit's figures: its totals, then its child units worst first (at most
    :data:`PER_PAGE`, as many as fit), "… và K đơn vị khác" below when more follow; always
    within one message. A page past the end shows the last."""
    r = view.rollup
    d, study = r.directive, r.directive.requires_study
    kids = r.children(view.unit.id)
    head = "\n".join(
        [
            t("stats-title", number=html.escape(d.number)),
            f"<i>{_name(d.title, TITLE_ROOM)}</i>",
            t("stats-unit", name=_name(view.unit.name), code=_name(view.unit.code)),
            *_totals(t, r.root, study),
            *_forwarding(t, view),
            "",
        ]
    )
    if not kids:
        return StatsPage("\n".join([head, t("stats-no-children")]), [], 0, 1)
    lines = [child_line(t, i + 1, f, study) for i, f in enumerate(kids)]
    tail_room = html_len(t("stats-more", count=len(kids))) + html_len(
        t("stats-page", page=len(kids), pages=len(kids))
    )
    room = TEXT_LIMIT - html_len(head) - html_len(t("stats-children")) - tail_room - 4
    bounds = _pack([html_len(line) + 1 for line in lines], room)
    page = max(0, min(page, len(bounds) - 1))
    start, end = bounds[page]
    tail = [t("stats-more", count=len(kids) - end)] if end < len(kids) else []
    if len(bounds) > 1:
        tail.append(t("stats-page", page=page + 1, pages=len(bounds)))
    text = "\n".join([head, t("stats-children"), *lines[start:end], *tail])
    return StatsPage(text, kids[start:end], page, len(bounds))


def _pack(sizes: list[int], room: int) -> list[tuple[int, int]]:
    """Pages as (start, end) of consecutive lines: at most :data:`PER_PAGE` lines and ``room``
    units each (a line is bounded, so one always fits)."""
    bounds: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if i > start and (i - start >= PER_PAGE or used + size > room):
            bounds.append((start, i))
            start, used = i, 0
        used += size
    bounds.append((start, len(sizes)))
    return bounds


def render_list(t: Translator, unit: Unit, items: list[tuple[Directive, Totals]]) -> str:
    """The open directives of ``unit``'s sub-tree, one line each with its completion."""
    title = t("stats-list-title", name=_name(unit.name), code=_name(unit.code))
    if not items:
        return "\n".join([title, "", t("stats-list-none")])
    lines = [title, ""]
    for d, n in items:
        received = Figures.share(n.received, n.members)
        studied = Figures.share(n.studied, n.members)
        lines.append(
            t(
                "stats-list-item-both" if d.requires_study else "stats-list-item",
                number=html.escape(d.number),
                title=_name(d.title, TITLE_ROOM),
                members=n.members,
                received_pct=pct(t, received),
                studied_pct=pct(t, studied),
            )
        )
    lines += ["", t("stats-list-hint")]
    return "\n".join(lines)
