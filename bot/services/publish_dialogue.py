"""The ``/publish`` dialogue without Telegram: the draft being built, one parser per step, the
checks that need the database, and the preview payloads (the post exactly as members get it).

Every refusal is a :class:`DraftError` whose key is a text in ``publish_dialogue.ftl`` or
``publish.ftl``; the handler shows it and asks the same step again.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import access, attachments
from bot.services import directive_rules as rules
from bot.services.dates import read_day, read_moment
from bot.services.drafts import NUMBER_RE, DirectiveDraft, DraftError, one_line
from bot.services.publish import DEADLINES, check_permission, to_utc
from bot.services.render import Buttons, Payload, counters_line, render_directive
from storage import queries
from storage.models import Chat, Directive, Member, Membership, Unit

STEPS = (
    "number",
    "title",
    "issuer",
    "issued_on",
    "body",
    "links",
    "targets",
    "requires_study",
    *DEADLINES,
)
PREVIEW_PREFIX = "pv"
SCHEDULING = "scheduling"  # an answer that is no step: "Hẹn giờ" pressed, the time asked
DEFAULT_HOUR = 17  # a deadline given as a date alone means the end of that working day

_SKIP = {"bỏ qua", "bo qua", "skip", "-", "không", "khong", "none", "no"}
_TODAY = {"hôm nay", "hom nay", "today", "nay"}
_YES = {"có", "co", "yes", "y", "c", "ok"}
_NO = {"không", "khong", "no", "n", "k"}
_SPLIT = re.compile(r"[\s,;]+")
# Vietnamese numbers carry the kind: 1208-CV/BTGTU is a công văn, 23-CT/TU a chỉ thị.
_KIND = re.compile(r"(?:^|[-/])(CV|CT|NQ|KH|TB|HD|QD)(?=[-/]|$)")


def normalise(text: str) -> str:
    """Trimmed, NFC (some keyboards send decomposed Vietnamese), case-folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def is_skip(text: str) -> bool:
    return normalise(text) in _SKIP


def kind_from_number(number: str) -> str:
    match = _KIND.search(number.upper())
    return match.group(1) if match else "CV"


@dataclass
class Dialogue:
    """What has been answered so far (``answers[step]``; ``None`` = skipped); kept as a
    dialogue draft (``to_state``/``from_state``). ``serial`` ties buttons to this dialogue so
    old ones cannot act on a new one."""

    home_unit: str | None = None  # code of the publisher's own unit: the default issuer
    home_name: str | None = None
    roots: list[tuple[int, str, str]] = field(default_factory=list)  # managed (id, code, name)
    answers: dict[str, Any] = field(default_factory=dict)
    serial: str = field(default_factory=lambda: secrets.token_hex(3))

    def applies(self, step: str) -> bool:
        return step != "study_by" or bool(self.answers.get("requires_study", True))

    def next_step(self) -> str | None:
        """The first step still to answer; ``None`` once the draft is complete."""
        return next((s for s in STEPS if s not in self.answers and self.applies(s)), None)

    def answer(self, step: str, value: Any) -> None:
        self.answers[step] = value
        if step == "requires_study" and not value:
            self.answers.pop("study_by", None)

    def forget(self, step: str) -> None:
        self.answers.pop(step, None)
        if step == "quiz":  # the pass mark is a share of the questions
            self.answers.pop("pass_mark", None)
        if step == "supersedes":
            self.answers.pop("replaces", None)

    def step(self) -> str:
        """Where the dialogue stands: the next question, or "confirm" (the preview shown)."""
        return self.next_step() or "confirm"

    @property
    def scheduling(self) -> bool:
        """ "Hẹn giờ" was pressed after the preview: the next text is the publishing time."""
        return bool(self.answers.get(SCHEDULING))

    def to_state(self) -> dict[str, Any]:
        """The dialogue as JSON (dates and deadlines as ISO text); ``serial`` is kept apart."""
        answers = {
            step: value.isoformat() if isinstance(value, date) else value
            for step, value in self.answers.items()
        }
        return {
            "home_unit": self.home_unit,
            "home_name": self.home_name,
            "roots": [list(root) for root in self.roots],
            "answers": answers,
        }

    @classmethod
    def from_state(cls, serial: str, state: dict[str, Any]) -> Dialogue:
        answers: dict[str, Any] = dict(state.get("answers") or {})
        if isinstance(answers.get("issued_on"), str):
            answers["issued_on"] = date.fromisoformat(answers["issued_on"])
        for step in DEADLINES:
            if isinstance(answers.get(step), str):
                answers[step] = datetime.fromisoformat(answers[step])
        return cls(
            home_unit=state.get("home_unit"),
            home_name=state.get("home_name"),
            roots=[(int(i), str(code), str(name)) for i, code, name in state.get("roots") or []],
            answers=answers,
            serial=serial,
        )

    def to_draft(self) -> DirectiveDraft:
        a = self.answers
        issuer = str(a["issuer"])
        return DirectiveDraft(
            number=a["number"],
            kind=kind_from_number(a["number"]),
            title=a["title"],
            issuer=issuer,
            issuer_unit=self.home_unit if issuer == self.home_name else None,
            issued_on=a["issued_on"],
            targets=list(a["targets"]),
            body=a["body"],
            links=list(a["links"] or []),
            requires_study=bool(a["requires_study"]),
            receive_by=a.get("receive_by"),
            study_by=a.get("study_by") if a["requires_study"] else None,
            report_by=a.get("report_by"),
            files=list(a.get("files") or []),  # sent in the chat (bot.services.publish_media)
            # added after the preview (bot.services.publish_extras)
            supersedes=a.get("supersedes"),
            quiz=list(a.get("quiz") or []) if a["requires_study"] else [],
            pass_mark=a.get("pass_mark") if a.get("quiz") and a["requires_study"] else None,
        )


# -- parsers: text in, value out, DraftError for anything that cannot be used -------------------


# Lengths, characters, links and dates are checked by the directive's rules (the same ones the
# TOML file and publishing itself obey); the parsers here only read what was typed.


def parse_number(text: str) -> str:
    value = unicodedata.normalize("NFC", text).strip()
    if not NUMBER_RE.match(value):
        raise DraftError("pd-bad-number", number=rules.shown(value))
    return value


def parse_title(text: str) -> str:
    value = one_line(text)
    rules.check_text("title", value, rules.TITLE_MAX)
    return value


def parse_issuer(text: str) -> str:
    value = one_line(text)
    rules.check_text("issuer", value, rules.ISSUER_MAX)
    return value


def parse_body(text: str) -> str:
    value = unicodedata.normalize("NFC", text).strip()
    if not value:
        raise DraftError("rule-empty", field="body")
    rules.check_body(value)
    return value


def parse_issue_date(text: str, today: date) -> date:
    """``dd/mm/yyyy`` or "hôm nay"/"today"; a date after today is refused."""
    raw = normalise(text)
    if raw in _TODAY:
        return today
    value = read_day(raw)
    if value is None:
        raise DraftError("pd-bad-date", example=today.strftime("%d/%m/%Y"))
    rules.check_issued_on(value, today)
    return value


def parse_links(text: str) -> list[dict[str, str]]:
    """One link per line, ``label | url`` or a bare url; "bỏ qua" for none."""
    if is_skip(text):
        return []
    links = []
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        label, sep, url = line.rpartition("|")
        url, label = url.strip(), (one_line(label) if sep else "")
        if not urlsplit(url).scheme:  # not even the shape of an address: show the format
            raise DraftError("pd-bad-link", line=rules.shown(line))
        rules.check_link(label or url, url)
        links.append({"label": label or url, "url": url})
    if not links:
        raise DraftError("pd-bad-link", line="")
    rules.check_links(links)
    return links


def parse_target_codes(text: str) -> list[str]:
    codes = [c for c in _SPLIT.split(unicodedata.normalize("NFC", text).strip()) if c]
    if not codes:
        raise DraftError("pd-no-targets")
    return list(dict.fromkeys(codes))


def parse_yes_no(text: str) -> bool:
    raw = normalise(text)
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise DraftError("pd-bad-yes-no")


def example_deadline(now: datetime, tz: ZoneInfo) -> str:
    """A valid example for prompts: a week from now at 17:00 local time."""
    day = (now.astimezone(tz) + timedelta(days=7)).date()
    return f"{day.strftime('%d/%m/%Y')} {DEFAULT_HOUR}:00"


def parse_deadline(text: str, which: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """``dd/mm/yyyy hh:mm`` local time (a date alone means 17:00), or "bỏ qua" for none.

    Returns a naive local time, as drafts hold them; a moment already past is refused.
    """
    if is_skip(text):
        return None
    moment = _moment(text, now, tz)
    rules.check_deadline(which, moment, now, tz)
    return moment


def parse_publish_at(text: str, d: Dialogue, now: datetime, tz: ZoneInfo) -> datetime:
    """The "Hẹn giờ" answer: a local time in the future, bounded, before the draft's
    deadlines (:func:`bot.services.directive_rules.check_publish_at`); naive local time."""
    moment = _moment(text, now, tz)
    deadlines = {
        key: to_utc(d.answers[key], tz) for key in DEADLINES if d.answers.get(key) is not None
    }
    rules.check_publish_at(moment, now, tz, deadlines)
    return moment


def _moment(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A typed local moment (a date alone means 17:00), or the usual answer with an example."""
    moment = read_moment(text, DEFAULT_HOUR)
    if moment is None:
        raise DraftError("pd-bad-deadline", example=example_deadline(now, tz))
    return moment


# -- checks against the database --------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    member: Member
    roots: list[Unit]
    home: Unit | None


async def publisher_of(
    session: AsyncSession, telegram_id: int, config_admins: Collection[int]
) -> Publisher | None:
    """The asking user as a publisher (admin anywhere, secretary in their sub-trees), or None."""
    member = await queries.member_by_telegram_id(session, telegram_id)
    roots = await access.roots_of(session, member, config_admins)
    if member is None or not roots:
        return None
    stmt = (
        select(Unit)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.member_id == member.id)
        .order_by(Membership.role.in_(access.MANAGING_ROLES).desc(), Unit.path)
        .limit(1)
    )
    return Publisher(member, roots, await session.scalar(stmt))


def new_dialogue(publisher: Publisher) -> Dialogue:
    home = publisher.home
    return Dialogue(
        home_unit=home.code if home else None,
        home_name=home.name if home else None,
        roots=[(u.id, u.code, u.name) for u in publisher.roots],
    )


async def check_duplicate(session: AsyncSession, number: str, issuer: str) -> None:
    exists = await session.scalar(
        select(Directive.id).where(Directive.number == number, Directive.issuer == issuer)
    )
    if exists is not None:
        raise DraftError("publish-duplicate", number=number, issuer=issuer)


async def resolve_targets(
    session: AsyncSession, codes: Sequence[str], member: Member, config_admins: Collection[int]
) -> list[Unit]:
    """Units for the typed codes (exact, else upper-case), each one the publisher may reach.

    A code that does not exist and one outside the publisher's sub-trees get one answer (only
    an administrator, who reaches every unit, is told that a code does not exist).
    """
    await check_permission(session, member, [], config_admins)  # manages something at all
    asker = member.chat_id
    units: list[Unit] = []
    for code in codes:
        unit = await access.unit_for(session, asker, code, config_admins)
        if unit is None and code.upper() != code:
            unit = await access.unit_for(session, asker, code.upper(), config_admins)
        if unit is None:
            admin = await access.is_admin(session, member, config_admins)
            raise DraftError(
                "publish-unknown-target" if admin else "publish-outside-subtree", code=code
            )
        if unit not in units:
            units.append(unit)
    return units


@dataclass(frozen=True)
class Audience:
    chats: int
    private: int
    members: int


async def audience(session: AsyncSession, units: Sequence[Unit]) -> Audience:
    """How many linked groups and private copies publishing to ``units`` would post."""
    under = queries.in_subtrees(units)
    chats = await session.scalar(
        select(func.count(Chat.id))
        .join(Unit, Chat.unit_id == Unit.id)
        .where(Chat.active.is_(True), under)
    )
    members = await session.scalar(
        select(func.count(func.distinct(Member.id)))
        .join(Membership, Membership.member_id == Member.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .where(under)
    )
    private = await session.scalar(
        select(func.count(func.distinct(Member.id)))
        .join(Membership, Membership.member_id == Member.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .where(under, Member.private_chat.is_(True), Member.blocked.is_(False))
    )
    return Audience(int(chats or 0), int(private or 0), int(members or 0))


# -- the preview --------------------------------------------------------------------------------


def draft_directive(draft: DirectiveDraft, tz: ZoneInfo) -> Directive:
    """An unsaved Directive with the draft's values (deadlines in UTC), for rendering only."""
    deadlines = {
        key: to_utc(getattr(draft, key), tz) if getattr(draft, key) is not None else None
        for key in DEADLINES
    }
    return Directive(
        number=draft.number,
        kind=draft.kind,
        title=draft.title,
        issuer=draft.issuer,
        issued_on=draft.issued_on,
        body=draft.body.strip(),
        links=list(draft.links),
        attachments=[*(str(p) for p in draft.attachments), *draft.files],
        requires_study=draft.requires_study,
        supersedes_number=draft.supersedes,
        **deadlines,
    )


def inert(buttons: Buttons) -> Buttons:
    """The same buttons with preview data (``pv:r``), which records nothing when pressed."""
    return [
        [
            {"text": b["text"], "data": f"{PREVIEW_PREFIX}:{b['data'].rsplit(':', 1)[-1]}"}
            if "data" in b
            else dict(b)
            for b in row
        ]
        for row in buttons
    ]


def preview_payloads(
    t: Translator, draft: DirectiveDraft, tz: ZoneInfo, members: int
) -> list[Payload]:
    """The outbox payloads a linked group would get (post parts, QR codes, then the files and
    the full text of a long one), with inert buttons; ``t`` must be the groups' language."""
    directive = draft_directive(draft, tz)
    rendered = render_directive(t, directive, tz, forwards=draft.forwards)
    payloads: list[Payload] = [{"method": "message", "text": part} for part in rendered.parts]
    payloads[-1]["buttons"] = inert(rendered.buttons)
    payloads[-1]["counters"] = counters_line(t, 0, 0, members, draft.requires_study)
    for link in draft.links:
        payloads.append(
            {
                "method": "qr",
                "url": link["url"],
                "caption": t("qr-caption", label=link.get("label") or link["url"]),
            }
        )
    payloads.extend(attachments.payloads(t, directive, abridged=rendered.abridged))
    return payloads


def step_of_error(error: DraftError) -> str | None:
    """Which answer a refusal at publishing time invalidates (to ask it again)."""
    if error.key == "publish-duplicate":
        return "number"
    if error.key in ("publish-unknown-target", "publish-outside-subtree"):
        return "targets"
    if error.key == "publish-deadline-past":
        return str(error.args_.get("which"))
    field = error.args_.get("field")
    if error.key == "lifecycle-not-allowed" or field == "supersedes":
        return "supersedes"  # the replaced directive: not this publisher's to replace
    if field in ("quiz", "pass_mark"):
        return "quiz"
    if error.key in ("publish-bad-number", "rule-bad-number"):
        return "number"
    return str(field) if field in STEPS else None
