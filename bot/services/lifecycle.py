"""A directive after publishing: amended, recalled, or replaced by a newer one (issue 13).

Every change to what members already see goes through the outbox as ``edit`` rows: one row per
posted message whose text (or buttons) changes, queued behind whatever that chat is still
waiting for, paced and retried by the sender like any message. An edit row names the post it
edits (``of``: the post's delivery id); the sender looks up the post's message id when it
takes the row (:func:`resolve_edits`), so an edit queued while its post is still on its way
edits it once it is there. A replaced directive's posts link to the new post in the same chat:
the new post is queued before the edit in that chat, so when the edit is taken the new post's
message id is known and the link is filled in then.

The post rows keep what their messages now show (their stored payload is updated in the same
transaction), so the counters refresher redraws the new text, and a post still waiting goes
out already changed.

Multi-part posts: only the parts whose text changes are edited. An amended text that needs
more messages than were posted is refused (a message cannot be added between posted ones:
shorten it, or publish a new directive that replaces this one); one that needs fewer leaves
the extra parts saying that they were cut by the amendment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts, Translator
from bot.services import counters, outbox
from bot.services import directive_rules as rules
from bot.services.amend_links import EDIT_CAPTION, requeue_qr_codes
from bot.services.buttons import is_forward_row
from bot.services.deadlines import change_deadline, directive_to_change
from bot.services.drafts import DraftError
from bot.services.outbox import Outgoing, Reserved
from bot.services.reminders import CANCELLED, PENDING, ReminderRules
from bot.services.render import compose, render_directive
from storage.models import (
    AuditEvent,
    Chat,
    Confirmation,
    Delivery,
    Directive,
    Member,
    Reminder,
)

EDIT = "edit"  # the outbox kind of a row that edits an earlier post
POSTED = ("post", "private")  # the rows whose messages show the directive's text
PUBLISHED, RECALLED, SUPERSEDED = "published", "recalled", "superseded"
_EDITS = ("edit", EDIT_CAPTION)  # outbox payloads that edit a message sent earlier
# Stands for the new post's address in a replaced post's text until the sender knows it.
LINK_MARKER = "chithi-new-post-link"


@dataclass
class Amendment:
    """What an amendment changes: the body, the links, deadlines (naive local times; None
    removes one). Fields left out stay as they are."""

    body: str | None = None
    links: list[dict[str, str]] | None = None
    deadlines: dict[str, datetime | None] = field(default_factory=dict)

    def empty(self) -> bool:
        return self.body is None and self.links is None and not self.deadlines

    def to_state(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "links": self.links,
            "deadlines": {k: v.isoformat() if v else None for k, v in self.deadlines.items()},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Amendment:
        return cls(
            body=state.get("body"),
            links=state.get("links"),
            deadlines={
                k: datetime.fromisoformat(v) if v else None
                for k, v in (state.get("deadlines") or {}).items()
            },
        )


@dataclass(frozen=True)
class Outcome:
    directive: Directive
    edits: int  # messages queued to be edited
    notes: int = 0  # private notes to members who had studied


async def directive_to_manage(
    session: AsyncSession, telegram_id: int, number: str, admins: Sequence[int]
) -> Directive:
    """The open directive numbered ``number`` if the asker may amend or recall it: the same
    people who may move its deadlines (admins, its publisher, a secretary whose sub-trees hold
    every target). Else a ``DraftError`` saying why."""
    directive = await directive_to_change(
        session, telegram_id, number, admins, denied="lifecycle-not-allowed"
    )
    if directive.status != PUBLISHED:
        raise DraftError(f"lifecycle-closed-{_closed(directive.status)}", number=number)
    return directive


def _closed(status: str) -> str:
    return status if status in (RECALLED, SUPERSEDED) else "other"


# -- the posts and how they are redrawn ------------------------------------------------------


@dataclass
class _Post:
    """The posted messages of one chat (a group, or a member's private copy), in order."""

    rows: list[Delivery]
    kind: str
    target: int
    chat_type: str | None
    unit_id: int | None
    language: str | None


async def _posts(session: AsyncSession, directive_id: int) -> list[_Post]:
    stmt = (
        select(Delivery, Chat.type, Chat.unit_id, Member.language)
        .outerjoin(Chat, Chat.id == Delivery.chat_id)
        .outerjoin(Member, Member.id == Delivery.member_id)
        .where(
            Delivery.directive_id == directive_id,
            Delivery.kind.in_(POSTED),
            Delivery.state != outbox.FAILED,
        )
        .order_by(Delivery.id)
    )
    found: dict[tuple[str, int], _Post] = {}
    for row, chat_type, unit_id, language in (await session.execute(stmt)).all():
        key = (row.kind, row.target_telegram_id)
        post = found.setdefault(
            key, _Post([], row.kind, row.target_telegram_id, chat_type, unit_id, language)
        )
        post.rows.append(row)
    for post in found.values():
        post.rows.sort(key=lambda r: int(r.dedupe_key.rsplit(":", 1)[-1]))
    return list(found.values())


async def _forwards(session: AsyncSession, d: Directive) -> Directive | None:
    if d.parent_id is None:
        return None
    return await session.get(Directive, d.parent_id)


Notice = Callable[[Translator, "_Post"], str]


async def _redraw(
    session: AsyncSession,
    d: Directive,
    texts: Texts,
    tz: ZoneInfo,
    *,
    key: str,
    notice: Notice,
    buttons: bool,
    strict: bool,
    link_after: dict[int, int] | None = None,
) -> int:
    """Queue an edit of every posted message of ``d`` whose text or buttons change; update
    the post rows. ``strict``: refuse a text needing more messages than were posted (else the
    notice is put on the first message as it stands). ``link_after``: chat id → delivery id of
    the new post there (replaced directives). Returns the edits queued."""
    forwards = await _forwards(session, d)
    posts = await _posts(session, d.id)
    shown = await counters.unit_counts(
        session, {(d.id, p.unit_id) for p in posts if p.kind == "post" and p.unit_id is not None}
    )
    items: list[Outgoing] = []
    for post in posts:
        t = texts.for_lang(texts.default if post.kind == "post" else post.language)
        mark = notice(t, post)
        # A post published abridged (long text + its full text file) stays one message; one
        # published whole is redrawn whole (a text grown too long is refused when strict).
        rendered = render_directive(
            t,
            d,
            tz,
            forwards=forwards.number if forwards else None,
            qr_codes=post.kind == "post",
            notice=mark,
            abridge=bool(post.rows[0].payload.get("abridged")),
            original=forwards,
        )
        parts = _fit(t, rendered.parts, post, mark, strict)
        last = len(post.rows) - 1
        for seq, (row, text) in enumerate(zip(post.rows, parts, strict=True)):
            old = dict(row.payload)
            new = {**old, "text": text}
            if seq == last:
                if buttons:
                    kept = [r for r in old.get("buttons") or [] if is_forward_row(r)]
                    new["buttons"] = [*rendered.buttons, *kept]
                else:
                    new.pop("buttons", None)
                    new.pop("confirm", None)
            if new == old:
                continue
            # The row keeps what a redraw may show now: a link only once its address is known.
            row.payload = {**new, "text": _without_link(text)}
            shown_payload = dict(new)
            if "counters" in new and post.unit_id is not None:
                c = shown[(d.id, post.unit_id)]
                shown_payload["counters"] = _counters(t, c, d.requires_study)
            edit: dict[str, Any] = {"method": "edit", "of": row.id, "text": compose(shown_payload)}
            if new.get("buttons"):
                edit["buttons"] = new["buttons"]
            after = (link_after or {}).get(row.chat_id or 0)
            if after is not None and seq == 0 and LINK_MARKER in text:
                edit["link"] = {"after": after, "stored": text}
            items.append(
                Outgoing(
                    f"d{d.id}:{key}:r{row.id}",
                    EDIT,
                    row.target_telegram_id,
                    edit,
                    directive_id=d.id,
                    chat_id=row.chat_id,
                    member_id=row.member_id,
                )
            )
    await outbox.enqueue(session, items)
    return len(items)


def _counters(t: Translator, c: counters.UnitCounts, requires_study: bool) -> str:
    from bot.services.render import counters_line

    return counters_line(t, c.received, c.studied, c.total, requires_study)


def _fit(t: Translator, parts: list[str], post: _Post, mark: str, strict: bool) -> list[str]:
    """The new parts, as many as were posted."""
    posted = len(post.rows)
    if len(parts) > posted:
        if strict:
            raise DraftError("amend-too-long", parts=len(parts), posted=posted)
        first = str(post.rows[0].payload.get("text", ""))
        return [f"{mark}\n{first}", *(str(r.payload.get("text", "")) for r in post.rows[1:])]
    cut = f"{t('directive-continued')}\n\n{t('amend-part-dropped')}"
    return parts + [cut] * (posted - len(parts))


def _date(now: datetime, tz: ZoneInfo) -> str:
    return now.astimezone(tz).strftime("%d/%m/%Y")


async def _audit(
    session: AsyncSession, now: datetime, actor: str, action: str, d: Directive, **detail: Any
) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action=action,
            subject=d.number,
            detail={"directive_id": d.id, **detail},
        )
    )
    await session.flush()


async def _amendments(session: AsyncSession, d: Directive) -> int:
    """How many times ``d`` was amended (numbers each amendment's outbox keys)."""
    rows = await session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "amend", AuditEvent.subject == d.number
        )
    )
    return sum(1 for detail in rows if (detail or {}).get("directive_id") == d.id)


async def cancel_reminders(session: AsyncSession, directive_id: int) -> int:
    """Every reminder of the directive still to come is cancelled."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.directive_id == directive_id, Reminder.state == PENDING)
        .values(state=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- amend -------------------------------------------------------------------------------------


async def amend(
    session: AsyncSession,
    d: Directive,
    change: Amendment,
    *,
    now: datetime,
    texts: Texts,
    reminder_rules: ReminderRules,
    actor: str,
) -> Outcome:
    """Apply ``change`` (checked by the same rules as publishing), edit every posted message
    that changes, tell members who had studied it, re-plan reminders of moved deadlines."""
    tz = reminder_rules.tz
    if change.empty():
        raise DraftError("amend-nothing")
    if d.status != PUBLISHED:
        raise DraftError(f"lifecycle-closed-{_closed(d.status)}", number=d.number)
    if change.body is not None:
        rules.check_body(change.body)
        if not change.body.strip():
            raise DraftError("rule-empty", field="body")
    if change.links is not None:
        rules.check_links(change.links)
    old_body, old_links = d.body, list(d.links)
    for which, moment in change.deadlines.items():
        # The same rule and the same re-planning as /deadline (reminders follow).
        await change_deadline(session, d, which, moment, now=now, rules=reminder_rules, actor=actor)
    if change.body is not None:
        d.body = change.body.strip()
    if change.links is not None:
        d.links = list(change.links)
    await session.flush()
    serial = await _amendments(session, d) + 1
    mark = _date(now, tz)
    edits = await _redraw(
        session,
        d,
        texts,
        tz,
        key=f"amend{serial}",
        notice=lambda t, _p: t("lifecycle-amended-mark", date=mark),
        buttons=True,
        strict=True,
    )
    if change.links is not None:  # the groups' QR images of changed links
        edits += await requeue_qr_codes(session, d, old_links, texts, serial=serial, date=mark)
    if change.body is not None and old_body != d.body:
        edits += await _redraw_carriers(session, d, texts, tz, serial=serial, date=mark)
    notes = await _notify_studied(session, d, texts, serial)
    await _audit(
        session,
        now,
        actor,
        "amend",
        d,
        serial=serial,
        body_changed=change.body is not None and old_body != d.body,
        links_changed=change.links is not None and old_links != d.links,
        deadlines=sorted(change.deadlines),
        edits=edits,
        notes=notes,
    )
    return Outcome(d, edits, notes)


async def _redraw_carriers(
    session: AsyncSession, d: Directive, texts: Texts, tz: ZoneInfo, *, serial: int, date: str
) -> int:
    """The documents in force that forward ``d`` show its text under their cover note: their
    posts are redrawn too, marked as carrying an amended text (their own text unchanged)."""
    children = await session.scalars(
        select(Directive)
        .where(Directive.parent_id == d.id, Directive.status == PUBLISHED)
        .order_by(Directive.id)
    )
    edits = 0
    for child in children.all():
        edits += await _redraw(
            session,
            child,
            texts,
            tz,
            key=f"amend{serial}of{d.id}",
            notice=lambda t, _p: t("lifecycle-carried-amended-mark", number=d.number, date=date),
            buttons=True,
            strict=False,
        )
    return edits


async def _notify_studied(session: AsyncSession, d: Directive, texts: Texts, serial: int) -> int:
    """A short private note to each member who had studied it (and can be written to)."""
    stmt = (
        select(Member)
        .join(Confirmation, Confirmation.member_id == Member.id)
        .where(
            Confirmation.directive_id == d.id,
            Confirmation.kind == "studied",
            Member.private_chat.is_(True),
            Member.blocked.is_(False),
            Member.telegram_id.is_not(None),
        )
        .order_by(Member.id)
    )
    items = [
        Outgoing(
            f"d{d.id}:amend{serial}:note:m{m.id}",
            "notice",
            m.chat_id,
            {
                "method": "message",
                "text": texts(m.language, "amend-note", number=d.number, title=d.title),
            },
            directive_id=d.id,
            member_id=m.id,
        )
        for m in (await session.scalars(stmt)).all()
    ]
    return await outbox.enqueue(session, items)


# -- recall ------------------------------------------------------------------------------------


async def recall(
    session: AsyncSession, d: Directive, *, now: datetime, texts: Texts, tz: ZoneInfo, actor: str
) -> Outcome:
    """Withdraw ``d``: its posts say so and lose their buttons, its reminders stop; its
    confirmations stay (the figures are frozen as they were)."""
    if d.status != PUBLISHED:
        raise DraftError(f"lifecycle-closed-{_closed(d.status)}", number=d.number)
    d.status = RECALLED
    cancelled = await cancel_reminders(session, d.id)
    mark = _date(now, tz)
    edits = await _redraw(
        session,
        d,
        texts,
        tz,
        key="recall",
        notice=lambda t, _p: t("lifecycle-recalled-mark", date=mark),
        buttons=False,
        strict=False,
    )
    await _audit(session, now, actor, "recall", d, edits=edits, reminders_cancelled=cancelled)
    return Outcome(d, edits)


# -- supersede ---------------------------------------------------------------------------------


async def supersede(
    session: AsyncSession,
    old: Directive,
    new: Directive,
    *,
    now: datetime,
    texts: Texts,
    tz: ZoneInfo,
    actor: str,
) -> Outcome:
    """``new`` (just published, its posts queued) replaces ``old``: the old posts say so, with
    a link to the new post in the same chat, and lose their buttons; old reminders stop."""
    old.status = SUPERSEDED
    cancelled = await cancel_reminders(session, old.id)
    stmt = select(Delivery.chat_id, Delivery.id, Delivery.dedupe_key).where(
        Delivery.directive_id == new.id, Delivery.kind == "post", Delivery.chat_id.is_not(None)
    )
    after = {
        int(chat_id): int(row_id)
        for chat_id, row_id, key in (await session.execute(stmt)).all()
        if chat_id is not None and key.endswith(":post:0")
    }

    def notice(t: Translator, post: _Post) -> str:
        chat_id = post.rows[0].chat_id
        linkable = post.kind == "post" and chat_id in after and post_url(post.target, 1)
        if linkable:
            return t("lifecycle-superseded-link", number=new.number, url=LINK_MARKER)
        return t("lifecycle-superseded-mark", number=new.number)

    edits = await _redraw(
        session,
        old,
        texts,
        tz,
        key=f"superseded{new.id}",
        notice=notice,
        buttons=False,
        strict=False,
        link_after=after,
    )
    await _audit(
        session,
        now,
        actor,
        "supersede",
        old,
        by=new.number,
        by_id=new.id,
        edits=edits,
        reminders_cancelled=cancelled,
    )
    return Outcome(old, edits)


def _without_link(text: str) -> str:
    """The replaced-post notice with its link dropped (the number stays)."""
    start = text.find(f'<a href="{LINK_MARKER}">')
    if start < 0:
        return text.replace(LINK_MARKER, "")
    end = text.find("</a>", start)
    inner = text[start + len(f'<a href="{LINK_MARKER}">') : end]
    return text[:start] + inner + text[end + len("</a>") :]


def post_url(chat_telegram_id: int, message_id: int) -> str | None:
    """``https://t.me/c/<id>/<message>`` for a supergroup or channel (ids ``-100…``); other
    chats have no such address."""
    text = str(chat_telegram_id)
    if not text.startswith("-100") or len(text) <= 4:
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"


# -- the sender's side: an edit row learns its message id (and link) when taken ----------------


async def resolve_edits(session: AsyncSession, rows: Sequence[Reserved]) -> list[Reserved]:
    """Edit rows among ``rows`` get the message id of the post they edit and, for a replaced
    post, the new post's address (both posts are sent by now: they were queued earlier in the
    same chat). Other rows are returned as they are."""
    edits = [r for r in rows if r.payload.get("method") in _EDITS]
    if not edits:
        return list(rows)
    wanted: set[int] = set()
    for r in edits:
        wanted.add(int(r.payload["of"]))
        if "link" in r.payload:
            wanted.add(int(r.payload["link"]["after"]))
    stmt = select(Delivery.id, Delivery.state, Delivery.message_id).where(Delivery.id.in_(wanted))
    sent: dict[int, int] = {
        i: int(m)
        for i, state, m in (await session.execute(stmt)).all()
        if state == outbox.SENT and m
    }
    out: list[Reserved] = []
    for r in rows:
        if r.payload.get("method") not in _EDITS:
            out.append(r)
            continue
        payload = dict(r.payload)
        payload["message_id"] = sent.get(int(payload["of"]))
        link = payload.pop("link", None)
        text = str(payload.get("text", ""))
        url = None
        if link is not None and int(link["after"]) in sent:
            url = post_url(r.target_telegram_id, sent[int(link["after"])])
        if url is not None and LINK_MARKER in text:
            payload["text"] = text.replace(LINK_MARKER, url)
            await _store_link(
                session, int(payload["of"]), str(link["stored"]).replace(LINK_MARKER, url)
            )
        elif LINK_MARKER in text:
            payload["text"] = _without_link(text)
        out.append(r._replace(payload=payload))
    return out


async def _store_link(session: AsyncSession, delivery_id: int, text: str) -> None:
    """The replaced post's row shows the link too (for later counters redraws)."""
    row = await session.get(Delivery, delivery_id)
    if row is not None:
        row.payload = {**row.payload, "text": text}
        await session.flush()


async def replaced_by(session: AsyncSession, directive_ids: Collection[int]) -> dict[int, str]:
    """Directive id → the number of the newest directive that replaced it."""
    if not directive_ids:
        return {}
    stmt = (
        select(Directive.supersedes_id, Directive.number)
        .where(Directive.supersedes_id.in_(list(directive_ids)))
        .order_by(Directive.id)
    )
    return {int(old): number for old, number in (await session.execute(stmt)).all() if old}
