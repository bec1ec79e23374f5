"""The rules of a directive, shared by the /publish dialogue, the TOML file and publish() itself:
lengths bounded by the database columns, http/https links only, attachments inside the file's
folder and under Telegram's limits, a body cap, dates in a sane range; refusals worded from the
locale files (both languages) and naming the field. Storage: an over-long value never reaches
PostgreSQL, and the longest valid one is stored there as on SQLite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.i18n import Texts
from bot.services import directive_rules as rules
from bot.services.drafts import DirectiveDraft, DraftError, draft_from_mapping, locate
from bot.services.publish import publish
from bot.services.tree import import_units
from storage.db import SessionFactory
from storage.models import Delivery, Directive
from tests.kit.paths import SAMPLE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
TEXTS = Texts()


def refused(key: str, call: Callable[..., object], *args: object) -> DraftError:
    with pytest.raises(DraftError) as caught:
        call(*args)
    assert caught.value.key == key, caught.value
    return caught.value


def test_lengths_are_the_database_columns() -> None:
    """A value the rules accept always fits its column (PostgreSQL refuses longer ones)."""
    columns = Directive.__table__.c
    assert rules.NUMBER_MAX == columns.number.type.length == 64
    assert rules.TITLE_MAX == columns.title.type.length == 512
    assert rules.ISSUER_MAX == columns.issuer.type.length == 255
    assert columns.kind.type.length == rules.KIND_MAX
    assert columns.depth.type.length == rules.DEPTH_MAX
    rules.check_text("title", "😀" * 512, rules.TITLE_MAX)  # characters, not bytes or units
    error = refused("rule-too-long", rules.check_text, "title", "x" * 513, rules.TITLE_MAX)
    assert error.args_ == {"field": "title", "length": 513, "max": 512}
    refused("rule-empty", rules.check_text, "issuer", "  ", rules.ISSUER_MAX)
    # PostgreSQL refuses NUL in text; invisible controls are refused everywhere
    error = refused("rule-control-character", rules.check_text, "title", "a\x00b", 512)
    assert error.args_["code"] == "U+0000"
    rules.check_body("dòng 1\n\tdòng 2\r\n")


def test_the_body_is_capped_with_a_clear_reason() -> None:
    rules.check_body("x" * rules.BODY_MAX)
    error = refused("rule-body-too-long", rules.check_body, "x" * 1_000_000)
    assert error.args_ == {"field": "body", "length": 1_000_000, "max": 20_000}
    assert rules.describe(TEXTS.for_lang("vi"), error) == (
        "Nội dung dài quá (1.000.000 ký tự); tối đa 20.000 ký tự (khoảng 6 tin nhắn). "
        "Hãy đưa toàn văn vào tệp đính kèm (PDF) và chỉ ghi tóm tắt ở nội dung."
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.facebook.com/trangtuhaobinhphuoc/",
        "http://www.facebook.com/profile.php?id=100030340688011",
        "https://bình-phước.vn/tin-tức",
        "https://10.0.0.1:8443/x",
        "HTTPS://Example.VN",
    ],
)
def test_web_links_pass(url: str) -> None:
    rules.check_link("Trang", url)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("javascript:alert(document.cookie)", "rule-link-scheme"),
        ("file:///etc/passwd", "rule-link-scheme"),
        ("data:text/html;base64,PHNjcmlwdD4=", "rule-link-scheme"),
        ("ftp://files.example.vn/a.pdf", "rule-link-scheme"),
        ("tg://resolve?domain=x", "rule-link-scheme"),
        ("https://", "rule-link-bad"),
        ("https://localhost/x", "rule-link-bad"),
        ("https://exa mple.vn", "rule-link-bad"),
        ("https://a.vn:99999999/", "rule-link-bad"),
        ("https://-/x", "rule-link-bad"),
        ("https://facebook.com@evil.example/", "rule-link-credentials"),
        ("https://example.vn/" + "a" * 1000, "rule-link-too-long"),
    ],
)
def test_other_links_are_refused(url: str, key: str) -> None:
    error = refused(key, rules.check_link, "Trang", url)
    assert len(error.args_["url"]) <= rules.SHOWN_MAX  # the message repeats a short part


def test_at_most_ten_links_with_short_labels() -> None:
    link = {"label": "Trang", "url": "https://a.example.vn/"}
    rules.check_links([link] * 10)
    refused("rule-too-many", rules.check_links, [link] * 11)
    refused("rule-too-long", rules.check_links, [{**link, "label": "x" * 201}])


def test_dates_in_a_sane_range_never_crash() -> None:
    today = date(2027, 1, 10)
    rules.check_issued_on(date(1945, 9, 2), today)
    rules.check_issued_on(today, today)
    refused("rule-issued-too-old", rules.check_issued_on, date(1, 1, 1), today)
    refused("rule-issued-future", rules.check_issued_on, date(9999, 12, 31), today)
    assert rules.check_deadline("receive_by", datetime(2027, 2, 20, 17), NOW, TZ) == datetime(
        2027, 2, 20, 10, tzinfo=UTC
    )
    # year 1 at 03:00 in Vietnam is before year 1 in UTC: converting it overflowed
    for moment in (
        datetime(1, 1, 1, 3, 0),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(2027, 1, 10, 8, 0),  # exactly now
    ):
        error = refused("publish-deadline-past", rules.check_deadline, "study_by", moment, NOW, TZ)
        assert error.args_["which"] == "study_by"
    for moment in (
        datetime(9999, 12, 31, 23, 59),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12))),
        datetime(2032, 2, 1, 17, 0),
    ):
        error = refused("rule-deadline-too-far", rules.check_deadline, "report_by", moment, NOW, TZ)
        assert error.args_["field"] == "report_by"
    assert rules.check_deadline("report_by", datetime(2031, 12, 1, 17), NOW, TZ) is not None


def _draft(tmp_path: Path, **raw: object) -> DirectiveDraft:
    table = {"number": "12-CV/TU", "title": "T", "issuer": "I", "targets": ["BP"], **raw}
    return draft_from_mapping(table, 1, tmp_path)


def test_attachments_stay_inside_the_files_folder(tmp_path: Path) -> None:
    folder = tmp_path / "directives"
    folder.mkdir()
    (folder / "phu-luc.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / "sub").mkdir()
    (folder / "sub" / "ke-hoach.docx").write_bytes(b"PK...")
    secret = tmp_path / "config.toml"
    secret.write_text('[bot]\ntoken = "123:ABC"\n', encoding="utf-8")
    (folder / "config.toml").write_text('[bot]\ntoken = "123:ABC"\n', encoding="utf-8")
    (folder / "link.pdf").symlink_to(secret)  # a document's name, pointing outside
    (folder / "empty.pdf").write_bytes(b"")
    with (folder / "huge.pdf").open("wb") as f:  # sparse: no 51 MB written to the disk
        f.truncate(rules.DOCUMENT_MAX_BYTES + 1)

    def check(name: str) -> None:
        draft = _draft(folder, attachments=[name])
        rules.check_draft(draft, now=NOW, tz=TZ)

    check("phu-luc.pdf")
    check("sub/ke-hoach.docx")
    for name in ("../config.toml", str(secret), "link.pdf", "sub/../../config.toml"):
        error = refused("rule-attachment-outside", check, name)
        assert error.args_["folder"] == str(folder.resolve())
    refused("rule-attachment-type", check, "config.toml")  # next to the file, still no
    refused("publish-attachment-missing", check, "khong-co.pdf")
    refused("rule-attachment-empty", check, "empty.pdf")
    error = refused("rule-attachment-too-big", check, "huge.pdf")
    assert error.args_["max"] == 50
    # a draft that did not come from a file (no folder) may not name files at all
    loose = DirectiveDraft("12-CV/TU", "T", "I", ["BP"], attachments=[folder / "phu-luc.pdf"])
    refused("rule-attachment-outside", lambda: rules.check_draft(loose, now=NOW, tz=TZ))


def _check_raw(tmp_path: Path, **raw: object) -> None:
    rules.check_draft(_draft(tmp_path, **raw), now=NOW, tz=TZ)


@pytest.mark.parametrize(
    ("raw", "key", "field"),
    [
        ({"title": "x" * 513}, "rule-too-long", "title"),
        ({"issuer": "y" * 256}, "rule-too-long", "issuer"),
        ({"kind": "K" * 17}, "rule-too-long", "kind"),
        ({"depth": "d" * 33}, "rule-too-long", "depth"),
        ({"number": "1" * 65}, "rule-bad-number", "number"),
        ({"forwards": "a b"}, "rule-bad-number", "forwards"),
        ({"supersedes": "12-CV/TU"}, "rule-supersedes-self", "supersedes"),
        ({"body": "chữ\x00"}, "rule-control-character", "body"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "rule-link-scheme", "links"),
        ({"issued_on": date(9999, 1, 1)}, "rule-issued-future", "issued_on"),
        ({"attachments": ["../x.pdf"]}, "rule-attachment-outside", "attachments"),
        ({"receive_by": datetime(9999, 1, 1)}, "rule-deadline-too-far", "receive_by"),
    ],
)
def test_a_toml_table_obeys_the_same_rules(
    tmp_path: Path, raw: dict[str, object], key: str, field: str
) -> None:
    error = refused(key, lambda: _check_raw(tmp_path, **raw))
    assert error.args_.get("field") == field


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_refusals_name_the_field_in_the_users_words(lang: str) -> None:
    t = TEXTS.for_lang(lang)
    text = rules.describe(t, DraftError("rule-too-long", field="title", length=600, max=512))
    assert text.startswith(
        {"vi": "Trích yếu (title) dài quá", "en": "Title (title) is too long"}[lang]
    )
    for field in ("number", "title", "issuer", "issued_on", "body", "links", "attachments"):
        assert "(" + field + ")" in t(f"rule-field-{field}")


def test_a_text_may_have_an_argument_called_key() -> None:
    """Issue 9 item 8: the TOML errors carry ``key`` (the offending field); formatting them
    raised "Translator.__call__() got multiple values for argument 'key'"."""
    t = TEXTS.for_lang("en")
    assert t("draft-unknown-key", index=2, key="titel") == 'directive 2: unknown field "titel"'
    assert TEXTS("vi", "draft-missing", index=1, key="title", lang="x") == (
        'văn bản thứ 1: thiếu trường "title"'
    )


def test_a_very_long_argument_is_formatted_whole() -> None:
    """fluent.runtime refuses placeables over 2,500 characters; texts take them anyway."""
    t = TEXTS.for_lang("en")
    assert t("directive-issuer", issuer="&amp;" * 1000) == "Issuing body: " + "&amp;" * 1000


def test_errors_are_located_in_the_file() -> None:
    text = (SAMPLE / "directives.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    line = locate(text, 3, "targets")
    assert line is not None and lines[line - 1].startswith('targets = ["BP"]')
    assert lines[(locate(text, 3, None) or 0) - 1] == "[[directive]]"
    assert lines[(locate(text, 3, "receive_by") or 0) - 1] == "receive_by = 2027-04-22T17:00:00"
    assert locate(text, 9, "targets") is None


async def test_an_over_long_title_never_reaches_the_database(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    """On SQLite a 600-character title was stored; on PostgreSQL it crashed the transaction.
    Now both refuse it before writing, and the longest valid values are stored on both."""
    async with sessions() as s, s.begin():
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))

    async def run(**raw: object) -> Directive:
        draft = _draft(tmp_path, targets=["BP"], **raw)
        async with sessions() as s, s.begin():
            result = await publish(
                s, draft, publisher=None, config_admins=[], now=NOW, tz=TZ, texts=TEXTS
            )
            return result.directive

    with pytest.raises(DraftError) as caught:
        await run(title="Tiêu đề " * 80)
    assert caught.value.key == "rule-too-long"
    async with sessions() as s:
        assert await s.scalar(select(func.count(Directive.id))) == 0
        assert await s.scalar(select(func.count(Delivery.id))) == 0
    stored = await run(
        number="Ư" * 64, title="😀" * 512, issuer="&" * 255, body="ệ" * rules.BODY_MAX
    )
    async with sessions() as s:
        d = await s.get(Directive, stored.id)
        assert d is not None and (len(d.number), len(d.title), len(d.issuer)) == (64, 512, 255)
        assert d.title == "😀" * 512 and len(d.body) == rules.BODY_MAX
