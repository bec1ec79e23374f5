"""What the /publish dialogue can add once the preview is shown (handlers.publish_extras):
the older directive this one replaces (``supersedes``) and proof of study (1-5 questions with
a pass mark). The same fields a TOML file sets, checked by the same rules as each answer
arrives (:mod:`bot.services.directive_rules`, :func:`bot.services.publish.check_supersedes`)
and again by :func:`bot.services.publish.publish` when it is published.

The dialogue holds them in its answers (``supersedes``, ``quiz``, ``pass_mark``); ``extra``
names the one the next message answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import directive_rules as rules
from bot.services import lifecycle
from bot.services.drafts import DraftError, one_line
from bot.services.publish import check_supersedes
from bot.services.publish_dialogue import Dialogue
from storage.models import Member

EXTRA = "extra"  # answers[EXTRA]: the extra the next message answers
SUPERSEDES, QUIZ, PASS_MARK = "supersedes", "quiz", "pass_mark"
# answers[REPLACES]: what the preview says of the replaced directive: {"linked": its posts will
# be edited (else it is only named in the post), "title": its title if Chithi published it}
REPLACES = "replaces"
RIGHT_MARK = "*"  # the right option is typed with a star in front


def awaiting(d: Dialogue) -> str | None:
    value = d.answers.get(EXTRA)
    return value if value in (SUPERSEDES, QUIZ, PASS_MARK) else None


def start(d: Dialogue, extra: str) -> None:
    """The next message answers ``extra``; asking for questions starts them afresh."""
    d.answers[EXTRA] = extra
    if extra == QUIZ:
        d.answers[QUIZ] = []
        d.answers.pop(PASS_MARK, None)


def done(d: Dialogue) -> None:
    d.answers.pop(EXTRA, None)


def questions(d: Dialogue) -> list[dict[str, Any]]:
    return list(d.answers.get(QUIZ) or [])


def may_ask_questions(d: Dialogue) -> bool:
    """Questions only prove study of a directive that asks to be studied."""
    return bool(d.answers.get("requires_study"))


# -- replacing an older directive --------------------------------------------------------------


@dataclass(frozen=True)
class Replaced:
    number: str
    title: str | None  # None: not a directive published through Chithi
    linked: bool  # its posts will say "được thay thế bởi ..." and lose their buttons


async def replace(
    session: AsyncSession,
    d: Dialogue,
    text: str,
    publisher: Member,
    config_admins: Collection[int],
) -> Replaced:
    """The number typed for "replaces": the same checks as publishing (a number's shape, not
    the directive's own, the publisher allowed to change the old one if it is in force)."""
    number = unicodedata.normalize("NFC", text).strip()
    draft = d.to_draft()
    draft.supersedes = number
    rules.check_number("supersedes", number)
    rules.check_supersedes_self(draft.number, number)
    old = await check_supersedes(session, draft, publisher, config_admins)
    linked = old is not None and old.status == lifecycle.PUBLISHED
    found = Replaced(number, old.title if old is not None else None, linked)
    d.answers[SUPERSEDES] = number
    d.answers[REPLACES] = {"linked": linked, "title": found.title}
    done(d)
    return found


def replaced(d: Dialogue) -> Replaced | None:
    """What the dialogue replaces, as checked when it was typed."""
    number = d.answers.get(SUPERSEDES)
    if not number:
        return None
    shown = d.answers.get(REPLACES) or {}
    return Replaced(str(number), shown.get("title"), bool(shown.get("linked")))


def drop_replace(d: Dialogue) -> None:
    d.answers.pop(SUPERSEDES, None)
    d.answers.pop(REPLACES, None)
    done(d)


# -- proof of study --------------------------------------------------------------------------


def parse_question(text: str) -> dict[str, Any]:
    """One question as typed: its first line the question, each further line an option, the
    right one starting with ``*``. Sizes and characters are the directive's rules."""
    lines = [one_line(line) for line in unicodedata.normalize("NFC", text).splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 2:
        raise DraftError("pq-shape")
    options: list[str] = []
    answer: int | None = None
    for k, line in enumerate(lines[1:]):
        if line.startswith(RIGHT_MARK):
            if answer is not None:
                raise DraftError("pq-one-right")
            answer, line = k, line[len(RIGHT_MARK) :].strip()
        options.append(line)
    if answer is None:
        raise DraftError("pq-one-right")
    return {"question": lines[0], "options": options, "answer": answer}


def add_question(d: Dialogue, text: str) -> int:
    """Add a typed question (checked with those before it); how many there are now."""
    item = parse_question(text)
    quiz = [*questions(d), item]
    rules.check_quiz(quiz, None, may_ask_questions(d))
    d.answers[QUIZ] = quiz
    return len(quiz)


def finish_questions(d: Dialogue) -> bool:
    """**Xong** after the questions: True if a pass mark is to be asked (two or more
    questions), False if the questions are complete (one: it must be right)."""
    quiz = questions(d)
    if not quiz:
        raise DraftError("pq-none")
    if len(quiz) == 1:
        d.answers[PASS_MARK] = 1
        done(d)
        return False
    d.answers[EXTRA] = PASS_MARK
    return True


def parse_pass_mark(text: str) -> int:
    raw = text.strip()
    if not raw.isdigit() or len(raw) > 2:
        raise DraftError("pq-bad-pass-mark")
    return int(raw)


def set_pass_mark(d: Dialogue, value: int) -> None:
    rules.check_quiz(questions(d), value, may_ask_questions(d))
    d.answers[PASS_MARK] = value
    done(d)


def drop_questions(d: Dialogue) -> None:
    d.answers.pop(QUIZ, None)
    d.answers.pop(PASS_MARK, None)
    done(d)
