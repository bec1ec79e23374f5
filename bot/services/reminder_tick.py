"""The reminder tick: claims due reminder rows and turns them into outbox rows.

Each group of due rows for one deadline is handled in its own transaction: the outbox rows and
the rows' new state are committed together, so a crash or restart neither loses nor repeats a
reminder (and the outbox keys ``rem<row>:...`` make a repeat impossible anyway).

Choices:
- a reminder missed while the bot was down goes out late, once, at the next tick; if a later
  offset of the same deadline is due as well, only the latest goes out (the others are marked
  ``skipped``), and once the escalation is due no "before the deadline" reminder is sent;
- a row that falls due during quiet hours (the bot was down, or the settings changed) waits for
  the morning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.services import outbox
from bot.services import reminder_text as text
from bot.services.outbox import Outgoing
from bot.services.reminder_scope import (
    Recipient,
    Scope,
    lagging_children,
    member_scope,
    report_scope,
)
from bot.services.reminders import (
    CANCELLED,
    DONE,
    PENDING,
    SKIPPED,
    ReminderRules,
    open_report_cycle,
    plan_deadline,
)
from bot.services.schedule import ESCALATION, next_cycle_deadline
from storage.db import SessionFactory, transaction
from storage.models import Directive, Member, Reminder


@dataclass
class TickResult:
    processed: int = 0  # rows whose messages were enqueued
    skipped: int = 0  # earlier offsets superseded by a later one due at the same time
    postponed: int = 0  # due in quiet hours: moved to the morning
    cancelled: int = 0  # the directive closed or the deadline moved
    messages: int = 0  # outbox rows written


async def run_due_reminders(
    sessions: SessionFactory,
    now: datetime,
    settings: Settings,
    texts: Texts,
    *,
    max_groups: int = 10_000,
) -> TickResult:
    """Handle every reminder row due at ``now``; one transaction per deadline."""
    rules = ReminderRules.from_settings(settings)
    result = TickResult()
    for _ in range(max_groups):
        async with transaction(sessions) as session:
            if not await process_next_group(session, now, rules, texts, result):
                break
    return result


def _locked(session: AsyncSession, stmt: object) -> object:
    """On PostgreSQL, lock claimed rows and skip those another process holds."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)  # type: ignore[attr-defined]
    return stmt


async def process_next_group(
    session: AsyncSession, now: datetime, rules: ReminderRules, texts: Texts, result: TickResult
) -> bool:
    """Claim the earliest due deadline's rows and handle them; False when nothing is due."""
    due = (Reminder.state == PENDING, Reminder.due_at <= now)
    first_stmt = select(Reminder).where(*due).order_by(Reminder.due_at, Reminder.id).limit(1)
    first = (await session.scalars(_locked(session, first_stmt))).first()  # type: ignore[call-overload]
    if first is None:
        return False
    group_stmt = (
        select(Reminder)
        .where(
            *due,
            Reminder.directive_id == first.directive_id,
            Reminder.deadline == first.deadline,
            Reminder.cycle == first.cycle,
        )
        .order_by(Reminder.due_at, Reminder.id)
    )
    rows = list((await session.scalars(_locked(session, group_stmt))).all())  # type: ignore[call-overload]
    directive = await session.get(Directive, first.directive_id)
    if directive is None or _stale(directive, first):
        for row in rows:
            row.state, row.done_at = CANCELLED, now
        result.cancelled += len(rows)
        return True
    if rules.quiet.contains(now):
        morning = rules.quiet.next_end(now)
        for row in rows:
            row.due_at = morning
        result.postponed += len(rows)
        return True
    escalations = [r for r in rows if r.kind == ESCALATION]
    chosen = (
        escalations[0] if escalations else max(rows, key=lambda r: (r.due_at, -r.offset_seconds))
    )
    for row in rows:
        if row is not chosen:
            row.state, row.done_at = SKIPPED, now
            result.skipped += 1
    if chosen.kind == ESCALATION:
        items = await _escalate(session, directive, chosen, rules, texts)
    else:
        items = await _remind(session, directive, chosen, now, rules, texts)
    result.messages += await outbox.enqueue(session, items)
    chosen.state, chosen.done_at = DONE, now
    result.processed += 1
    if chosen.kind == ESCALATION and chosen.deadline == "report_by" and directive.report_every:
        await _open_next_cycle(session, directive, chosen, now, rules)
    await session.flush()
    return True


def _stale(directive: Directive, row: Reminder) -> bool:
    """The directive is no longer open, or this row was planned for another deadline."""
    if directive.status != "published":
        return True
    if row.deadline == "report_by":
        return directive.report_by is None  # cycles carry their own deadlines
    current: datetime | None = getattr(directive, row.deadline)
    return current is None or row.deadline_at is None or current != row.deadline_at


class _Lang:
    """Translators by member language, made once per group."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self._cache: dict[str, Translator] = {}

    def __call__(self, lang: str | None) -> Translator:
        key = lang or self.texts.default
        if key not in self._cache:
            self._cache[key] = self.texts.for_lang(key)
        return self._cache[key]


async def _remind(
    session: AsyncSession,
    d: Directive,
    row: Reminder,
    now: datetime,
    rules: ReminderRules,
    texts: Texts,
) -> list[Outgoing]:
    deadline = row.deadline_at or now
    lang = _Lang(texts)
    items: list[Outgoing] = []
    if row.deadline == "report_by":
        scope = await report_scope(session, d.id, row.cycle)
        for unit in scope.units.values():
            if unit.done:
                continue
            for m in unit.managers:
                payload = text.report_reminder(
                    lang(m.language), d, unit, row.cycle, deadline, now, rules.tz
                )
                items.append(_to(m, f"rem{row.id}:u{unit.id}", "summary", payload, d.id))
        return items
    scope = await member_scope(session, d.id, row.deadline, now)
    # Summaries first: a secretary should not wait behind thousands of member reminders.
    for unit in scope.units.values():
        if not unit.pending:
            continue
        for m in unit.managers:
            payload = text.unit_summary(
                lang(m.language), d, row.deadline, unit, deadline, now, rules.tz
            )
            items.append(_to(m, f"rem{row.id}:u{unit.id}", "summary", payload, d.id))
    rendered: dict[str, dict[str, object]] = {}
    for m in scope.to_remind:
        if m.language not in rendered:
            rendered[m.language] = text.member_reminder(
                lang(m.language), d, row.deadline, deadline, now, rules.tz, row.id
            )
        items.append(_to(m, f"rem{row.id}", "reminder", rendered[m.language], d.id))
    return items


def _to(
    recipient: Recipient | Member,
    key: str,
    kind: str,
    payload: dict[str, object],
    directive_id: int,
) -> Outgoing:
    member_id = recipient.member_id if isinstance(recipient, Recipient) else recipient.id
    return Outgoing(
        f"{key}:m{member_id}",
        kind,
        recipient.telegram_id,
        payload,
        directive_id=directive_id,
        member_id=member_id,
    )


async def _escalate(
    session: AsyncSession, d: Directive, row: Reminder, rules: ReminderRules, texts: Texts
) -> list[Outgoing]:
    deadline = row.deadline_at or row.due_at
    scope: Scope
    if row.deadline == "report_by":
        scope = await report_scope(session, d.id, row.cycle)
    else:
        scope = await member_scope(session, d.id, row.deadline, row.due_at)
    lang = _Lang(texts)
    items: list[Outgoing] = []
    for parent_id, children in lagging_children(scope, rules.threshold).items():
        parent = scope.units[parent_id]
        for m in parent.managers:
            payload = text.escalation(
                lang(m.language),
                d,
                row.deadline,
                row.cycle,
                parent,
                children,
                deadline,
                rules.tz,
                rules.threshold,
            )
            items.append(_to(m, f"rem{row.id}:u{parent_id}", "escalation", payload, d.id))
    for member in await _publishers(session, d, rules):
        payload = text.overall(
            lang(member.language),
            d,
            row.deadline,
            row.cycle,
            scope,
            deadline,
            rules.tz,
            rules.threshold,
        )
        items.append(_to(member, f"rem{row.id}:pub", "escalation", payload, d.id))
    return items


async def _publishers(session: AsyncSession, d: Directive, rules: ReminderRules) -> list[Member]:
    """Who gets the whole-tree figure: the publisher, or (CLI publishing) the configured
    admins; only people who opened a private chat with the bot."""
    if d.published_by is not None:
        stmt = select(Member).where(Member.id == d.published_by)
    elif rules.admins:
        stmt = select(Member).where(Member.telegram_id.in_(rules.admins))
    else:
        return []
    stmt = stmt.where(Member.private_chat.is_(True), Member.blocked.is_(False))
    return list((await session.scalars(stmt.order_by(Member.id))).all())


async def _open_next_cycle(
    session: AsyncSession, d: Directive, row: Reminder, now: datetime, rules: ReminderRules
) -> None:
    """A periodic report: the cycle after this one opens when this one's deadline passes."""
    if d.report_by is None or d.report_every is None or row.deadline_at is None:
        return
    deadline = next_cycle_deadline(row.deadline_at, d.report_by, d.report_every, rules.tz)
    await open_report_cycle(session, d, row.cycle + 1, deadline)
    await plan_deadline(
        session, d, "report_by", cycle=row.cycle + 1, deadline=deadline, now=now, rules=rules
    )
