"""Forwarding a received directive down one's own sub-tree (``/forward <number>``): the
secretary's own number, a cover note, the units to reach (by default their whole sub-tree) and
their own deadlines, no later than the original's.

The result is an ordinary draft with ``forwards`` set (the same field a TOML file uses), so
:func:`bot.services.publish.publish` stores it with ``parent_id`` = the original and
``issuer_unit_id`` = the secretary's unit, posts the cover note with the original's text, and
checks the deadlines with :func:`bot.services.directive_rules.check_forwarding`. A press on
the forwarded post confirms both (:mod:`bot.services.presses`); the roll-up of the original
counts every branch once and the documents each level issued (:mod:`bot.services.rollup`).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import access
from bot.services import directive_rules as rules
from bot.services import publish_dialogue as pd
from bot.services.directive_rules import DEADLINES
from bot.services.drafts import DirectiveDraft, DraftError
from bot.services.rollup import Forwarding, forwarding_tree
from storage import queries
from storage.models import Directive, DirectiveTarget, Unit

CELL = "cell"  # ``depth = "cell"``: the directive must reach every cell (the leaves)


@dataclass
class ForwardDialogue:
    """What has been answered so far; kept as a dialogue draft (``to_state``/``from_state``)."""

    original_id: int
    original_number: str
    home: tuple[int, str, str]  # the forwarding unit (id, code, name): the issuer
    roots: list[tuple[int, str, str]]  # the default targets: own sub-trees the original reached
    deadlines: list[str]  # the original's deadlines, asked in this order
    answers: dict[str, Any] = field(default_factory=dict)
    serial: str = field(default_factory=lambda: secrets.token_hex(3))

    def steps(self) -> list[str]:
        return ["number", "body", "targets", *self.deadlines]

    def next_step(self) -> str | None:
        return next((s for s in self.steps() if s not in self.answers), None)

    def step(self) -> str:
        return self.next_step() or "confirm"

    def to_state(self) -> dict[str, Any]:
        answers = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in self.answers.items()
        }
        return {
            "original_id": self.original_id,
            "original_number": self.original_number,
            "home": list(self.home),
            "roots": [list(r) for r in self.roots],
            "deadlines": list(self.deadlines),
            "answers": answers,
        }

    @classmethod
    def from_state(cls, serial: str, state: dict[str, Any]) -> ForwardDialogue:
        answers: dict[str, Any] = dict(state.get("answers") or {})
        for key in DEADLINES:
            if isinstance(answers.get(key), str):
                answers[key] = datetime.fromisoformat(answers[key])
        home = state["home"]
        return cls(
            original_id=int(state["original_id"]),
            original_number=str(state["original_number"]),
            home=(int(home[0]), str(home[1]), str(home[2])),
            roots=[(int(i), str(c), str(n)) for i, c, n in state.get("roots") or []],
            deadlines=[str(k) for k in state.get("deadlines") or [] if k in DEADLINES],
            answers=answers,
            serial=serial,
        )

    def to_draft(self, original: Directive, today: date) -> DirectiveDraft:
        a = self.answers
        return DirectiveDraft(
            number=a["number"],
            kind=pd.kind_from_number(a["number"]),
            title=original.title,
            issuer=self.home[2],
            issuer_unit=self.home[1],
            issued_on=today,
            targets=list(a["targets"]),
            body=a["body"],
            links=list(original.links),
            requires_study=original.requires_study,
            forwards=original.number,
            depth=original.depth,
            receive_by=a.get("receive_by"),
            study_by=a.get("study_by"),
            report_by=a.get("report_by"),
            # the original's proof of study goes down with it: passing here proves both
            quiz=list(original.quiz or []) if original.pass_mark is not None else [],
            pass_mark=original.pass_mark,
        )


async def target_paths(session: AsyncSession, directive_id: int) -> list[str]:
    stmt = (
        select(Unit.path)
        .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
        .where(DirectiveTarget.directive_id == directive_id)
    )
    return list((await session.scalars(stmt)).all())


async def start(
    session: AsyncSession,
    telegram_id: int,
    number: str,
    config_admins: Collection[int],
    tz: ZoneInfo,
) -> ForwardDialogue:
    """A new dialogue forwarding the directive ``number`` that reached a unit the asker
    manages; else a ``DraftError`` saying why (a number they never received is "not found")."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    managed = await access.managed_roots(session, member, config_admins) if member else []
    if not managed:
        raise DraftError("forward-not-allowed")
    original = (
        await session.scalars(
            select(Directive)
            .where(Directive.number == number)
            .order_by(Directive.id.desc())
            .limit(1)
        )
    ).first()
    paths = await target_paths(session, original.id) if original is not None else []
    received = [u for u in managed if any(u.path.startswith(p) for p in paths)]
    if original is None or not received:
        raise DraftError("directive-not-found", number=rules.shown(number))
    if original.status != "published":
        raise DraftError("forward-not-in-force", number=rules.shown(number))
    home = received[0]
    return ForwardDialogue(
        original_id=original.id,
        original_number=original.number,
        home=(home.id, home.code, home.name),
        roots=[(u.id, u.code, u.name) for u in received],
        deadlines=[k for k in DEADLINES if getattr(original, k) is not None],
    )


async def check_targets(session: AsyncSession, original: Directive, units: Sequence[Unit]) -> None:
    """Forwarded only where the original went (a secretary of two sub-trees cannot carry it
    into the one it never reached)."""
    paths = await target_paths(session, original.id)
    for unit in units:
        if not any(unit.path.startswith(p) for p in paths):
            raise DraftError("forward-outside-original", code=unit.code, number=original.number)


def check_deadline(original: Directive, which: str, moment: datetime | None, tz: ZoneInfo) -> None:
    """One typed deadline (naive local time) against the original's: the same rule publishing
    applies, at the step that caused it."""
    if moment is not None:
        rules.check_forwarding({which: rules.to_utc(moment, tz)}, original, tz)


def kept_deadline(original: Directive, which: str, tz: ZoneInfo) -> datetime | None:
    """The original's deadline as a draft holds one (naive local time)."""
    moment: datetime | None = getattr(original, which)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).replace(tzinfo=None)


# -- how deep it reached -------------------------------------------------------------------------


async def unforwarded(
    session: AsyncSession, directive: Directive, documents: Sequence[Forwarding] | None = None
) -> list[Unit]:
    """For a directive that must reach every cell (``depth = "cell"``): the units inside its
    targets that have units under them and have not issued their own document forwarding it
    (at any level of the forwarding chain), in tree order (parents first, siblings by id);
    empty for any other directive. ``documents``: its ``forwarding_tree`` when the caller has
    walked it already (the roll-up has).

    A targeted unit counts as done when the original was issued from within its own line
    (the province's department publishing to the province), as does any unit whose issuer
    document is in the chain."""
    if directive.depth != CELL:
        return []
    targets = list(
        (
            await session.scalars(
                select(Unit)
                .join(DirectiveTarget, DirectiveTarget.unit_id == Unit.id)
                .where(DirectiveTarget.directive_id == directive.id)
            )
        ).all()
    )
    if documents is None:
        documents = await forwarding_tree(session, directive.id)
    issuers = {f.issuer_unit_id for f in documents if f.issuer_unit_id is not None}
    own = await session.get(Unit, directive.issuer_unit_id) if directive.issuer_unit_id else None
    has_children = select(Unit.parent_id).where(Unit.parent_id.is_not(None))
    branches = (
        await session.scalars(
            select(Unit).where(queries.in_subtrees(targets), Unit.id.in_(has_children))
        )
    ).all()

    def issued_from_own_line(unit: Unit) -> bool:
        if own is None:  # published by an operator (the CLI): the target level itself
            return unit in targets
        return unit in targets and (
            own.path.startswith(unit.path) or unit.path.startswith(own.path)
        )

    left = [u for u in branches if u.id not in issuers and not issued_from_own_line(u)]
    return sorted(left, key=lambda u: [int(p) for p in u.path.strip("/").split("/")])
