"""Publishing a directive: validate, store it, and write its deliveries in the same transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ReminderSettings
from bot.i18n import Texts, Translator
from bot.services import access, attachments, lifecycle, outbox, reminders
from bot.services import directive_rules as rules
from bot.services.buttons import forward_button
from bot.services.deadlines import check_may_change
from bot.services.directive_rules import DEADLINES as DEADLINES
from bot.services.directive_rules import to_utc as to_utc
from bot.services.drafts import DirectiveDraft, DraftError
from bot.services.outbox import Outgoing
from bot.services.pending import directive_by_number
from bot.services.render import counters_line, qr_payload, render_directive
from storage import queries
from storage.models import (
    AuditEvent,
    Chat,
    Directive,
    DirectiveTarget,
    Member,
    Membership,
    Unit,
)

SCHEDULED = "scheduled"  # stored, waiting for its publish_at (bot.services.scheduled)


@dataclass(frozen=True)
class PublishResult:
    directive: Directive
    chats: int
    private_copies: int
    messages: int


async def _check(
    session: AsyncSession, draft: DirectiveDraft, now: datetime, tz: ZoneInfo
) -> tuple[list[Unit], dict[str, datetime | None]]:
    """The draft's rules (:mod:`bot.services.directive_rules`), then what needs the database."""
    deadlines = rules.check_draft(draft, now=now, tz=tz)
    attachments.check_stored([*draft.attachments, *draft.files])  # sizes known before posting
    units = await queries.units_by_code(session, draft.targets)
    unknown = [c for c in draft.targets if c not in units]
    if unknown:
        raise DraftError("publish-unknown-target", code=unknown[0])
    exists = await session.scalar(
        select(Directive.id).where(
            Directive.number == draft.number, Directive.issuer == draft.issuer
        )
    )
    if exists is not None:
        raise DraftError("publish-duplicate", number=draft.number, issuer=draft.issuer)
    return [units[c] for c in draft.targets], deadlines


async def check_permission(
    session: AsyncSession,
    publisher: Member | None,
    targets: Sequence[Unit],
    config_admins: Collection[int],
) -> None:
    """Admins publish anywhere; secretaries only into their own sub-trees."""
    if publisher is None:  # the CLI runs with the operator's authority
        return
    managed = await access.managed_roots(session, publisher, config_admins)
    if not managed:
        raise DraftError("publish-not-allowed")
    outside = [u for u in targets if not queries.covers(managed, u)]
    if outside:
        raise DraftError("publish-outside-subtree", code=outside[0].code)


async def validate(
    session: AsyncSession,
    draft: DirectiveDraft,
    *,
    publisher: Member | None,
    config_admins: Collection[int],
    now: datetime,
    tz: ZoneInfo,
) -> list[Unit]:
    """Everything that can be wrong with a draft, checked before anything is written."""
    targets, _ = await _check(session, draft, now, tz)
    await check_permission(session, publisher, targets, config_admins)
    return targets


async def publish(
    session: AsyncSession,
    draft: DirectiveDraft,
    *,
    publisher: Member | None,
    config_admins: Collection[int],
    now: datetime,
    tz: ZoneInfo,
    texts: Texts,
    reminder_settings: ReminderSettings | None = None,
) -> PublishResult:
    """Store the directive and enqueue every post, QR image, attachment and private copy;
    plan its reminders (``reminder_settings`` from the config; the defaults if not given)."""
    targets, deadlines = await _check(session, draft, now, tz)
    await check_permission(session, publisher, targets, config_admins)
    issuer_unit = (
        await queries.unit_by_code(session, draft.issuer_unit) if draft.issuer_unit else None
    )
    forwarded = await _by_number(session, draft.forwards)
    if forwarded is not None:
        rules.check_forwarding(deadlines, forwarded, tz)
    superseded = await check_supersedes(session, draft, publisher, config_admins)
    directive = Directive(
        number=draft.number,
        kind=draft.kind,
        title=draft.title,
        issuer=draft.issuer,
        issuer_unit_id=issuer_unit.id if issuer_unit else None,
        issued_on=draft.issued_on,
        body=draft.body.strip(),
        links=draft.links,
        # paths (TOML, CLI) and files sent in the chat (by Telegram file_id)
        attachments=[*(str(p) for p in draft.attachments), *draft.files],
        requires_study=draft.requires_study,
        report_every=draft.report_every,
        depth=draft.depth,
        parent_id=forwarded.id if forwarded else None,
        supersedes_number=draft.supersedes,
        supersedes_id=superseded.id if superseded else None,
        status=SCHEDULED if draft.publish_at is not None else "published",
        published_by=publisher.id if publisher else None,
        published_at=now,
        publish_at=rules.to_utc(draft.publish_at, tz) if draft.publish_at else None,
        quiz=draft.quiz or None,
        pass_mark=(draft.pass_mark or len(draft.quiz)) if draft.quiz else None,
        **deadlines,
    )
    session.add(directive)
    await session.flush()
    session.add_all(DirectiveTarget(directive_id=directive.id, unit_id=u.id) for u in targets)
    if directive.status == SCHEDULED:  # stored; the schedule tick releases it at publish_at
        session.add(
            AuditEvent(
                at=now,
                actor=str(publisher.telegram_id) if publisher else "cli",
                action="schedule",
                subject=directive.number,
                detail={"directive_id": directive.id, "publish_at": str(directive.publish_at)},
            )
        )
        await session.flush()
        return PublishResult(directive, 0, 0, 0)
    return await release(
        session,
        directive,
        targets,
        publisher=publisher,
        config_admins=config_admins,
        now=now,
        tz=tz,
        texts=texts,
        reminder_settings=reminder_settings,
        forwards=draft.forwards,
        superseded=superseded,
    )


async def release(
    session: AsyncSession,
    directive: Directive,
    targets: Sequence[Unit],
    *,
    publisher: Member | None,
    config_admins: Collection[int],
    now: datetime,
    tz: ZoneInfo,
    texts: Texts,
    reminder_settings: ReminderSettings | None,
    forwards: str | None,
    superseded: Directive | None,
) -> PublishResult:
    """Post a stored directive: its posts and private copies into the outbox, the one it
    replaces marked, its reminders planned (at once, or by the schedule tick at publish_at)."""
    original = await session.get(Directive, directive.parent_id) if directive.parent_id else None
    items, chats = await _chat_posts(session, directive, targets, texts, tz, forwards, original)
    private = await _private_copies(session, directive, targets, texts, tz, forwards, original)
    written = await outbox.enqueue(session, items + private)
    if superseded is not None and superseded.status == lifecycle.PUBLISHED:
        if publisher is not None:  # replacing it is changing it: the same people may
            await check_may_change(
                session, publisher, superseded, list(config_admins), "lifecycle-not-allowed"
            )
        # After the new posts are queued: each old post links to the new one in its chat.
        await lifecycle.supersede(
            session,
            superseded,
            directive,
            now=now,
            texts=texts,
            tz=tz,
            actor=str(publisher.telegram_id) if publisher else "cli",
        )
    session.add(
        AuditEvent(
            at=now,
            actor=str(publisher.telegram_id) if publisher else "cli",
            action="publish",
            subject=directive.number,
            detail={
                "directive_id": directive.id,
                "chats": chats,
                "private": len(private),
                "messages": written,
            },
        )
    )
    await session.flush()
    await reminders.plan_directive(
        session,
        directive,
        now=now,
        rules=reminders.ReminderRules.build(
            reminder_settings or ReminderSettings.model_validate({}), tz, tuple(config_admins)
        ),
    )
    return PublishResult(directive, chats, len(private), written)


async def check_supersedes(
    session: AsyncSession,
    draft: DirectiveDraft,
    publisher: Member | None,
    config_admins: Collection[int],
) -> Directive | None:
    """The directive ``draft`` replaces: None for a number Chithi never published (the post
    only names it, as for a letter older than the bot). Replacing one in force is changing
    it: only who may amend or recall it may (checked again when a scheduled one is
    released)."""
    old = await _by_number(session, draft.supersedes)
    if old is not None and old.status == lifecycle.PUBLISHED and publisher is not None:
        await check_may_change(
            session, publisher, old, list(config_admins), "lifecycle-not-allowed"
        )
    return old


async def _by_number(session: AsyncSession, number: str | None) -> Directive | None:
    return await directive_by_number(session, number) if number else None


async def unit_member_counts(session: AsyncSession, unit_ids: Collection[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for part in queries.chunks(unit_ids):  # below the drivers' parameter limits
        stmt = (
            select(Membership.unit_id, func.count(Membership.id))
            .where(Membership.unit_id.in_(part))
            .group_by(Membership.unit_id)
        )
        counts.update((uid, n) for uid, n in (await session.execute(stmt)).all())
    return counts


async def _chat_posts(
    session: AsyncSession,
    d: Directive,
    targets: Sequence[Unit],
    texts: Texts,
    tz: ZoneInfo,
    forwards: str | None,
    original: Directive | None = None,
) -> tuple[list[Outgoing], int]:
    stmt = (
        select(Chat)
        .join(Unit, Chat.unit_id == Unit.id)
        .where(Chat.active.is_(True), queries.in_subtrees(targets))
        .order_by(Unit.path, Chat.id)
    )
    chats = list((await session.scalars(stmt)).all())
    t = texts.for_lang(texts.default)
    rendered = render_directive(t, d, tz, forwards=forwards, original=original)
    totals = await unit_member_counts(session, {c.unit_id for c in chats if c.unit_id})
    items: list[Outgoing] = []
    for chat in chats:
        total = totals.get(chat.unit_id or 0, 0)
        last = len(rendered.parts) - 1
        for seq, part in enumerate(rendered.parts):
            payload: dict[str, object] = {"method": "message", "text": part}
            if seq == last:
                payload["buttons"] = rendered.buttons
                payload["counters"] = counters_line(t, 0, 0, total, d.requires_study)
                payload["confirm"] = True
            if rendered.abridged:  # redraws (amend, recall) keep it one message
                payload["abridged"] = True
            items.append(
                Outgoing(
                    f"d{d.id}:c{chat.id}:post:{seq}",
                    "post",
                    chat.telegram_id,
                    dict(payload),
                    directive_id=d.id,
                    chat_id=chat.id,
                )
            )
        items.extend(
            _extras(
                t,
                d,
                chat.telegram_id,
                f"d{d.id}:c{chat.id}",
                chat_id=chat.id,
                abridged=rendered.abridged,
            )
        )
    return items, len(chats)


def _extras(
    t: Translator,
    d: Directive,
    target: int,
    key: str,
    *,
    chat_id: int | None = None,
    member_id: int | None = None,
    abridged: bool = False,
    qr_codes: bool = True,
    kind: str = "qr",
) -> list[Outgoing]:
    """QR images for the links (groups only), then the files (see
    :func:`bot.services.attachments.payloads`: albums, the full text of an abridged post)."""
    items = []
    for i, link in enumerate(d.links if qr_codes else []):
        items.append(
            Outgoing(
                f"{key}:qr:{i}",
                "qr",
                target,
                qr_payload(t, link),
                directive_id=d.id,
                chat_id=chat_id,
                member_id=member_id,
            )
        )
    for i, payload in enumerate(attachments.payloads(t, d, abridged=abridged)):
        items.append(
            Outgoing(
                f"{key}:doc:{i}",
                kind,
                target,
                payload,
                directive_id=d.id,
                chat_id=chat_id,
                member_id=member_id,
            )
        )
    return items


async def _private_copies(
    session: AsyncSession,
    d: Directive,
    targets: Sequence[Unit],
    texts: Texts,
    tz: ZoneInfo,
    forwards: str | None,
    original: Directive | None = None,
) -> list[Outgoing]:
    """Members who opened a private chat with the bot get the directive there too."""
    stmt = (
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .where(
            Member.private_chat.is_(True), Member.blocked.is_(False), queries.in_subtrees(targets)
        )
        .distinct()
        .order_by(Member.id)
    )
    members = list((await session.scalars(stmt)).all())
    managers = set(
        (
            await session.scalars(
                select(Membership.member_id)
                .join(Unit, Membership.unit_id == Unit.id)
                .where(Membership.role.in_(access.MANAGING_ROLES), queries.in_subtrees(targets))
            )
        ).all()
    )
    by_lang = {
        # No QR image follows a private copy (the links are tappable there): the text says so.
        lang: render_directive(
            texts.for_lang(lang), d, tz, forwards=forwards, qr_codes=False, original=original
        )
        for lang in {m.language for m in members}
    }
    items = []
    for member in members:
        rendered = by_lang[member.language]
        last = len(rendered.parts) - 1
        for seq, part in enumerate(rendered.parts):
            payload: dict[str, object] = {"method": "message", "text": part}
            if seq == last:
                payload["buttons"] = rendered.buttons
                if member.id in managers and member.id != d.published_by:
                    # Who manages a unit it reached may carry it down: /forward in one tap.
                    label = texts.for_lang(member.language)("fw-button-forward")
                    payload["buttons"] = [*rendered.buttons, [forward_button(label, d.id)]]
                payload["confirm"] = True
            if rendered.abridged:
                payload["abridged"] = True
            items.append(
                Outgoing(
                    f"d{d.id}:m{member.id}:private:{seq}",
                    "private",
                    member.chat_id,
                    payload,
                    directive_id=d.id,
                    member_id=member.id,
                )
            )
        # The files follow a private copy too (its reader studies from them), no QR codes.
        items.extend(
            _extras(
                texts.for_lang(member.language),
                d,
                member.chat_id,
                f"d{d.id}:m{member.id}:private",
                member_id=member.id,
                abridged=rendered.abridged,
                qr_codes=False,
                kind="private",
            )
        )
    return items
