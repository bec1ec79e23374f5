"""Rendering: long texts are split (never cut), deadlines shown in local time with the weekday,
/pending pages fit Telegram's limit and lose no name."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Texts
from bot.services import directive_rules as rules
from bot.services.pending import PendingReport, UnitPending
from bot.services.pending_text import render_pages
from bot.services.render import (
    COUNTERS_ROOM,
    TEXT_LIMIT,
    compose,
    format_deadline,
    render_directive,
)
from bot.services.tg_text import html_len, html_to_text
from sandbox.html import parse_html, utf16_len
from storage.models import Directive

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEXTS = Texts()
BUDGET = TEXT_LIMIT - COUNTERS_ROOM  # every part; the last one gets the counters line
CONTINUED = TEXTS.for_lang("vi")("directive-continued")


def _directive(body: str, **kw: object) -> Directive:
    d = Directive(
        id=7,
        number="CT-2022/TU",
        kind="CT",
        title="Chỉ thị <thử> & kiểm tra",
        issuer="Ban Thường vụ",
        issued_on=date(2022, 6, 1),
        body=body,
        links=[],
        attachments=[],
        requires_study=True,
        status="published",
    )
    for key, value in kw.items():
        setattr(d, key, value)
    return d


def _plain(part: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", part))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_short_directive_is_one_part_with_both_buttons(lang: str) -> None:
    t = TEXTS.for_lang(lang)
    rendered = render_directive(t, _directive("Nội dung ngắn."), TZ, abridge=False)
    assert len(rendered.parts) == 1
    assert [b["data"] for b in rendered.buttons[0]] == ["c:7:r", "c:7:s"]
    assert "Chỉ thị &lt;thử&gt; &amp; kiểm tra" in rendered.parts[0]  # escaped HTML


def test_long_body_is_split_at_paragraphs_and_nothing_is_lost() -> None:
    paragraphs = [f"Đoạn {i}: " + "cán bộ, đảng viên học tập & làm theo. " * 12 for i in range(60)]
    body = "\n".join(paragraphs)
    rendered = render_directive(TEXTS.for_lang("vi"), _directive(body), TZ, abridge=False)
    assert len(rendered.parts) > 3
    assert all(html_len(part) <= BUDGET for part in rendered.parts)
    joined = "\n".join(_plain(p) for p in rendered.parts)
    for paragraph in paragraphs:
        assert paragraph.strip() in joined
    assert rendered.parts[1].startswith("(tiếp theo)")


def test_one_enormous_line_is_cut_at_spaces_not_inside_entities() -> None:
    body = ("A&B " * 3000).strip()
    rendered = render_directive(TEXTS.for_lang("vi"), _directive(body), TZ, abridge=False)
    assert all(html_len(p) <= BUDGET for p in rendered.parts)
    assert all(not re.search(r"&(?![a-z]+;)", p) for p in rendered.parts)  # no broken &amp;
    assert "".join(_plain(p) for p in rendered.parts).count("A&B") == 3000


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", "17:00 Thứ Bảy, 20/02/2027"),
        ("en", "17:00 Saturday, 20/02/2027"),
    ],
)
def test_deadlines_show_local_time_and_weekday(lang: str, expected: str) -> None:
    moment = datetime(2027, 2, 20, 10, 0, tzinfo=UTC)
    assert format_deadline(TEXTS.for_lang(lang), moment, TZ) == expected


def test_pending_pages_fit_and_keep_every_name() -> None:
    units = []
    for u in range(40):
        names = [f"Nguyễn Văn Người{u:02d}x{i:02d}" for i in range(30)]
        units.append(
            UnitPending(
                code=f"C{u:02d}",
                name=f"Chi bộ {u}",
                depth=1,
                total=30,
                missing_received=names,
                missing_studied=names,
            )
        )
    report = PendingReport(_directive("x"), units)
    pages = render_pages(TEXTS.for_lang("vi"), report)
    assert len(pages) > 5
    assert all(len(p) <= 4096 for p in pages)
    everything = "\n".join(pages)
    for unit in units:
        for name in unit.missing_received:
            assert everything.count(name) == 2  # once as not received, once as not studied
    assert pages[0].endswith(f"Trang 1/{len(pages)}")


# -- any input: the splitting ends, every part fits, nothing is left out ------------------------


def _squash(text: str) -> str:
    return "".join(text.split())


def _shown_text(parts: list[str]) -> str:
    """What members read, parts one after the other, without the "(continued)" lines."""
    texts = [html_to_text(p) for p in parts]
    texts[1:] = [x.removeprefix(CONTINUED) for x in texts[1:]]
    return "".join(texts)


def _assert_parts_fit(parts: list[str]) -> None:
    for part in parts:
        assert html_len(part) <= BUDGET
        plain, _entities = parse_html(part)  # Telegram's parser accepts it (no cut tag/entity)
        assert 0 < utf16_len(plain) <= BUDGET
    counted = compose(
        {"text": parts[-1], "counters": "Đã nhận 99.999/99.999 · Đã học 99.999/99.999"}
    )
    assert html_len(counted) <= TEXT_LIMIT


def _render(title: str, issuer: str, body: str, links: list[dict[str, str]]) -> list[str]:
    d = _directive(body, title=title, issuer=issuer, links=links, number="1208-CV/BTGTU")
    return render_directive(TEXTS.for_lang("vi"), d, TZ, abridge=False).parts


@pytest.mark.timeout(20)
@pytest.mark.parametrize("chars", ['"&<', '"'])
def test_a_header_full_of_characters_that_grow_when_escaped_leaves_room_for_the_text(
    chars: str,
) -> None:
    """Issue 9 item 1: a title and issuer at the dialogue's limits, all '"', '&' and '<',
    split the text into 140 messages ('"&<': the escaped header left ~50 characters), or
    looped for ever ('"': no room at all). Now it ends, and the text starts in the first part."""
    title = (chars * rules.TITLE_MAX)[: rules.TITLE_MAX]
    issuer = (chars * rules.ISSUER_MAX)[: rules.ISSUER_MAX]
    body = "Nội dung & yêu cầu <quan trọng> " * 120
    parts = _render(title, issuer, body, [])
    _assert_parts_fit(parts)
    assert len(parts) == 2
    shown = _squash(_shown_text(parts))
    for text in (title, issuer, body):
        assert _squash(text) in shown


def test_ampersands_count_once_so_a_short_text_is_one_message() -> None:
    """'&amp;' is one character for Telegram: 3,500 '&' are one message, not six."""
    parts = _render("Tiêu đề", "Ban Tuyên giáo", "&" * 3500, [])
    assert len(parts) == 1
    assert html_to_text(parts[0]).count("&") == 3500


def test_the_largest_valid_header_leaves_most_of_the_first_message_to_the_text() -> None:
    """Fields at the rules' limits in the widest characters (emoji: two units each)."""
    d = _directive(
        "Nội dung.",
        number="Ư" * rules.NUMBER_MAX,
        title="😀" * rules.TITLE_MAX,
        issuer="😀" * rules.ISSUER_MAX,
    )
    [part] = render_directive(TEXTS.for_lang("vi"), d, TZ, abridge=False).parts
    assert html_len(part) <= BUDGET // 2


def _boundary_body(t_lang: str, extra: int) -> tuple[Directive, int]:
    """A directive of emoji (two units each) and '&' whose whole text is ``BUDGET + extra``
    units; returns it and its length in code points (what len() would have counted)."""
    base = (
        html_len(
            render_directive(TEXTS.for_lang(t_lang), _directive("x"), TZ, abridge=False).parts[0]
        )
        - 1
    )
    room = BUDGET - base + extra
    body = "😀" * (room // 2) + "&" * (room % 2)
    return _directive(body), base + len(body)


def test_an_emoji_heavy_directive_is_split_exactly_at_telegrams_length() -> None:
    """Issue 14: Telegram counts UTF-16 units after entities; the split follows that count."""
    exact, _ = _boundary_body("vi", 0)
    [part] = render_directive(TEXTS.for_lang("vi"), exact, TZ, abridge=False).parts
    assert html_len(part) == BUDGET
    plain, _ = parse_html(part)
    assert utf16_len(plain) == BUDGET  # as the sandbox (tdlib's parser) counts it
    over, _ = _boundary_body("vi", 1)
    parts = render_directive(TEXTS.for_lang("vi"), over, TZ, abridge=False).parts
    assert len(parts) == 2
    _assert_parts_fit(parts)
    # one enormous line of emoji: every part but the last is filled to the unit (an emoji
    # is never cut in half, so a part may end one unit short)
    long = render_directive(TEXTS.for_lang("vi"), _directive("😀" * 6000), TZ, abridge=False).parts
    _assert_parts_fit(long)
    assert all(BUDGET - 1 <= html_len(p) <= BUDGET for p in long[:-1])
    assert _shown_text(long).count("😀") == 6000


def test_a_private_copy_promises_no_qr_codes() -> None:
    """Issue 9 item 12: QR images follow group posts only; the private copy must not say
    "QR codes follow below"."""
    links = [{"label": "Trang", "url": "https://www.facebook.com/trangtuhaobinhphuoc/"}]
    d = _directive("Nội dung.", links=links)
    for lang in ("vi", "en"):
        t = TEXTS.for_lang(lang)
        group = render_directive(t, d, TZ, abridge=False).parts[-1]
        private = render_directive(t, d, TZ, qr_codes=False, abridge=False).parts[-1]
        assert "QR" in group
        assert "QR" not in private
        assert 'href="https://www.facebook.com/trangtuhaobinhphuoc/"' in private


_TRICKY = st.sampled_from(["&", "<", ">", '"', "'", "😀", "👨‍👩‍👧", "e\u0301", "ệ", " ", "\n", "a"])
_LONG_RUN = st.builds(lambda piece, n: piece * n, _TRICKY, st.integers(0, 9000))
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_TRICKY, _LONG_RUN, st.text(max_size=40)), max_size=12).map("".join),
)
_LINKS = st.lists(
    st.fixed_dictionaries({"label": _TEXT, "url": st.text(min_size=1, max_size=200)}),
    max_size=4,
)


@pytest.mark.timeout(300)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, issuer=_TEXT, body=_TEXT, links=_LINKS)
def test_rendering_ends_fits_and_keeps_everything_for_any_input(
    title: str, issuer: str, body: str, links: list[dict[str, str]]
) -> None:
    parts = _render(title, issuer, body, links)
    _assert_parts_fit(parts)
    shown = _squash(_shown_text(parts))
    body_lines = "".join(_squash(line) for line in body.strip().splitlines())
    assert body_lines in shown
    assert _squash(title) in shown and _squash(issuer) in shown
    for link in links:
        assert _squash(link["label"] or link["url"]) in shown
