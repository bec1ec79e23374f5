"""The rules every directive obeys before it is stored, whatever it came from: the /publish
dialogue (one answer at a time), a TOML file (``chithi publish``) or any later entry point.

:func:`check_draft` is run by :func:`bot.services.publish.publish` on every draft, so no way in
can skip it; the dialogue also calls the single-field checks as each answer arrives, so a
refusal comes at the step that caused it. Every refusal is a :class:`DraftError` whose key is a
text in ``validate.ftl`` (or ``publish.ftl``) naming the field (``field`` or ``which``: the
TOML key, shown in the user's words by :func:`describe`) and what to do.

Bounds, and why:

* lengths in characters, from the database columns (``storage.models.Directive``), so
  PostgreSQL never gets a value longer than its column (SQLite would take it silently);
* the body at most :data:`BODY_MAX` characters: a long letter (a few printed pages) fits, and
  the post stays a handful of messages in each group (a group takes 20 messages a minute);
  anything longer belongs in an attachment;
* no control characters (PostgreSQL refuses NUL in text; the rest is invisible in Telegram);
* links: ``http``/``https`` with a plausible host, no user name or password in them (a
  ``https://facebook.com@evil.example`` look-alike), short enough for their QR code;
* attachments: inside the folder of the file that names them (following symlinks), of a
  document type, not empty and under the Bot API's 50 MB upload limit;
* a scheduled publishing time: in the future, at most :data:`SCHEDULE_AHEAD` ahead and
  before every deadline; a quiz: 1-5 questions of 2-6 options, a pass mark within them;
* dates: issued between :data:`ISSUED_FIRST` and today, deadlines in the future and at most
  :data:`DEADLINE_AHEAD` ahead (checked before any time-zone arithmetic, which overflows
  near years 1 and 9999).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.services.drafts import NUMBER_RE, REPORT_EVERY, DirectiveDraft, DraftError
from bot.services.tg_text import is_control, truncate
from storage.models import Directive, column_length


def _column_max(name: str) -> int:
    return column_length(Directive, name)


NUMBER_MAX = _column_max("number")  # 64
KIND_MAX = _column_max("kind")  # 16
TITLE_MAX = _column_max("title")  # 512
ISSUER_MAX = _column_max("issuer")  # 255
DEPTH_MAX = _column_max("depth")  # 32
BODY_MAX = 20_000  # about 6 messages; see the module's note
LINKS_MAX = 10  # each link is one more message (its QR code) in every group
LINK_LABEL_MAX = 200  # "Mã QR: <label>" stays far below a caption's 1,024
URL_MAX = 1000  # characters; and at most URL_MAX_BYTES bytes, well inside a QR code's 2,331
URL_MAX_BYTES = 2000
ATTACHMENTS_MAX = 10
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024  # Bot API: files up to 50 MB may be sent (uploaded)
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Bot API: photos up to 10 MB (the bot sends QR images only)
# Documents a directive comes with. An allow-list: a file next to the TOML file that is not a
# document (config.toml with the bot's token, a key, a database) is never posted.
ATTACHMENT_SUFFIXES = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".rtf",
        ".xls",
        ".xlsx",
        ".ods",
        ".ppt",
        ".pptx",
        ".odp",
        ".jpg",
        ".jpeg",
        ".png",
        ".zip",
        ".rar",
        ".7z",
        ".mp3",
        ".mp4",
    }
)
ISSUED_FIRST = date(1945, 1, 1)  # documents older than the state are not directives to follow
DEADLINE_AHEAD = timedelta(days=5 * 366)  # a five-year plan is the longest horizon in use
SCHEDULE_AHEAD = timedelta(days=92)  # a directive is scheduled for this quarter, not next year
QUIZ_MAX = 5  # questions; a check that the text was read, not an examination
OPTIONS_MIN, OPTIONS_MAX = 2, 6  # one button each
QUESTION_MAX = 500  # characters: one short message
OPTION_MAX = 100  # characters: a button's text (shown whole) stays readable on a phone
SHOWN_MAX = 80  # how much of a refused value an error message repeats
_ALLOWED_CONTROLS = {"\n", "\t", "\r"}


def shown(value: str) -> str:
    """A refused value as an error message repeats it: one line, at most ``SHOWN_MAX``."""
    return truncate(" ".join(value.split()), SHOWN_MAX)


def to_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    """A deadline entered in local time (naive) or with an offset, as UTC."""
    local = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
    return local.astimezone(UTC)


# -- single fields ------------------------------------------------------------------------------


def check_text(field: str, value: str, limit: int, *, multiline: bool = False) -> None:
    """Not empty, at most ``limit`` characters, no control characters (nor lone surrogates)."""
    if not value.strip():
        raise DraftError("rule-empty", field=field)
    if len(value) > limit:
        raise DraftError("rule-too-long", field=field, length=len(value), max=limit)
    for ch in value:
        if is_control(ch) and not (multiline and ch in _ALLOWED_CONTROLS):
            raise DraftError("rule-control-character", field=field, code=f"U+{ord(ch):04X}")


def check_body(value: str) -> None:
    body = value.strip()
    if len(body) > BODY_MAX:  # before anything else: a 1 MB body is not read further
        raise DraftError("rule-body-too-long", field="body", length=len(body), max=BODY_MAX)
    if body:
        check_text("body", body, BODY_MAX, multiline=True)


def check_number(field: str, value: str) -> None:
    if not NUMBER_RE.match(value):
        raise DraftError("rule-bad-number", field=field, number=shown(value), max=NUMBER_MAX)


def check_link(label: str, url: str) -> None:
    """An ``http``/``https`` address with a plausible host; a short one-line label."""
    check_text("links", label, LINK_LABEL_MAX)
    if len(url) > URL_MAX or len(url.encode("utf-8")) > URL_MAX_BYTES:
        raise DraftError("rule-link-too-long", field="links", url=shown(url), max=URL_MAX)
    if any(ch.isspace() or is_control(ch) for ch in url):
        raise DraftError("rule-link-bad", field="links", url=shown(url))
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise DraftError("rule-link-bad", field="links", url=shown(url)) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DraftError(
            "rule-link-scheme", field="links", url=shown(url), scheme=shown(parts.scheme)
        )
    if parts.username is not None or parts.password is not None:
        raise DraftError("rule-link-credentials", field="links", url=shown(url))
    labels = host.rstrip(".").split(".")
    named = len(labels) >= 2 and all(_host_label(x) for x in labels) and not labels[-1].isdigit()
    if not named and not _ip_address(host):
        raise DraftError("rule-link-bad", field="links", url=shown(url))


def _host_label(label: str) -> bool:
    return 0 < len(label) <= 63 and all(ch.isalnum() or ch == "-" for ch in label)


def _ip_address(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


def check_links(links: list[dict[str, str]]) -> None:
    if len(links) > LINKS_MAX:
        raise DraftError("rule-too-many", field="links", count=len(links), max=LINKS_MAX)
    for link in links:
        check_link(link.get("label") or link["url"], link["url"])


def check_attachment(path: Path, root: Path | None) -> None:
    """Inside ``root`` (the folder of the file that named it) once every symlink is followed,
    a document type, an existing non-empty file under the upload limit."""
    real = path.resolve()
    if root is None or not real.is_relative_to(root.resolve()):
        raise DraftError(
            "rule-attachment-outside",
            field="attachments",
            file=str(path),
            folder=str(root) if root else "-",
        )
    if real.suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise DraftError(
            "rule-attachment-type",
            field="attachments",
            file=str(path),
            allowed=" ".join(sorted(s.lstrip(".") for s in ATTACHMENT_SUFFIXES)),
        )
    if not real.is_file():
        raise DraftError("publish-attachment-missing", field="attachments", file=str(path))
    size = real.stat().st_size
    if size == 0:
        raise DraftError("rule-attachment-empty", field="attachments", file=str(path))
    if size > DOCUMENT_MAX_BYTES:
        raise DraftError(
            "rule-attachment-too-big",
            field="attachments",
            file=str(path),
            size=round(size / 1024 / 1024, 1),
            max=DOCUMENT_MAX_BYTES // 1024 // 1024,
        )


def check_issued_on(value: date, today: date) -> None:
    if value > today:
        raise DraftError("rule-issued-future", field="issued_on", date=value.strftime("%d/%m/%Y"))
    if value < ISSUED_FIRST:
        raise DraftError(
            "rule-issued-too-old",
            field="issued_on",
            date=value.strftime("%d/%m/%Y"),
            first=ISSUED_FIRST.strftime("%d/%m/%Y"),
        )


def _when(moment: datetime) -> str:
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d} {moment:%H:%M}"


def _place(moment: datetime, now: datetime, tz: ZoneInfo, ahead: timedelta) -> int:
    """-1 if ``moment`` (naive = local time) is not in the future, 1 if it is more than
    ``ahead`` away, else 0. The wall-clock bounds come first: converting year 1 or 9999 would
    overflow."""
    wall, local_now = moment.replace(tzinfo=None), now.astimezone(tz).replace(tzinfo=None)
    slack = timedelta(days=2)  # more than any UTC offset: the exact test follows in UTC
    if wall < local_now - slack or (wall <= local_now + slack and to_utc(moment, tz) <= now):
        return -1
    if wall > local_now + ahead + slack or to_utc(moment, tz) > now + ahead:
        return 1
    return 0


def check_deadline(which: str, moment: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """A deadline (naive = local time) in the future and at most ``DEADLINE_AHEAD`` away; its
    UTC time."""
    place = _place(moment, now, tz, DEADLINE_AHEAD)
    if place < 0:
        raise DraftError("publish-deadline-past", which=which, when=_when(moment))
    if place > 0:
        raise DraftError(
            "rule-deadline-too-far",
            field=which,
            when=_when(moment),
            latest=(now + DEADLINE_AHEAD).astimezone(tz).strftime("%d/%m/%Y"),
        )
    return to_utc(moment, tz)


def check_publish_at(
    moment: datetime, now: datetime, tz: ZoneInfo, deadlines: dict[str, Any] | None = None
) -> datetime:
    """A scheduled publishing time (naive = local time): in the future, at most
    :data:`SCHEDULE_AHEAD` away and before every deadline of the directive (UTC values in
    ``deadlines``); its UTC time."""
    place = _place(moment, now, tz, SCHEDULE_AHEAD)
    if place < 0:
        raise DraftError("rule-publish-at-past", field="publish_at", when=_when(moment))
    if place > 0:
        raise DraftError(
            "rule-deadline-too-far",
            field="publish_at",
            when=_when(moment),
            latest=(now + SCHEDULE_AHEAD).astimezone(tz).strftime("%d/%m/%Y"),
        )
    at = to_utc(moment, tz)
    for which, deadline in (deadlines or {}).items():
        if deadline is not None and deadline <= at:
            raise DraftError(
                "rule-publish-at-after-deadline",
                field="publish_at",
                when=_when(moment),
                deadline=which,
            )
    return at


def check_quiz(quiz: list[dict[str, Any]], pass_mark: int | None, requires_study: bool) -> None:
    """Proof of study: 1 to :data:`QUIZ_MAX` questions of 2 to :data:`OPTIONS_MAX` one-line
    options, each answer one of its options; a pass mark between 1 and the number of
    questions; only on a directive to be studied."""
    if not quiz:
        if pass_mark is not None:
            raise DraftError("rule-pass-mark-without-quiz", field="pass_mark")
        return
    if not requires_study:
        raise DraftError("rule-quiz-without-study", field="quiz")
    if len(quiz) > QUIZ_MAX:
        raise DraftError("rule-too-many", field="quiz", count=len(quiz), max=QUIZ_MAX)
    for n, item in enumerate(quiz, start=1):
        check_text("quiz", item["question"], QUESTION_MAX)
        options = item["options"]
        if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
            raise DraftError(
                "rule-quiz-options", field="quiz", n=n, min=OPTIONS_MIN, max=OPTIONS_MAX
            )
        for option in options:
            check_text("quiz", option, OPTION_MAX)
        if not 0 <= item["answer"] < len(options):
            raise DraftError("rule-quiz-answer", field="quiz", n=n, max=len(options))
    if pass_mark is not None and not 1 <= pass_mark <= len(quiz):
        raise DraftError("rule-pass-mark", field="pass_mark", value=pass_mark, max=len(quiz))


# -- a whole draft ------------------------------------------------------------------------------

DEADLINES = ("receive_by", "study_by", "report_by")


def check_draft(draft: DirectiveDraft, *, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """Every rule that needs no database, in the order of the fields; the deadlines in UTC."""
    check_number("number", draft.number)
    check_text("kind", draft.kind, KIND_MAX)
    check_text("title", draft.title, TITLE_MAX)
    check_text("issuer", draft.issuer, ISSUER_MAX)
    if draft.issued_on is not None:
        check_issued_on(draft.issued_on, now.astimezone(tz).date())
    check_body(draft.body)
    check_links(draft.links)
    if len(draft.attachments) > ATTACHMENTS_MAX:
        raise DraftError(
            "rule-too-many", field="attachments", count=len(draft.attachments), max=ATTACHMENTS_MAX
        )
    for path in draft.attachments:
        check_attachment(path, draft.attachments_root)
    for field, value in (("forwards", draft.forwards), ("supersedes", draft.supersedes)):
        if value is not None:
            check_number(field, value)
    if draft.supersedes is not None:
        check_supersedes_self(draft.number, draft.supersedes)
    if draft.depth is not None:
        check_text("depth", draft.depth, DEPTH_MAX)
    for code in draft.targets:
        if len(code) > NUMBER_MAX:  # longer than any unit code: unknown, said briefly
            raise DraftError("publish-unknown-target", code=shown(code))
    deadlines: dict[str, Any] = {}
    for key in DEADLINES:
        moment = getattr(draft, key)
        deadlines[key] = check_deadline(key, moment, now, tz) if moment is not None else None
    if draft.report_every is not None and draft.report_every not in REPORT_EVERY:
        raise DraftError("publish-bad-report-every", value=shown(draft.report_every))
    if draft.report_every is not None and deadlines["report_by"] is None:
        raise DraftError("publish-report-every-needs-deadline")
    check_quiz(draft.quiz, draft.pass_mark, draft.requires_study)
    if draft.publish_at is not None:
        check_publish_at(draft.publish_at, now, tz, deadlines)
    return deadlines


def check_supersedes_self(number: str, supersedes: str) -> None:
    """A directive cannot replace itself."""
    if supersedes == number:
        raise DraftError("rule-supersedes-self", field="supersedes", number=shown(number))


def check_forwarding(
    deadlines: dict[str, datetime | None], original: Directive, tz: ZoneInfo
) -> None:
    """A directive forwarding ``original`` down the tree: the original is still in force, and
    each of its own deadlines (UTC) is no later than the original's same deadline (a level
    below may ask for less time, never for more)."""
    if original.status != "published":
        raise DraftError("forward-not-in-force", number=shown(original.number))
    for key in DEADLINES:
        mine, theirs = deadlines.get(key), getattr(original, key)
        if mine is None or theirs is None:
            continue
        theirs = theirs if theirs.tzinfo else theirs.replace(tzinfo=UTC)
        if mine > theirs:
            raise DraftError(
                "forward-deadline-late",
                field=key,
                when=mine.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                latest=theirs.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                number=shown(original.number),
            )


def describe(t: Translator, error: DraftError) -> str:
    """The refusal as a sentence in ``t``'s language, the field named in the user's words."""
    args = dict(error.args_)
    if isinstance(args.get("field"), str):
        args["field"] = t(f"rule-field-{args['field']}")
    return t(error.key, **args)
