"""The reminder tick: claims due reminder rows and turns them into outbox rows.

Each group of due rows for one deadline is handled in its own transaction: the outbox rows and
the rows' new state are committed together, so a crash or restart neither loses nor repeats a
reminder (and the outbox keys ``rem<row>:...`` make a repeat impossible anyway).

Choices:
- a reminder missed while the bot was down goes out late, once, at the next tick; if a later
  offset of the same deadline is due as well, only the latest goes out (the others are marked
  ``skipped``), and once the escalation is due no "before the deadline" reminder is sent;
- a row found more than a few minutes late inside quiet hours (the bot was down, or the
  settings changed) waits for the morning;
- the members are streamed ``[reminders] chunk_size`` at a time (per-unit counts in grouped
  SQL, summary names a chunk of memberships at a time, reminders one INSERT ... SELECT per
  chunk of member ids), inside the deadline's one transaction: memory is flat in the number
  of members. Each chunk is idempotent (outbox keys), so the round could be split into one
  transaction per chunk (shorter SQLite write lock) without duplicates; not done, to keep the
  rule of one transaction per job;
- on PostgreSQL one process at a time runs a round (a transaction-scoped advisory lock), so two
  processes never split one deadline's rows between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.services import outbox
from bot.services import reminder_text as text
from bot.services.outbox import Outgoing
from bot.services.reminder_scope import (
    MAX_NAMES,
    Recipient,
    Scope,
    fill_names,
    lagging_children,
    member_counts,
    pending_names,
    reminder_recipients,
    report_scope,
    target_paths,
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


# Summaries held before they are written, counted in characters of their text: each carries
# up to a message of names (40 to 4,000 characters, growing with the units' size), so a count
# of summaries would let the tick's memory grow with the members per unit until the names
# fill a message (50 summaries: ~0.4 MiB more at 200 members a unit than at 50). About 5 full
# summaries, or 20 of a 50-member unit, per statement.
SUMMARY_TEXT_AT_ONCE = 20_000

# One reminder round at a time across processes sharing a PostgreSQL database: the rows are
# few (one per deadline and offset), the heavy sending is shared through the outbox. Without
# it, two processes could each claim a different offset of the same deadline and send both.
TICK_LOCK = 0x43_68_69_74  # "Chit"
# A row found this late inside quiet hours (the bot was down) waits for the morning; one a
# tick or two late (planned for 20:59, picked up at 21:00) still goes.
LATE_GRACE = timedelta(minutes=10)


async def _claim_round(session: AsyncSession) -> bool:
    """Take the cluster-wide reminder lock for this transaction (PostgreSQL); SQLite is one
    process, where ``ReminderTicker`` serialises rounds."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True
    taken = await session.scalar(select(func.pg_try_advisory_xact_lock(TICK_LOCK)))
    return bool(taken)


async def process_next_group(
    session: AsyncSession, now: datetime, rules: ReminderRules, texts: Texts, result: TickResult
) -> bool:
    """Claim the earliest due deadline's rows and handle them; False when nothing is due."""
    if not await _claim_round(session):
        return False  # another process is running a round right now
    due = (Reminder.state == PENDING, Reminder.due_at <= now)
    first_stmt = select(Reminder).where(*due).order_by(Reminder.due_at, Reminder.id).limit(1)
    first = (await session.scalars(first_stmt)).first()
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
    rows = list((await session.scalars(group_stmt)).all())
    directive = await session.get(Directive, first.directive_id)
    if directive is None or _stale(directive, first):
        for row in rows:
            row.state, row.done_at = CANCELLED, now
        result.cancelled += len(rows)
        return True
    escalations = [r for r in rows if r.kind == ESCALATION]
    chosen = (
        escalations[0] if escalations else max(rows, key=lambda r: (r.due_at, -r.offset_seconds))
    )
    if rules.quiet.contains(now) and now - chosen.due_at > LATE_GRACE:
        morning = rules.quiet.next_end(now)
        for row in rows:
            row.due_at = morning
        result.postponed += len(rows)
        return True
    for row in rows:
        if row is not chosen:
            row.state, row.done_at = SKIPPED, now
            result.skipped += 1
    if chosen.kind == ESCALATION:
        result.messages += await _escalate(session, directive, chosen, rules, texts)
    else:
        result.messages += await _remind(session, directive, chosen, now, rules, texts)
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
    """Translators and formatted deadlines by member language, made once per round."""

    def __init__(self, texts: Texts, deadline: datetime, now: datetime, tz: ZoneInfo) -> None:
        self.texts, self.deadline, self.now, self.tz = texts, deadline, now, tz
        self._cache: dict[str, tuple[Translator, text.When]] = {}

    def __call__(self, lang: str | None) -> tuple[Translator, text.When]:
        key = lang or self.texts.default
        if key not in self._cache:
            t = self.texts.for_lang(key)
            self._cache[key] = (t, text.When.of(t, self.deadline, self.now, self.tz))
        return self._cache[key]


async def _remind(
    session: AsyncSession,
    d: Directive,
    row: Reminder,
    now: datetime,
    rules: ReminderRules,
    texts: Texts,
) -> int:
    """Enqueue one round of reminders; returns outbox rows written. Streams: per-unit counts
    come from grouped SQL, each summary's names are read for its unit alone (at most what
    the message shows), and the members' reminders are written ``chunk_size`` members per
    statement; memory does not grow with the number of members."""
    lang = _Lang(texts, row.deadline_at or now, now, rules.tz)
    chunk = rules.chunk_size
    items: list[Outgoing] = []
    written = 0
    if row.deadline == "report_by":
        scope = await report_scope(session, d.id, row.cycle)
        for unit in scope.units.values():
            if unit.done:
                continue
            for m in unit.managers:
                t, when = lang(m.language)
                payload = text.report_reminder(t, d, unit, row.cycle, when)
                items.append(_to(m, f"rem{row.id}:u{unit.id}", "summary", payload, d.id))
            if len(items) >= chunk:
                written += await outbox.enqueue(session, items)
                items = []
        return written + await outbox.enqueue(session, items)
    # Summaries first: a secretary should not wait behind thousands of member reminders.
    scope = await member_counts(session, d.id, row.deadline)
    held = 0  # characters of summary text in ``items``
    async for unit_id, using, not_using in pending_names(
        session, d.id, row.deadline, chunk, MAX_NAMES
    ):
        unit = scope.units[unit_id]
        if not unit.managers:
            continue
        fill_names(unit, using, not_using, MAX_NAMES)
        for m in unit.managers:
            t, when = lang(m.language)
            payload = text.unit_summary(t, d, row.deadline, unit, when)
            items.append(_to(m, f"rem{row.id}:u{unit.id}", "summary", payload, d.id))
            held += len(payload["text"])
        unit.pending, unit.offline = [], []  # done with them: keep one unit's names at a time
        if len(items) >= chunk or held >= SUMMARY_TEXT_AT_ONCE:
            written += await outbox.enqueue(session, items)
            items, held = [], 0
    written += await outbox.enqueue(session, items)
    # Members: INSERT ... SELECT per language and per chunk of member ids (keyset), so no
    # statement writes more than ``chunk`` rows; the keys make a repeated chunk a no-op.
    paths = await target_paths(session, d.id)
    recipients = reminder_recipients(paths, d.id, row.deadline, now)
    people = recipients.subquery()
    languages = (await session.scalars(select(people.c.language).distinct())).all()
    last = 0
    while True:
        # The next ``chunk`` member ids (the primary key alone: cheap); the statement below
        # writes at most that many rows, fewer when some are not to be reminded.
        ids = select(Member.id).where(Member.id > last).order_by(Member.id).limit(chunk)
        bound = await session.scalar(select(func.max(ids.subquery().c.id)))
        if bound is None:
            break
        for language in languages:
            t, when = lang(language)
            written += await outbox.enqueue_to_many(
                session,
                recipients.where(Member.id > last, Member.id <= bound, Member.language == language),
                key_prefix=f"rem{row.id}",
                kind="reminder",
                payload=text.member_reminder(t, d, row.deadline, when, row.id),
                directive_id=d.id,
            )
        last = bound
    return written


def _to(
    recipient: Recipient | Member,
    key: str,
    kind: str,
    payload: dict[str, object],
    directive_id: int,
) -> Outgoing:
    if isinstance(recipient, Recipient):
        member_id, chat_id = recipient.member_id, recipient.telegram_id
    else:
        member_id, chat_id = recipient.id, recipient.chat_id
    return Outgoing(
        f"{key}:m{member_id}",
        kind,
        chat_id,
        payload,
        directive_id=directive_id,
        member_id=member_id,
    )


async def _escalate(
    session: AsyncSession, d: Directive, row: Reminder, rules: ReminderRules, texts: Texts
) -> int:
    """The deadline passed: lagging child units to each parent's secretaries, the whole-tree
    figure to the publisher. Returns outbox rows written."""
    deadline = row.deadline_at or row.due_at
    scope: Scope
    if row.deadline == "report_by":
        scope = await report_scope(session, d.id, row.cycle)
    else:
        scope = await member_counts(session, d.id, row.deadline)  # counts only: no names
    lang = _Lang(texts, deadline, row.due_at, rules.tz)
    items: list[Outgoing] = []
    for parent_id, children in lagging_children(scope, rules.threshold).items():
        parent = scope.units[parent_id]
        for m in parent.managers:
            t, _ = lang(m.language)
            payload = text.escalation(
                t,
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
        t, _ = lang(member.language)
        payload = text.overall(
            t, d, row.deadline, row.cycle, scope, deadline, rules.tz, rules.threshold
        )
        items.append(_to(member, f"rem{row.id}:pub", "escalation", payload, d.id))
    return await outbox.enqueue(session, items)


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
