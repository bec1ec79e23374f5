"""/pending at province scale: the bisecting layout gives exactly the lines the name-by-name
one gave, and the grouped report reads every list whole (the pages must read the same, only
faster)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Texts, Translator
from bot.services.pending import HeldByContent, PendingReport, UnitPending, pending_report
from bot.services.pending_text import (
    _name_lines,
    render_page,
    render_pages,
    unit_block,
)
from bot.services.tg_text import html_len, tg_len
from storage.db import reading, transaction
from storage.models import Confirmation, Directive, DirectiveTarget, Member, Membership, Unit

T = Texts().for_lang("vi")


def _names_lines(t: Translator, key: str, names: list[str], width: int = 500) -> list[str]:
    """The lines of one list as they are sent."""
    return [line.html() for line in _name_lines(t, key, names, width)]


def name_by_name(key: str, names: list[str], width: int) -> list[str]:
    """The layout name by name: each name added to the line while it fits (as Telegram
    counts the line: an escaped name counts as the name)."""
    head = T(key, count=len(names))
    lines, current = [], f"   {head}: "
    size = tg_len(current)
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else "")
        piece_size = tg_len(piece)
        if size + piece_size > width:
            lines.append(current.rstrip())
            current = "      "
            size = tg_len(current)
        current += html.escape(piece)
        size += piece_size
    lines.append(current.rstrip())
    return lines


NAMES = st.lists(
    st.one_of(
        st.sampled_from(["Nguyễn Văn An", "Lê Thị Bình", "Đỗ Ư", "A&B <x>", "😀 Emoji", "", " "]),
        st.text(max_size=40),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(names=NAMES, width=st.integers(min_value=0, max_value=120))
def test_bisecting_layout_gives_the_same_lines(names: list[str], width: int) -> None:
    for key in ("pending-missing-received", "pending-not-using"):
        assert _names_lines(T, key, names, width) == name_by_name(key, names, width)


@settings(max_examples=300, deadline=None)
@given(
    names=NAMES,
    width=st.integers(min_value=0, max_value=120),
    unit_name=st.text(max_size=30),
    code=st.text(max_size=10),
)
def test_each_line_is_measured_as_telegram_counts_it(
    names: list[str], width: int, unit_name: str, code: str
) -> None:
    """Pages are cut by sizes computed while laying out (no line is parsed to be measured):
    each equals the line's length after entity parsing."""
    for key in ("pending-missing-received", "pending-not-using"):
        for line in _name_lines(T, key, names, width):
            assert line.size == html_len(line.html())
    unit = UnitPending(unit_name, code, 2, 3, 1, 0, names, names[:3], names[3:])
    for line in unit_block(T, unit, True, 1):
        assert line.size == html_len(line.html())


def test_a_province_of_names_wraps_the_same() -> None:
    names = [f"Đảng viên Thứ {i}" for i in range(5000)]
    assert _names_lines(T, "pending-missing-received", names) == name_by_name(
        "pending-missing-received", names, 500
    )


async def test_report_lists_names_and_a_name_holding_the_separator(sessions: Any) -> None:
    """The grouped statement strings each list's names together; a name holding the
    separator makes its list read row by row, and still reads whole."""
    async with transaction(sessions) as s:
        s.add_all(
            [
                Unit(id=1, code="P", name="Tỉnh", kind="province", path="/1/", join_token="a"),
                Unit(
                    id=2,
                    code="C",
                    name="Chi bộ",
                    kind="cell",
                    parent_id=1,
                    path="/1/2/",
                    depth=1,
                    join_token="b",
                ),
            ]
        )
        people = {
            "Lê Văn Bình": 11,
            "Nguyễn\x1fAn": 12,  # the separator inside a name
            "Trần Thị Cúc": None,  # not using the bot
            "Phạm Dũng": 14,  # received only
            "Đỗ Em": 15,  # studied
        }
        await s.flush()
        for i, (name, tg) in enumerate(people.items(), start=1):
            s.add(Member(id=i, telegram_id=tg, full_name=name))
        await s.flush()
        s.add_all(Membership(member_id=i, unit_id=2) for i in range(1, len(people) + 1))
        directive = Directive(
            number="1", title="T", issuer="I", requires_study=True, status="published"
        )
        s.add(directive)
        await s.flush()
        s.add(DirectiveTarget(directive_id=directive.id, unit_id=1))
        at = datetime(2027, 1, 1, tzinfo=UTC)
        s.add(Confirmation(directive_id=directive.id, member_id=4, kind="received", at=at))
        s.add(Confirmation(directive_id=directive.id, member_id=5, kind="studied", at=at))
        directive_id = directive.id
    async with reading(sessions) as s:
        loaded = await s.get(Directive, directive_id)
        root = await s.get(Unit, 1)
        assert loaded is not None and root is not None
        report = await pending_report(s, loaded, [root])
    [cell] = report.units
    assert (cell.total, cell.received, cell.studied) == (5, 1, 1)
    assert cell.missing_received == ["Nguyễn\x1fAn", "Lê Văn Bình"]  # by given name
    assert cell.missing_studied == ["Phạm Dũng"]
    assert cell.not_using == ["Trần Thị Cúc"]


@settings(max_examples=60, deadline=None)
@given(
    lists=st.lists(st.tuples(NAMES, NAMES, NAMES), min_size=1, max_size=12),
    page=st.integers(min_value=0, max_value=40),
)
def test_the_page_shown_is_the_page_of_the_whole_layout(
    lists: list[tuple[list[str], list[str], list[str]]], page: int
) -> None:
    """The bot writes out only the page asked for: it reads exactly as that page of the
    whole answer, with the same count of pages (a page past the last: the last)."""
    directive = Directive(
        id=7, number="12-CV/<T>", title="A & B", issuer="I", requires_study=True,
        status="published",
    )  # fmt: skip
    units = [
        UnitPending(f"C{i}", f"Chi bộ <{i}>", 1 + i % 3, 40, 1, 0, *names)
        for i, names in enumerate(lists)
    ]
    everything = render_pages(T, PendingReport(directive, units))
    assert render_page(T, PendingReport(directive, units), page) == (
        everything[min(page, len(everything) - 1)],
        len(everything),
    )
    assert all(html_len(text) <= 4096 for text in everything)


def test_what_is_held_by_content_is_bounded_and_made_once() -> None:
    held: HeldByContent[str, list[str]] = HeldByContent(limit=5)
    made: list[str] = []

    def make(text: str) -> list[str]:
        made.append(text)
        return text.split(",")

    assert held.get("a,b", lambda: make("a,b"), 2) == ["a", "b"]
    assert held.get("a,b", lambda: make("a,b"), 2) == ["a", "b"]
    assert made == ["a,b"]  # the same content: made once
    held.get("c,d,e", lambda: make("c,d,e"), 3)
    held.get("f", lambda: make("f"), 1)  # past the limit of names: starts afresh
    held.get("a,b", lambda: make("a,b"), 2)
    assert made == ["a,b", "c,d,e", "f", "a,b"]


async def test_a_report_asked_again_reads_the_same_and_owns_its_lists(sessions: Any) -> None:
    """Lists held from the last answer are copied into each report: changing one answer's
    list changes neither what is held nor the next answer."""
    async with transaction(sessions) as s:
        s.add(Unit(id=1, code="P", name="Tỉnh", kind="province", path="/1/", join_token="a"))
        for i, name in enumerate(["Lê Văn Bình", "Nguyễn An", "Trần Cúc"], start=1):
            s.add(Member(id=i, telegram_id=100 + i, full_name=name))
        await s.flush()
        s.add_all(Membership(member_id=i, unit_id=1) for i in range(1, 4))
        directive = Directive(number="1", title="T", issuer="I", status="published")
        s.add(directive)
        await s.flush()
        s.add(DirectiveTarget(directive_id=directive.id, unit_id=1))
        directive_id = directive.id
    reports = []
    for _ in range(2):
        async with reading(sessions) as s:
            loaded, root = await s.get(Directive, directive_id), await s.get(Unit, 1)
            assert loaded is not None and root is not None
            reports.append(await pending_report(s, loaded, [root]))
            if len(reports) == 1:
                first = render_pages(T, reports[0])
                reports[0].units[0].missing_received.append("Kẻ Lạ")
            else:
                assert render_pages(T, reports[1]) == first
    assert reports[1].units[0].missing_received == ["Nguyễn An", "Lê Văn Bình", "Trần Cúc"]
