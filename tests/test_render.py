"""Rendering: long texts are split (never cut), deadlines shown in local time with the weekday,
/pending pages fit Telegram's limit and lose no name."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Texts
from bot.services.pending import PendingReport, UnitPending
from bot.services.pending_text import render_pages
from bot.services.render import TEXT_LIMIT, format_deadline, render_directive
from storage.models import Directive

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEXTS = Texts()


def _directive(body: str, **kw: object) -> Directive:
    d = Directive(id=7, number="CT-2022/TU", kind="CT", title="Chỉ thị <thử> & kiểm tra",
                  issuer="Ban Thường vụ", issued_on=date(2022, 6, 1), body=body, links=[],
                  attachments=[], requires_study=True, status="published")
    for key, value in kw.items():
        setattr(d, key, value)
    return d


def _plain(part: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", part))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_short_directive_is_one_part_with_both_buttons(lang: str) -> None:
    t = TEXTS.for_lang(lang)
    rendered = render_directive(t, _directive("Nội dung ngắn."), TZ)
    assert len(rendered.parts) == 1
    assert [b["data"] for b in rendered.buttons[0]] == ["c:7:r", "c:7:s"]
    assert "Chỉ thị &lt;thử&gt; &amp; kiểm tra" in rendered.parts[0]  # escaped HTML


def test_long_body_is_split_at_paragraphs_and_nothing_is_lost() -> None:
    paragraphs = [f"Đoạn {i}: " + "cán bộ, đảng viên học tập & làm theo. " * 12
                  for i in range(60)]
    body = "\n".join(paragraphs)
    rendered = render_directive(TEXTS.for_lang("vi"), _directive(body), TZ)
    assert len(rendered.parts) > 3
    assert all(len(part) <= TEXT_LIMIT - 100 for part in rendered.parts)
    joined = "\n".join(_plain(p) for p in rendered.parts)
    for paragraph in paragraphs:
        assert paragraph.strip() in joined
    assert rendered.parts[1].startswith("(tiếp theo)")


def test_one_enormous_line_is_cut_at_spaces_not_inside_entities() -> None:
    body = ("A&B " * 3000).strip()
    rendered = render_directive(TEXTS.for_lang("vi"), _directive(body), TZ)
    assert all(len(p) <= TEXT_LIMIT for p in rendered.parts)
    assert all(not re.search(r"&(?![a-z]+;)", p) for p in rendered.parts)  # no broken &amp;
    assert "".join(_plain(p) for p in rendered.parts).count("A&B") == 3000


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "17:00 Thứ Bảy, 20/02/2027"),
    ("en", "17:00 Saturday, 20/02/2027"),
])
def test_deadlines_show_local_time_and_weekday(lang: str, expected: str) -> None:
    moment = datetime(2027, 2, 20, 10, 0, tzinfo=UTC)
    assert format_deadline(TEXTS.for_lang(lang), moment, TZ) == expected


def test_pending_pages_fit_and_keep_every_name() -> None:
    units = []
    for u in range(40):
        names = [f"Nguyễn Văn Người{u:02d}x{i:02d}" for i in range(30)]
        units.append(UnitPending(code=f"C{u:02d}", name=f"Chi bộ {u}", depth=1, total=30,
                                 missing_received=names, missing_studied=names))
    report = PendingReport(_directive("x"), units)
    pages = render_pages(TEXTS.for_lang("vi"), report)
    assert len(pages) > 5
    assert all(len(p) <= 4096 for p in pages)
    everything = "\n".join(pages)
    for unit in units:
        for name in unit.missing_received:
            assert everything.count(name) == 2  # once as not received, once as not studied
    assert pages[0].endswith(f"Trang 1/{len(pages)}")
