"""A directive before it is published, and reading one or many from a TOML file."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPORT_EVERY = ("quarter", "half-year", "year")
NUMBER_RE = re.compile(r"^[\w.\-/]{1,64}$", re.UNICODE)


class DraftError(Exception):
    """A problem with a draft: ``key`` is a text key, ``args`` its parameters."""

    def __init__(self, key: str, /, **args: Any) -> None:
        self.key = key
        self.args_ = args
        super().__init__(f"{key}: {args}")


@dataclass
class DirectiveDraft:
    number: str
    title: str
    issuer: str
    targets: list[str]
    kind: str = "CV"
    issuer_unit: str | None = None
    issued_on: date | None = None
    body: str = ""
    links: list[dict[str, str]] = field(default_factory=list)
    attachments: list[Path] = field(default_factory=list)
    attachments_root: Path | None = None  # the folder attachments must be in (the file's)
    # files sent in the /publish chat, by Telegram file_id (bot.services.attachments.ChatFile)
    files: list[dict[str, Any]] = field(default_factory=list)
    requires_study: bool = True
    receive_by: datetime | None = None  # naive = local time in the configured zone
    study_by: datetime | None = None
    report_by: datetime | None = None
    report_every: str | None = None
    forwards: str | None = None
    supersedes: str | None = None
    depth: str | None = None
    publish_at: datetime | None = None  # naive = local time; None = publish now
    # Proof of study: [{"question", "options": [...], "answer": index from 0}]
    quiz: list[dict[str, Any]] = field(default_factory=list)
    pass_mark: int | None = None  # right answers needed; None = all of them


def one_line(value: str) -> str:
    """NFC (some keyboards send decomposed Vietnamese), whitespace runs made one space."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


_ALLOWED = {
    "number",
    "kind",
    "title",
    "issuer",
    "issuer_unit",
    "issued_on",
    "targets",
    "requires_study",
    "body",
    "links",
    "attachments",
    "receive_by",
    "study_by",
    "report_by",
    "report_every",
    "forwards",
    "supersedes",
    "depth",
    "publish_at",
    "quiz",
    "pass_mark",
}


def _opt_str(raw: dict[str, Any], key: str, index: int) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DraftError("draft-bad-type", index=index, key=key, expected="text")
    return value.strip() or None


def _moment(raw: dict[str, Any], key: str, index: int) -> datetime | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 17, 0)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise DraftError("draft-bad-type", index=index, key=key, expected="YYYY-MM-DDTHH:MM:SS")


def draft_from_mapping(raw: dict[str, Any], index: int, base_dir: Path) -> DirectiveDraft:
    """One ``[[directive]]`` table; ``index`` (1-based) names it in errors."""
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        raise DraftError("draft-unknown-key", index=index, key=unknown[0])
    for key in ("number", "title", "issuer"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise DraftError("draft-missing", index=index, key=key)
    targets = raw.get("targets")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise DraftError("draft-missing", index=index, key="targets")
    links = raw.get("links", [])
    if not isinstance(links, list) or not all(
        isinstance(x, dict) and isinstance(x.get("url"), str) for x in links
    ):
        raise DraftError(
            "draft-bad-type",
            index=index,
            key="links",
            expected='[{ label = "...", url = "https://..." }]',
        )
    attachments = raw.get("attachments", [])
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        raise DraftError("draft-bad-type", index=index, key="attachments", expected='["file.pdf"]')
    issued = raw.get("issued_on")
    if issued is not None and not isinstance(issued, date):
        raise DraftError("draft-bad-type", index=index, key="issued_on", expected="YYYY-MM-DD")
    study = raw.get("requires_study", True)
    if not isinstance(study, bool):
        raise DraftError("draft-bad-type", index=index, key="requires_study", expected="true/false")
    pass_mark = raw.get("pass_mark")
    if pass_mark is not None and (not isinstance(pass_mark, int) or isinstance(pass_mark, bool)):
        raise DraftError("draft-bad-type", index=index, key="pass_mark", expected="1-5")
    return DirectiveDraft(
        number=nfc(raw["number"]).strip(),
        kind=one_line(str(raw.get("kind") or "CV")),
        title=one_line(raw["title"]),
        issuer=one_line(raw["issuer"]),
        issuer_unit=_opt_str(raw, "issuer_unit", index),
        issued_on=issued
        if isinstance(issued, date) and not isinstance(issued, datetime)
        else (issued.date() if isinstance(issued, datetime) else None),
        targets=[nfc(t).strip() for t in targets],
        requires_study=study,
        body=nfc(str(raw.get("body") or "")),
        links=[
            {
                "label": one_line(str(x.get("label") or "")) or x["url"].strip(),
                "url": x["url"].strip(),
            }
            for x in links
        ],
        # resolved (symlinks followed); the rules check they stay inside base_dir
        attachments=[(base_dir / a).resolve() for a in attachments],
        attachments_root=base_dir.resolve(),
        receive_by=_moment(raw, "receive_by", index),
        study_by=_moment(raw, "study_by", index),
        report_by=_moment(raw, "report_by", index),
        report_every=_opt_str(raw, "report_every", index),
        forwards=_opt_str(raw, "forwards", index),
        supersedes=_opt_str(raw, "supersedes", index),
        depth=_opt_str(raw, "depth", index),
        publish_at=_moment(raw, "publish_at", index),
        quiz=_quiz(raw.get("quiz"), index),
        pass_mark=pass_mark,
    )


_QUIZ_SHAPE = '[[directive.quiz]] question = "...", options = ["...", "..."], answer = 1'


def _quiz(value: Any, index: int) -> list[dict[str, Any]]:
    """``[[directive.quiz]]`` tables as read; ``answer`` counts from 1 in the file (the first
    option is 1), from 0 once read. Sizes and texts are checked by the directive's rules."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DraftError("draft-bad-type", index=index, key="quiz", expected=_QUIZ_SHAPE)
    questions = []
    for item in value:
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("question"), str)
            and isinstance(item.get("options"), list)
            and all(isinstance(o, str) for o in item["options"])
            and isinstance(item.get("answer"), int)
            and not isinstance(item.get("answer"), bool)
            and not set(item) - {"question", "options", "answer"}
        )
        if not ok:
            raise DraftError("draft-bad-type", index=index, key="quiz", expected=_QUIZ_SHAPE)
        questions.append(
            {
                "question": one_line(item["question"]),
                "options": [one_line(o) for o in item["options"]],
                "answer": item["answer"] - 1,
            }
        )
    return questions


_TABLE = re.compile(r"^\s*\[\[\s*directive\s*\]\]")
_ANY_TABLE = re.compile(r"^\s*\[")


def locate(text: str, index: int, key: str | None) -> int | None:
    """The line (1-based) of field ``key`` in the ``index``-th ``[[directive]]`` table of a
    TOML text, else of that table's header; None if there is no such table."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if _TABLE.match(line)]
    if not 0 < index <= len(starts):
        return None
    start = starts[index - 1]
    if key:
        field_re = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
        for n in range(start + 1, len(lines)):
            if _ANY_TABLE.match(lines[n]):
                break
            if field_re.match(lines[n]):
                return n + 1
    return start + 1


def read_directive_file(path: Path) -> list[DirectiveDraft]:
    """Every ``[[directive]]`` in a TOML file (attachments relative to the file)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DraftError("draft-file-not-found", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise DraftError("draft-invalid-toml", file=str(path), detail=str(exc)) from None
    tables = data.get("directive")
    if not isinstance(tables, list) or not tables:
        raise DraftError("draft-no-directive", file=str(path))
    return [draft_from_mapping(t, i, path.parent) for i, t in enumerate(tables, start=1)]
