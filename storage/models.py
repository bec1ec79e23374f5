"""SQLAlchemy 2 models. Storage holds data and queries; business rules live in ``bot.services``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


int_pk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
tg_id = Annotated[int, mapped_column(BigInteger)]
utc = Annotated[datetime, mapped_column(UTCDateTime())]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def column_length(model: type[Base], name: str) -> int:
    """The declared length of a string column (what a value must fit to be stored on
    PostgreSQL; SQLite would not check)."""
    column_type = model.__table__.c[name].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{model.__name__}.{name} is not a string column with a length")
    return int(column_type.length)


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


class Unit(CreatedAt, Base):
    """A node of the organisation tree; ``path`` like ``/1/7/42/`` makes sub-tree queries a prefix."""

    __tablename__ = "units"

    id: Mapped[int_pk]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(512), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    join_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Claims by name and requests to be added wait for a secretary (a phone match never does).
    join_approval: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Chat(CreatedAt, Base):
    """A Telegram group, supergroup or channel bound to a unit with ``/link``."""

    __tablename__ = "chats"

    id: Mapped[int_pk]
    telegram_id: Mapped[tg_id] = mapped_column(unique=True)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(255))


class Member(CreatedAt, Base):
    """A person on a unit's roster; ``telegram_id`` once they use the bot (claimed their entry).

    A roster entry imported from the secretary's list has no ``telegram_id`` until its person
    claims it; ``private_chat`` once they have started the bot. ``erased_at``: personal data
    erased on request (the row stays, nameless, so anonymous counts still add up)."""

    __tablename__ = "members"

    id: Mapped[int_pk]
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    card_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def chat_id(self) -> int:
        """The member's private chat with the bot (their Telegram id); only for someone who uses
        the bot: a roster entry nobody has claimed has none."""
        if self.telegram_id is None:
            raise LookupError(f"member {self.id} has no Telegram account")
        return self.telegram_id

    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    private_chat: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class Membership(CreatedAt, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("member_id", "unit_id"),
        # A unit's memberships in id order: the reminder tick reads them in keyset pages on
        # (unit id, membership id); with unit id alone PostgreSQL sorted what followed each
        # page's start again for every page (a 1M-member tick took 288 s instead of ~30).
        Index("ix_memberships_unit_id_id", "unit_id", "id"),
    )

    id: Mapped[int_pk]
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="member")


class Directive(CreatedAt, Base):
    __tablename__ = "directives"
    __table_args__ = (UniqueConstraint("number", "issuer"),)

    id: Mapped[int_pk]
    number: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="CV")
    title: Mapped[str] = mapped_column(String(512))
    issuer: Mapped[str] = mapped_column(String(255))
    issuer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    issued_on: Mapped[date | None]
    body: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_study: Mapped[bool] = mapped_column(Boolean, default=True)
    receive_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    study_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_every: Mapped[str | None] = mapped_column(String(16))
    depth: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    supersedes_number: Mapped[str | None] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    status: Mapped[str] = mapped_column(String(16), default="published")
    published_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # status "scheduled": stored and waiting; the schedule tick publishes it at this moment.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Proof of study: [{question, options: [..], answer: index from 0}]; none = a press will do.
    quiz: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    pass_mark: Mapped[int | None] = mapped_column(Integer)


class DirectiveTarget(Base):
    """A sub-tree root the directive was sent to (the unit and everything under it)."""

    __tablename__ = "directive_targets"
    __table_args__ = (UniqueConstraint("directive_id", "unit_id"),)

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))


class Broadcast(CreatedAt, Base):
    """An announcement to part of the tree; needs no confirmation."""

    __tablename__ = "broadcasts"

    id: Mapped[int_pk]
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_ref: Mapped[str | None] = mapped_column(String(512))
    pin: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="sending")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)


class Delivery(CreatedAt, Base):
    """The outbox: one row per message to post, written with what caused it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_deliveries_due", "state", "priority", "next_attempt_at"),
        Index("ix_deliveries_message", "target_telegram_id", "message_id"),
    )

    id: Mapped[int_pk]
    dedupe_key: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # post, qr, private, reminder, announcement
    priority: Mapped[int] = mapped_column(Integer, default=5)  # lower goes first
    directive_id: Mapped[int | None] = mapped_column(
        ForeignKey("directives.id", ondelete="CASCADE"), index=True
    )
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    target_telegram_id: Mapped[tg_id]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued/sending/sent/failed
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(512))
    # Only the last part of a post carries buttons and the counters line.
    payload_has_counters: Mapped[bool] = mapped_column(Boolean, default=False)
    counters_dirty: Mapped[bool] = mapped_column(Boolean, default=False)
    # No longer written: the sender remembers the lines it drew (see OutboxSender._shown), so
    # a counters refresh does not write to rows that presses are marking. Kept so that
    # existing databases and the migration still match the model.
    counters_text: Mapped[str | None] = mapped_column(String(255))


class Confirmation(Base):
    """One press: unique per (directive, member, kind), so a double tap is one row."""

    __tablename__ = "confirmations"
    __table_args__ = (
        UniqueConstraint("directive_id", "member_id", "kind"),
        # Everything the roll-up and the member sheet read of a directive's confirmations,
        # read from the index alone (a province: 70,000 rows a directive).
        Index("ix_confirmations_covering", "directive_id", "member_id", "kind", "how", "at"),
    )

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # received, studied
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # press (the member's own button), meeting (studied at the cell's meeting), behalf (marked
    # by a secretary); recorded_by is the secretary for the last two.
    how: Mapped[str] = mapped_column(String(16), default="press", server_default="press")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )


class QuizAttempt(CreatedAt, Base):
    """One go at a directive's questions by a member: ``answers`` grow one by one (option
    indexes); ``score`` and ``passed`` are set when the last one is given."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_directive_member", "directive_id", "member_id"),)

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answers: Mapped[list[int]] = mapped_column(JSON, default=list)
    score: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Meeting(CreatedAt, Base):
    """A unit's meeting at which a directive was studied; its attendees' confirmations point here."""

    __tablename__ = "meetings"

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    attendees: Mapped[int] = mapped_column(Integer, default=0)


class Claim(CreatedAt, Base):
    """Someone opening a unit's join link: claims a roster entry (by name or phone) or asks to be
    added (``member_id`` empty). ``state``: pending, approved, declined, withdrawn."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_unit_state", "unit_id", "state"),)

    id: Mapped[int_pk]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    full_name: Mapped[str] = mapped_column(String(255))  # the claimant's name in Telegram
    how: Mapped[str] = mapped_column(String(16))  # name, phone, ask
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(CreatedAt, Base):
    """A scheduled reminder/summary/escalation: rows, so restarts lose nothing."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_reminders_due", "state", "due_at"),
        Index("ix_reminders_deadline", "directive_id", "deadline", "cycle"),
    )

    id: Mapped[int_pk]
    dedupe_key: Mapped[str] = mapped_column(String(128))
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    deadline: Mapped[str] = mapped_column(String(16))  # receive_by, study_by, report_by
    kind: Mapped[str] = mapped_column(String(16))  # offset, escalation
    offset_seconds: Mapped[int] = mapped_column(Integer, default=0)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # pending, done, skipped (a later offset of the same deadline was due too), cancelled
    state: Mapped[str] = mapped_column(String(16), default="pending")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The deadline this row was planned for (the directive's, or the report cycle's).
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportCycle(CreatedAt, Base):
    """A unit's periodic report for one cycle of a directive's ``report_every``."""

    __tablename__ = "report_cycles"
    __table_args__ = (UniqueConstraint("directive_id", "unit_id", "cycle"),)

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    cycle: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str | None] = mapped_column(Text)
    document_file_id: Mapped[str | None] = mapped_column(String(255))
    document_name: Mapped[str | None] = mapped_column(String(255))


class Snooze(Base):
    """A member muted private reminders of one directive until ``until``."""

    __tablename__ = "snoozes"
    __table_args__ = (UniqueConstraint("directive_id", "member_id"),)

    id: Mapped[int_pk]
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int_pk]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DialogueDraft(Base):
    """A half-written dialogue (/publish, /broadcast) of one user: the newest replaces the old.

    ``serial`` ties the dialogue's buttons to it; ``state`` is the dialogue's own JSON."""

    __tablename__ = "dialogue_drafts"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(32))
    serial: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
