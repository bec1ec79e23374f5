"""Proof of study: a directive with questions (``Directive.quiz``, ``pass_mark``) records
"studied" only for a member whose answers reach the pass mark.

Pressing **Đã học tập** on such a directive records "received" (as any press does) and opens
an attempt (:func:`open_attempt`, from ``bot.services.presses``); the questions then come one
at a time in the member's private chat, one message edited step by step, each option a button
``qz:<attempt>:<question>:<option>``. Nothing in that data is trusted: :func:`answer` checks
that the attempt is the presser's, still open, at that very question, and that the option
exists. The last answer scores the attempt; at the pass mark "studied" is recorded (once: the
confirmation's unique key); below it the member may try again (a new attempt). Every attempt
is kept: :func:`latest_scores` gives each member's latest finished one (for exports).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import chain, counters, lifecycle
from bot.services.render import Payload
from storage.models import Confirmation, Directive, Member, QuizAttempt
from storage.upsert import insert_ignore_returning

PREFIX = "qz"
_ANSWER = re.compile(rf"^{PREFIX}:(\d{{1,12}}):(\d):(\d)$")
_RETRY = re.compile(rf"^{PREFIX}:(\d{{1,12}}):r$")

# What :func:`answer` and :func:`retry` found.
NEXT, PASSED, FAILED, INVALID, CLOSED, DONE = (
    "next",
    "passed",
    "failed",
    "invalid",
    "closed",
    "done",  # studied already (a retry after passing, an answer to an old attempt)
)


def answer_data(attempt_id: int, question: int, option: int) -> str:
    return f"{PREFIX}:{attempt_id}:{question}:{option}"


def retry_data(attempt_id: int) -> str:
    return f"{PREFIX}:{attempt_id}:r"


def question_payload(t: Translator, directive: Directive, attempt_id: int, index: int) -> Payload:
    """Question ``index`` (from 0) of the directive's quiz as a message (HTML) with one
    button per option."""
    quiz: list[dict[str, Any]] = directive.quiz or []
    item = quiz[index]
    text = t(
        "qz-question",
        number=html.escape(directive.number),
        n=index + 1,
        total=len(quiz),
        question=html.escape(item["question"]),
    )
    buttons = [
        [{"text": option, "data": answer_data(attempt_id, index, k)}]
        for k, option in enumerate(item["options"])
    ]
    return {"method": "message", "text": text, "buttons": buttons}


async def first_question(
    session: AsyncSession, directive_id: int, attempt_id: int, t: Translator
) -> Payload:
    """The first question of a just opened attempt."""
    directive = await session.get(Directive, directive_id)
    assert directive is not None, "an attempt is opened on an existing directive"
    return question_payload(t, directive, attempt_id, 0)


async def open_attempt(
    session: AsyncSession, directive_id: int, member_id: int, now: datetime
) -> int | None:
    """A new attempt for the member (its id), or None if they have studied it already."""
    studied = await session.scalar(
        select(Confirmation.id).where(
            Confirmation.directive_id == directive_id,
            Confirmation.member_id == member_id,
            Confirmation.kind == "studied",
        )
    )
    if studied is not None:
        return None
    directive = await session.get(Directive, directive_id)
    total = len(directive.quiz or []) if directive is not None else 0
    attempt = QuizAttempt(
        directive_id=directive_id, member_id=member_id, answers=[], total=total, created_at=now
    )
    session.add(attempt)
    await session.flush()
    return attempt.id


@dataclass(frozen=True)
class Step:
    """What an answer (or a retry) led to: the next question to show (``payload``), or the
    end (``score`` of ``total``, ``pass_mark``)."""

    status: str
    number: str = ""
    payload: Payload | None = None
    score: int = 0
    total: int = 0
    pass_mark: int = 0
    attempt_id: int = 0


async def _own_attempt(
    session: AsyncSession, attempt_id: int, telegram_id: int
) -> tuple[QuizAttempt, Directive, Member] | None:
    attempt = await session.get(QuizAttempt, attempt_id, with_for_update=True)
    if attempt is None:
        return None
    member = await session.get(Member, attempt.member_id)
    directive = await session.get(Directive, attempt.directive_id)
    if member is None or member.telegram_id != telegram_id or directive is None:
        return None
    return attempt, directive, member


async def answer(
    session: AsyncSession, data: str, telegram_id: int, chat_id: int, now: datetime, t: Translator
) -> Step:
    """Record one answer given by pressing ``data``; the next question, or the result."""
    match = _ANSWER.match(data)
    if match is None:
        return Step(INVALID)
    attempt_id, index, option = (int(g) for g in match.groups())
    found = await _own_attempt(session, attempt_id, telegram_id)
    if found is None:
        return Step(INVALID)
    attempt, directive, member = found
    quiz: list[dict[str, Any]] = directive.quiz or []
    if attempt.finished_at is not None or index != len(attempt.answers):
        return Step(INVALID, directive.number)  # an old message, or a double tap
    if index >= len(quiz) or not 0 <= option < len(quiz[index]["options"]):
        return Step(INVALID, directive.number)
    if directive.status != lifecycle.PUBLISHED:
        return Step(CLOSED, directive.number)
    attempt.answers = [*attempt.answers, option]
    if len(attempt.answers) < len(quiz):
        return Step(
            NEXT,
            directive.number,
            payload=question_payload(t, directive, attempt.id, len(attempt.answers)),
        )
    score = sum(1 for a, item in zip(attempt.answers, quiz, strict=True) if a == item["answer"])
    mark = directive.pass_mark or len(quiz)
    attempt.score, attempt.passed, attempt.finished_at = score, score >= mark, now
    if attempt.passed:
        await _record_studied(session, directive.id, member.id, chat_id, now)
    return Step(
        PASSED if attempt.passed else FAILED,
        directive.number,
        score=score,
        total=len(quiz),
        pass_mark=mark,
        attempt_id=attempt.id,
    )


async def retry(
    session: AsyncSession, data: str, telegram_id: int, now: datetime, t: Translator
) -> Step:
    """Start again after a failed attempt: a new attempt, its first question."""
    match = _RETRY.match(data)
    if match is None:
        return Step(INVALID)
    found = await _own_attempt(session, int(match.group(1)), telegram_id)
    if found is None:
        return Step(INVALID)
    old, directive, member = found
    if old.passed is not False:  # only a failed, finished attempt offers a retry
        return Step(INVALID, directive.number)
    if directive.status != lifecycle.PUBLISHED:
        return Step(CLOSED, directive.number)
    attempt_id = await open_attempt(session, directive.id, member.id, now)
    if attempt_id is None:
        return Step(DONE, directive.number)
    return Step(
        NEXT,
        directive.number,
        payload=question_payload(t, directive, attempt_id, 0),
        attempt_id=attempt_id,
    )


async def _record_studied(
    session: AsyncSession, directive_id: int, member_id: int, chat_id: int, now: datetime
) -> None:
    rows = [
        {
            "directive_id": directive_id,
            "member_id": member_id,
            "kind": kind,
            "at": now,
            "chat_id": chat_id,
        }
        for kind in ("received", "studied")
    ]
    directive = await session.get(Directive, directive_id)
    if directive is not None:  # passed on a forwarded document: studied what it carries too
        rows += chain.rows_above(await chain.above(session, directive), rows)
    new = await insert_ignore_returning(
        session, Confirmation, rows, ["directive_id", "member_id", "kind"]
    )
    if new:
        await counters.mark_dirty(session, {(d, m) for d, m, _k in new})


@dataclass(frozen=True)
class Score:
    score: int
    total: int
    passed: bool
    at: datetime
    attempts: int
    answers: tuple[int, ...] = ()  # the option chosen for each question, from 0


async def latest_scores(session: AsyncSession, directive_id: int) -> dict[int, Score]:
    """Each member's latest finished attempt at the directive's questions (member id → score,
    answers), with how many attempts they finished: the quiz columns of an export."""
    stmt = (
        select(QuizAttempt)
        .where(QuizAttempt.directive_id == directive_id, QuizAttempt.finished_at.is_not(None))
        .order_by(QuizAttempt.member_id, QuizAttempt.finished_at, QuizAttempt.id)
    )
    scores: dict[int, Score] = {}
    for a in (await session.scalars(stmt)).all():
        done = scores[a.member_id].attempts + 1 if a.member_id in scores else 1
        assert a.finished_at is not None
        scores[a.member_id] = Score(
            a.score or 0, a.total, bool(a.passed), a.finished_at, done, tuple(a.answers)
        )
    return scores
