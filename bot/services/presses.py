"""Recording presses in batches: one set of queries for many presses (group commit).

Each press is still checked on its own against the database (never trusting its data) and
answered only after the transaction that recorded it committed; what is shared is the
transaction, which turns ~7 statements per press into ~7 statements per batch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import chain, counters, lifecycle, quiz
from bot.services.buttons import parse_confirm
from bot.services.confirm import (
    ALREADY,
    CLOSED,
    CONFIRMABLE,
    INVALID,
    NOT_HERE,
    QUIZ,
    QUIZ_PRIVATE,
    RECALLED,
    RECORDED,
    REPLACED,
    UNLISTED,
    Press,
    PressOutcome,
)
from storage.db import SessionFactory, transaction
from storage.models import Chat, Confirmation, Delivery, Directive, Member, Membership
from storage.upsert import insert_ignore, insert_ignore_returning
from storage.write_turns import WriteTurns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Target:
    """A directive as far as a press needs it, and the unit of the chat it was posted in."""

    number: str
    status: str
    requires_study: bool
    unit_id: int | None
    quiz: bool = False  # "studied" needs the directive's questions answered (bot.services.quiz)
    parent_id: int | None = None  # the directive this one forwards (a press confirms both)


@dataclass(frozen=True)
class _Presser:
    member_id: int
    private_chat: bool
    blocked: bool
    placed: bool  # a member of some unit already


# Statements built once (building them is a good part of their cost); lists are expanding
# parameters, run on the session's connection (Core: no ORM work for plain rows).
_TARGETS = (
    select(
        Delivery.directive_id,
        Delivery.target_telegram_id,
        Delivery.message_id,
        Directive.number,
        Directive.status,
        Directive.requires_study,
        Chat.unit_id,
        Directive.pass_mark,
        Directive.parent_id,
    )
    .join(Directive, Directive.id == Delivery.directive_id)
    .outerjoin(Chat, Chat.id == Delivery.chat_id)
    .where(
        tuple_(Delivery.directive_id, Delivery.target_telegram_id, Delivery.message_id).in_(
            bindparam("keys", expanding=True)
        ),
        Delivery.state == "sent",
        Delivery.kind.in_(CONFIRMABLE),
    )
)
_PRESSERS = select(
    Member.telegram_id,
    Member.id,
    Member.private_chat,
    Member.blocked,
    select(Membership.id).where(Membership.member_id == Member.id).exists().label("placed"),
).where(Member.telegram_id.in_(bindparam("telegram_ids", expanding=True)))


async def _targets(
    session: AsyncSession, keys: set[tuple[int, int, int]]
) -> dict[tuple[int, int, int], _Target]:
    """(directive, chat, message) → the directive, where the bot really posted it as that
    message; with the chat's unit (None for private copies)."""
    if not keys:
        return {}
    connection = await session.connection()
    rows = await connection.execute(_TARGETS, {"keys": sorted(keys)})
    found: dict[tuple[int, int, int], _Target] = {}
    for directive_id, target, message_id, number, status, study, unit_id, mark, parent in rows:
        key = (int(directive_id or 0), target, int(message_id or 0))
        found[key] = _Target(number, status, study, unit_id, mark is not None, parent)
    return found


async def _find_pressers(session: AsyncSession, telegram_ids: list[int]) -> dict[int, _Presser]:
    connection = await session.connection()
    rows = await connection.execute(_PRESSERS, {"telegram_ids": telegram_ids})
    return {
        tg: _Presser(member_id, private, blocked, bool(is_placed))
        for tg, member_id, private, blocked, is_placed in rows
        if tg is not None  # looked up by Telegram id: never None
    }


async def _members(session: AsyncSession, presses: Sequence[Press]) -> dict[int, _Presser]:
    """Every presser as a member, created on first contact. Known members (the usual case)
    cost one select; new ones one insert and one more select."""
    by_tg = {p.person.telegram_id: p for p in presses}
    found = await _find_pressers(session, list(by_tg))
    unknown = [tg for tg in by_tg if tg not in found]
    new = [
        {
            "telegram_id": tg,
            "full_name": by_tg[tg].person.full_name or str(tg),
            "username": by_tg[tg].person.username,
            "language": by_tg[tg].language,
            "private_chat": by_tg[tg].chat_type == "private",
            "blocked": False,
        }
        for tg in unknown
    ]
    if new:
        await insert_ignore(session, Member, new, ["telegram_id"])
        found.update(await _find_pressers(session, unknown))
    # Pressing in a private chat proves the bot can write there.
    reachable = [
        tg
        for tg, p in by_tg.items()
        if p.chat_type == "private"
        and tg in found
        and (not found[tg].private_chat or found[tg].blocked)
    ]
    if reachable:
        await session.execute(
            update(Member)
            .where(Member.telegram_id.in_(reachable))
            .values(private_chat=True, blocked=False)
            .execution_options(synchronize_session=False)
        )
    return found


async def record_presses(session: AsyncSession, presses: Sequence[Press]) -> list[PressOutcome]:
    """Check and record many presses; outcomes in the same order as ``presses``."""
    outcomes: list[PressOutcome | None] = [None] * len(presses)
    parsed: dict[int, tuple[int, str]] = {}
    for i, press in enumerate(presses):
        data = parse_confirm(press.data)
        if data is None or press.message_id is None:
            outcomes[i] = PressOutcome(INVALID)
        else:
            parsed[i] = data
    keys = {(parsed[i][0], presses[i].chat_id, presses[i].message_id or 0) for i in parsed}
    targets = await _targets(session, keys)
    live: dict[int, _Target] = {}
    missing: set[int] = set()
    replaced: dict[int, int] = {}  # press → directive replaced by a newer one
    for i, (directive_id, kind) in parsed.items():
        target = targets.get((directive_id, presses[i].chat_id, presses[i].message_id or 0))
        if target is None:
            missing.add(directive_id)
        elif kind == "studied" and not target.requires_study:
            outcomes[i] = PressOutcome(INVALID)
        elif target.status == lifecycle.RECALLED:
            outcomes[i] = PressOutcome(RECALLED, kind, target.number)
        elif target.status == lifecycle.SUPERSEDED:
            replaced[i] = directive_id
        elif target.status != lifecycle.PUBLISHED:
            outcomes[i] = PressOutcome(CLOSED, kind, target.number)
        else:
            live[i] = target
    if replaced:  # only presses on replaced posts pay for this: they are told the new number
        newer = await lifecycle.replaced_by(session, set(replaced.values()))
        for i, directive_id in replaced.items():
            number = (
                newer.get(directive_id)
                or targets[(directive_id, presses[i].chat_id, presses[i].message_id or 0)].number
            )
            outcomes[i] = PressOutcome(REPLACED, parsed[i][1], number)
    if missing:  # only bad presses pay for this: say what was wrong
        known = {
            d.id: d
            for d in (
                await session.scalars(select(Directive).where(Directive.id.in_(missing)))
            ).all()
        }
        for i, (directive_id, kind) in parsed.items():
            if outcomes[i] is None and i not in live:
                d = known.get(directive_id)
                if d is None or (kind == "studied" and not d.requires_study):
                    outcomes[i] = PressOutcome(INVALID)
                else:
                    outcomes[i] = PressOutcome(NOT_HERE, kind, d.number)
    if live:
        members = await _members(session, [presses[i] for i in live])
        await _confirm(session, presses, parsed, live, members, outcomes)
        # Someone on no unit's roster pressed in a unit's group: the press is kept (it counts
        # once they claim their entry) but they are not added to the roster, which the figures
        # are over; they are asked to find their name through the bot.
        for i, t in live.items():
            presser = members[presses[i].person.telegram_id]
            outcome = outcomes[i]
            if (
                t.unit_id is not None
                and presses[i].chat_type != "private"
                and not presser.placed
                and outcome is not None
                and outcome.status == RECORDED
            ):
                outcomes[i] = PressOutcome(UNLISTED, outcome.kind, outcome.number)
    return [o or PressOutcome(INVALID) for o in outcomes]


async def _confirm(
    session: AsyncSession,
    presses: Sequence[Press],
    parsed: dict[int, tuple[int, str]],
    live: dict[int, _Target],
    members: dict[int, _Presser],
    outcomes: list[PressOutcome | None],
) -> None:
    rows: dict[tuple[int, int, str], dict[str, object]] = {}
    # "Studied" on a directive with questions records "received" and opens the questions.
    quizzes = {i for i in live if parsed[i][1] == "studied" and live[i].quiz}
    parents = {t.parent_id for t in live.values() if t.parent_id is not None}
    ancestors = await chain.links(session, parents) if parents else {}
    for i in live:
        directive_id, kind = parsed[i]
        member_id = members[presses[i].person.telegram_id].member_id
        studied = kind == "studied" and i not in quizzes
        wanted = ["received", "studied"] if studied else ["received"]  # implies
        # A forwarded post carries the original too: one press confirms every directive up
        # the chain that is still in force (as far as each asks: "studied" only if it does,
        # and not by a bare press where it asks for its questions to be answered).
        confirmed = [(directive_id, wanted)] + [
            (a.id, [k for k in wanted if k == "received" or (a.requires_study and not a.quiz)])
            for a in chain.walk(live[i].parent_id, ancestors)
            if a.status == lifecycle.PUBLISHED
        ]
        for did, kinds in confirmed:
            for k in kinds:
                rows.setdefault(
                    (did, member_id, k),
                    {
                        "directive_id": did,
                        "member_id": member_id,
                        "kind": k,
                        "at": presses[i].at,
                        "chat_id": presses[i].chat_id,
                    },
                )
    new = await insert_ignore_returning(
        session, Confirmation, list(rows.values()), ["directive_id", "member_id", "kind"]
    )
    # Every post whose figures moved (the originals' posts too) shows new counters.
    touched: set[tuple[int, int]] = {(d, m) for d, m, _k in new}
    for i in quizzes:
        directive_id = parsed[i][0]
        presser = members[presses[i].person.telegram_id]
        outcomes[i] = await _open_quiz(session, presses[i], directive_id, presser, live[i].number)
    for i in live:  # the first press of a key in the batch records it; a repeat is "already"
        if i in quizzes:
            continue
        directive_id, kind = parsed[i]
        member_id = members[presses[i].person.telegram_id].member_id
        key = (directive_id, member_id, kind)
        if key in new:
            new.discard(key)
            outcomes[i] = PressOutcome(RECORDED, kind, live[i].number)
            touched.add((directive_id, member_id))
        else:
            outcomes[i] = PressOutcome(ALREADY, kind, live[i].number)
    if touched:
        await counters.mark_dirty(session, touched)


async def _open_quiz(
    session: AsyncSession, press: Press, directive_id: int, presser: _Presser, number: str
) -> PressOutcome:
    """The questions for a "studied" press, to be sent in private by the press lane; the
    presser is told to open the bot first if it cannot write to them there."""
    reachable = press.chat_type == "private" or (presser.private_chat and not presser.blocked)
    if not reachable:
        return PressOutcome(QUIZ_PRIVATE, "studied", number)
    attempt = await quiz.open_attempt(session, directive_id, presser.member_id, press.at)
    if attempt is None:
        return PressOutcome(ALREADY, "studied", number)
    return PressOutcome(QUIZ, "studied", number, attempt=attempt, directive_id=directive_id)


class PressBatcher:
    """Collects presses arriving together and records them in one transaction.

    ``submit`` returns once the press is committed. A batch that fails is retried press by
    press, so one bad press never costs the others their answer.
    """

    def __init__(
        self, sessions: SessionFactory, max_batch: int = 200, turns: WriteTurns | None = None
    ) -> None:
        self.sessions = sessions
        # SQLite: wait for the process's other writers here, in turn, rather than in SQLite's
        # busy handler (which sleeps in growing steps, up to 100 ms at a time).
        self.turns = turns or WriteTurns(enabled=False)
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Press, asyncio.Future[PressOutcome]]] = asyncio.Queue()
        self.batches = 0  # figures for the benchmark: batches, presses, seconds spent
        self.presses = 0
        self.busy_seconds = 0.0

    async def submit(self, press: Press) -> PressOutcome:
        future: asyncio.Future[PressOutcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((press, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            await asyncio.sleep(0)  # let presses that arrived together join this batch
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._record(batch)

    async def _record(self, batch: list[tuple[Press, asyncio.Future[PressOutcome]]]) -> None:
        self.batches += 1
        self.presses += len(batch)
        started = time.perf_counter()
        try:
            await self._record_batch(batch)
        finally:
            self.busy_seconds += time.perf_counter() - started

    async def _record_batch(self, batch: list[tuple[Press, asyncio.Future[PressOutcome]]]) -> None:
        try:
            async with self.turns.turn(urgent=True), transaction(self.sessions) as session:
                outcomes = await record_presses(session, [p for p, _ in batch])
        except Exception:  # any failure: fall back to one transaction per press
            log.exception("recording a batch of %d presses failed; retrying one by one", len(batch))
            for press, future in batch:
                try:
                    async with self.turns.turn(urgent=True), transaction(self.sessions) as session:
                        [outcome] = await record_presses(session, [press])
                except Exception as exc:  # the handler's error path reports it
                    if not future.done():
                        future.set_exception(exc)
                else:
                    if not future.done():
                        future.set_result(outcome)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
