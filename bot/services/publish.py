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
from bot.services import access, lifecycle, outbox, reminders
from bot.services import directive_rules as rules
from bot.services.deadlines import check_may_change
from bot.services.directive_rules import DEADLINES as DEADLINES
from bot.services.directive_rules import to_utc as to_utc
from bot.services.drafts import DirectiveDraft, DraftError
from bot.services.outbox import Outgoing
from bot.services.render import counters_line, render_directive
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
    superseded = await _by_number(session, draft.supersedes)
    directive = Directive(
        number=draft.number,
        kind=draft.kind,
        title=draft.title,
        issuer=draft.issuer,
        issuer_unit_id=issuer_unit.id if issuer_unit else None,
        issued_on=draft.issued_on,
        body=draft.body.strip(),
        links=draft.links,
        attachments=[str(p) for p in draft.attachments],
        requires_study=draft.requires_study,
        report_every=draft.report_every,
        depth=draft.depth,
        parent_id=forwarded.id if forwarded else None,
        supersedes_number=draft.supersedes,
        supersedes_id=superseded.id if superseded else None,
        status="published",
        published_by=publisher.id if publisher else None,
        published_at=now,
        **deadlines,
    )
    session.add(directive)
    await session.flush()
    session.add_all(DirectiveTarget(directive_id=directive.id, unit_id=u.id) for u in targets)
    items, chats = await _chat_posts(session, directive, targets, texts, tz, draft.forwards)
    private = await _private_copies(session, directive, targets, texts, tz, draft.forwards)
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


async def _by_number(session: AsyncSession, number: str | None) -> Directive | None:
    if not number:
        return None
    stmt = select(Directive).where(Directive.number == number).order_by(Directive.id.desc())
    return (await session.scalars(stmt.limit(1))).first()


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
) -> tuple[list[Outgoing], int]:
    stmt = (
        select(Chat)
        .join(Unit, Chat.unit_id == Unit.id)
        .where(Chat.active.is_(True), queries.in_subtrees(targets))
        .order_by(Unit.path, Chat.id)
    )
    chats = list((await session.scalars(stmt)).all())
    t = texts.for_lang(texts.default)
    rendered = render_directive(t, d, tz, forwards=forwards)
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
        items.extend(_extras(t, d, chat.telegram_id, f"d{d.id}:c{chat.id}", chat_id=chat.id))
    return items, len(chats)


def _extras(
    t: Translator,
    d: Directive,
    target: int,
    key: str,
    *,
    chat_id: int | None = None,
    member_id: int | None = None,
) -> list[Outgoing]:
    """QR images for the links and the attachments, after the post."""
    items = []
    for i, link in enumerate(d.links):
        items.append(
            Outgoing(
                f"{key}:qr:{i}",
                "qr",
                target,
                {
                    "method": "qr",
                    "url": link["url"],
                    "caption": t("qr-caption", label=link.get("label") or link["url"]),
                },
                directive_id=d.id,
                chat_id=chat_id,
                member_id=member_id,
            )
        )
    for i, path in enumerate(d.attachments):
        items.append(
            Outgoing(
                f"{key}:doc:{i}",
                "qr",
                target,
                {"method": "document", "path": path, "caption": d.number},
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
) -> list[Outgoing]:
    """Members who opened a private chat with the bot get the directive there too."""
    stmt = (
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .where(Member.private_chat.is_(True), Member.blocked.is_(False), queries.in_subtrees(targets))
        .distinct()
        .order_by(Member.id)
    )
    members = list((await session.scalars(stmt)).all())
    by_lang = {
        # No QR image follows a private copy (the links are tappable there): the text says so.
        lang: render_directive(texts.for_lang(lang), d, tz, forwards=forwards, qr_codes=False)
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
                payload["confirm"] = True
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
    return items
