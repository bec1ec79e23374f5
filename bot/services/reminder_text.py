"""Reminder, summary, report-prompt and escalation messages as outbox payloads (HTML)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.services.reminder_scope import MAX_NAMES, Scope, ScopeUnit, below_count, percent
from bot.services.render import Payload, confirm_buttons, format_deadline, kind_name
from bot.services.schedule import time_left
from bot.services.tg_text import tg_len
from storage.models import Directive

SNOOZE_PREFIX = "z"
NAMES_ROOM = 3 * MAX_NAMES  # characters of names in a summary; Telegram allows 4096
MAX_LINES = 60  # units listed in one escalation


def snooze_data(reminder_id: int) -> str:
    """Callback data of "Nhắc lại sau": ``z:<reminder row id>`` (≤ 64 bytes)."""
    return f"{SNOOZE_PREFIX}:{reminder_id}"


def left(t: Translator, deadline: datetime, now: datetime) -> str:
    unit, count = time_left(deadline, now)
    return t(f"left-{unit}", count=count)


def _message(text: str, buttons: list[list[dict[str, str]]] | None = None) -> Payload:
    payload: Payload = {"method": "message", "text": text}
    if buttons:
        payload["buttons"] = buttons
        payload["confirm"] = True
    return payload


def member_reminder(
    t: Translator, d: Directive, which: str, when: When, reminder_id: int
) -> Payload:
    """The private reminder: what is missing, the deadline, the confirm and snooze buttons."""
    text = t(
        f"reminder-{which}",
        kind=html.escape(kind_name(t, d.kind)),
        number=html.escape(d.number),
        title=html.escape(d.title),
        when=when.deadline,
        left=when.left,
    )
    buttons = [
        *confirm_buttons(t, d),
        [{"text": t("button-snooze"), "data": snooze_data(reminder_id)}],
    ]
    return _message(text, buttons)


def names_text(
    t: Translator, names: Sequence[str], room: int = NAMES_ROOM, count: int | None = None
) -> str:
    """``A, B, C … và 12 người nữa`` within ``room`` characters; ``count`` is how many there
    are when ``names`` holds only the first of them."""
    shown: list[str] = []
    size = 0
    for name in names:
        if shown and size + tg_len(name) + 2 > room:
            break
        shown.append(html.escape(name))
        size += tg_len(name) + 2
    text = ", ".join(shown)
    total = len(names) if count is None else max(count, len(names))
    if len(shown) < total:
        text += " " + t("names-more", count=total - len(shown))
    return text


@dataclass(frozen=True)
class When:
    """The deadline and the time left, formatted once per language for a whole round."""

    deadline: str
    left: str

    @classmethod
    def of(cls, t: Translator, deadline: datetime, now: datetime, tz: ZoneInfo) -> When:
        return cls(format_deadline(t, deadline, tz), left(t, deadline, now))


def unit_summary(t: Translator, d: Directive, which: str, unit: ScopeUnit, when: When) -> Payload:
    """For a unit's secretary: "còn 7/31 chưa học tập" and the names; those not using the bot
    yet (to reach in person or by phone) listed apart."""
    head = t(
        f"summary-{which}",
        unit=html.escape(unit.name),
        pending=unit.pending_count,
        total=unit.total,
        number=html.escape(d.number),
        when=when.deadline,
        left=when.left,
    )
    lines = [head]
    room = NAMES_ROOM // 2 if unit.pending and unit.offline else NAMES_ROOM
    if unit.pending:
        names = names_text(t, unit.pending, room, unit.waiting)
        lines.append(t("summary-names", names=names))
    if unit.offline:
        names = names_text(t, unit.offline, room, unit.not_using)
        lines.append(t("summary-not-using", names=names))
    return _message("\n".join(lines))


def report_reminder(
    t: Translator, d: Directive, unit: ScopeUnit, cycle: int, when: When
) -> Payload:
    text = t(
        "report-reminder",
        unit=html.escape(unit.name),
        cycle=cycle + 1,
        kind=html.escape(kind_name(t, d.kind)),
        number=html.escape(d.number),
        when=when.deadline,
        left=when.left,
    )
    return _message(text)


def escalation(
    t: Translator,
    d: Directive,
    which: str,
    cycle: int,
    parent: ScopeUnit,
    children: Sequence[ScopeUnit],
    deadline: datetime,
    tz: ZoneInfo,
    threshold: float,
) -> Payload:
    """For a parent unit's secretary: the child units below the threshold, with percentages."""
    lines = [
        t(
            f"escalation-{which}",
            number=html.escape(d.number),
            deadline=format_deadline(t, deadline, tz),
            unit=html.escape(parent.name),
            threshold=f"{threshold:g}",
            cycle=cycle + 1,
        )
    ]
    for child in children[:MAX_LINES]:
        lines.append(
            t(
                "escalation-line",
                name=html.escape(child.name),
                code=html.escape(child.code),
                done=child.sub_done,
                total=child.sub_total,
                percent=percent(child.sub_done, child.sub_total),
            )
        )
    if len(children) > MAX_LINES:
        lines.append(t("escalation-more", count=len(children) - MAX_LINES))
    return _message("\n".join(lines))


def overall(
    t: Translator,
    d: Directive,
    which: str,
    cycle: int,
    scope: Scope,
    deadline: datetime,
    tz: ZoneInfo,
    threshold: float,
) -> Payload:
    """For the publisher: the whole-tree figure when the deadline passed."""
    done, total = scope.done, scope.total
    text = t(
        f"overall-{which}",
        number=html.escape(d.number),
        deadline=format_deadline(t, deadline, tz),
        done=done,
        total=total,
        percent=percent(done, total),
        threshold=f"{threshold:g}",
        below=below_count(scope, threshold),
        cycle=cycle + 1,
    )
    return _message(text)
