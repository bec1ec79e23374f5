"""The /publish dialogue's rules without Telegram: parsers, step order, the preview payloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Texts
from bot.services import publish_dialogue as pd
from bot.services.drafts import DraftError, read_directive_file
from bot.services.render import compose
from tests.kit.paths import SAMPLE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
TODAY = date(2027, 1, 10)


def refused(key: str, call: Callable[..., object], *args: object) -> DraftError:
    with pytest.raises(DraftError) as caught:
        call(*args)
    assert caught.value.key == key
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/02/2027 17:00", datetime(2027, 2, 20, 17, 0)),
        ("  20/2/2027   9:05 ", datetime(2027, 2, 20, 9, 5)),
        ("20-02-2027 17h", datetime(2027, 2, 20, 17, 0)),
        ("20.02.2027 17h30", datetime(2027, 2, 20, 17, 30)),
        ("20/02/2027", datetime(2027, 2, 20, 17, 0)),  # a date alone: end of the working day
        ("bỏ qua", None),
        ("Bỏ Qua", None),
        ("skip", None),
    ],
)
def test_deadlines_are_read_as_local_time(text: str, expected: datetime | None) -> None:
    assert pd.parse_deadline(text, "receive_by", NOW, TZ) == expected


@pytest.mark.parametrize("text", ["mai", "20/02/27 17:00", "31/02/2027 17:00", "20/02/2027 25:00"])
def test_malformed_deadlines_show_the_format_with_a_valid_example(text: str) -> None:
    error = refused("pd-bad-deadline", pd.parse_deadline, text, "study_by", NOW, TZ)
    assert error.args_ == {"example": "17/01/2027 17:00"}


def test_a_past_deadline_is_refused_with_its_name_and_time() -> None:
    error = refused(
        "publish-deadline-past", pd.parse_deadline, "10/01/2027 08:00", "report_by", NOW, TZ
    )
    assert error.args_ == {"which": "report_by", "when": "10/01/2027 08:00"}
    assert pd.parse_deadline("10/01/2027 08:01", "report_by", NOW, TZ) is not None


def test_issue_dates() -> None:
    assert pd.parse_issue_date("15/02/2019", TODAY) == date(2019, 2, 15)
    assert pd.parse_issue_date("Hôm nay", TODAY) == TODAY
    assert pd.parse_issue_date("today", TODAY) == TODAY
    # NFD input (some keyboards) is the same text
    assert pd.parse_issue_date("ho\u0302m nay", TODAY) == TODAY
    refused("pd-bad-date", pd.parse_issue_date, "15/2", TODAY)
    refused("rule-issued-future", pd.parse_issue_date, "11/01/2027", TODAY)


def test_numbers_titles_and_kinds() -> None:
    assert pd.parse_number(" 1208-CV/BTGTU ") == "1208-CV/BTGTU"
    refused("pd-bad-number", pd.parse_number, "12 CV")
    refused("rule-empty", pd.parse_title, "   ")
    refused("rule-too-long", pd.parse_title, "x" * 513)
    assert pd.parse_title("  V/v   tăng cường ") == "V/v tăng cường"
    assert pd.kind_from_number("1208-CV/BTGTU") == "CV"
    assert pd.kind_from_number("23-CT/TU") == "CT"
    assert pd.kind_from_number("CT-2022/TU") == "CT"
    assert pd.kind_from_number("05-nq/tw") == "NQ"
    assert pd.kind_from_number("TTBCXB-2022") == "CV"


def test_links_one_per_line() -> None:
    text = "Trang A | https://a.example/x\nhttps://b.example\n\n"
    assert pd.parse_links(text) == [
        {"label": "Trang A", "url": "https://a.example/x"},
        {"label": "https://b.example", "url": "https://b.example"},
    ]
    assert pd.parse_links("bỏ qua") == []
    error = refused("pd-bad-link", pd.parse_links, "Trang | www.example.com")
    assert error.args_ == {"line": "Trang | www.example.com"}
    refused("rule-link-scheme", pd.parse_links, "ftp://x.example")


def test_targets_and_yes_no() -> None:
    assert pd.parse_target_codes("BP-DX, BP-BL;BP-DX  BP-PL") == ["BP-DX", "BP-BL", "BP-PL"]
    refused("pd-no-targets", pd.parse_target_codes, " , ")
    assert pd.parse_yes_no("Có") is True and pd.parse_yes_no("không") is False
    refused("pd-bad-yes-no", pd.parse_yes_no, "có lẽ")


def test_steps_in_order_study_deadline_only_when_study_is_required() -> None:
    d = pd.Dialogue(home_unit="BP-BTG", home_name="Ban Tuyên giáo Tỉnh ủy")
    seen = []
    values = {"requires_study": False, "targets": ["BP"], "links": [], "issued_on": TODAY}
    while (step := d.next_step()) is not None:
        seen.append(step)
        d.answer(step, values.get(step, "Ban Tuyên giáo Tỉnh ủy" if step == "issuer" else "x"))
    assert seen == [
        "number",
        "title",
        "issuer",
        "issued_on",
        "body",
        "links",
        "targets",
        "requires_study",
        "receive_by",
        "report_by",
    ]
    d.forget("number")
    assert d.next_step() == "number"
    d.answer("number", "12-CT/TU")
    draft = d.to_draft()
    assert (draft.kind, draft.issuer_unit, draft.study_by) == ("CT", "BP-BTG", None)


def test_preview_payloads_are_the_group_post_with_inert_buttons() -> None:
    [draft] = [
        x for x in read_directive_file(SAMPLE / "directives.toml") if x.number == "297-CV/BTGTU"
    ]
    t = Texts().for_lang("vi")
    payloads = pd.preview_payloads(t, draft, TZ, 12)
    post, *qrs = payloads
    assert post["buttons"] == [[{"text": "✅ Đã nhận", "data": "pv:r"}]]
    assert compose(post).endswith("<i>Đã nhận 0/12</i>")
    assert "17:00 Thứ Năm, 22/04/2027" in post["text"]
    assert [q["caption"] for q in qrs] == [f"Mã QR: {link['label']}" for link in draft.links]


def test_refusals_at_publishing_say_which_answer_to_ask_again() -> None:
    assert pd.step_of_error(DraftError("publish-duplicate", number="1", issuer="x")) == "number"
    assert pd.step_of_error(DraftError("publish-outside-subtree", code="BP")) == "targets"
    assert pd.step_of_error(DraftError("publish-deadline-past", which="study_by")) == "study_by"
    assert pd.step_of_error(DraftError("publish-not-allowed")) is None
