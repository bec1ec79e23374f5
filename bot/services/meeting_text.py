"""The meeting checklist (/meeting) and the /mark choices: texts and buttons, no Telegram.

The checklist's state is the secretary's dialogue draft (bot.services.dialogues): the roster
as it was when the list was opened, who is unticked (absent) and the page shown. Buttons carry
the draft's serial and an index into that roster, so a restart loses nothing and a button of an
older list is refused."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.services.dialogues import Draft
from bot.services.meetings import RosterEntry
from bot.services.render import Buttons
from bot.services.tg_text import truncate

KIND = "meeting"
PREFIX = "mt"
MARK_PREFIX = "mk"
PAGE_SIZE = 15  # names per page of the checklist (one button each)
LABEL_LIMIT = 48  # Telegram's units in a name button


@dataclass
class Checklist:
    serial: str
    directive_id: int
    number: str
    unit_id: int
    unit_code: str
    unit_name: str
    held_on: date
    members: list[int]
    names: list[str]
    absent: set[int] = field(default_factory=set)
    page: int = 0

    @classmethod
    def open(
        cls,
        serial: str,
        directive_id: int,
        number: str,
        unit: tuple[int, str, str],
        held_on: date,
        roster: list[RosterEntry],
    ) -> Checklist:
        """Everyone preselected (present)."""
        unit_id, code, name = unit
        return cls(
            serial,
            directive_id,
            number,
            unit_id,
            code,
            name,
            held_on,
            [r.member_id for r in roster],
            [r.name for r in roster],
        )

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.members) // PAGE_SIZE))

    @property
    def attendees(self) -> list[int]:
        return [m for m in self.members if m not in self.absent]

    def toggle(self, index: int) -> bool:
        """Tick or untick the ``index``-th name; False for no such name."""
        if not 0 <= index < len(self.members):
            return False
        member = self.members[index]
        self.absent.symmetric_difference_update({member})
        return True

    def show(self, page: int) -> bool:
        if not 0 <= page < self.pages:
            return False
        self.page = page
        return True

    def draft(self) -> Draft:
        state: dict[str, Any] = {
            "directive": self.directive_id,
            "number": self.number,
            "unit": [self.unit_id, self.unit_code, self.unit_name],
            "held_on": self.held_on.isoformat(),
            "members": self.members,
            "names": self.names,
            "absent": sorted(self.absent),
            "page": self.page,
        }
        return Draft(KIND, "checklist", self.serial, state)

    @classmethod
    def of(cls, draft: Draft) -> Checklist:
        s = draft.state
        unit_id, code, name = s["unit"]
        return cls(
            draft.serial,
            int(s["directive"]),
            str(s["number"]),
            int(unit_id),
            str(code),
            str(name),
            date.fromisoformat(str(s["held_on"])),
            [int(m) for m in s["members"]],
            [str(n) for n in s["names"]],
            {int(m) for m in s["absent"]},
            int(s.get("page", 0)),
        )

    def data(self, action: str, arg: int | None = None) -> str:
        """Callback data ``mt:<serial>:<action>[:<arg>]`` (well under 64 bytes)."""
        return f"{PREFIX}:{self.serial}:{action}" + (f":{arg}" if arg is not None else "")


def checklist_text(t: Translator, c: Checklist) -> str:
    text = t(
        "meeting-checklist",
        number=html.escape(c.number),
        unit=html.escape(c.unit_name),
        code=html.escape(c.unit_code),
        date=c.held_on.strftime("%d/%m/%Y"),
        present=len(c.attendees),
        total=len(c.members),
    )
    if c.pages > 1:
        text += "\n" + t("pending-page", page=c.page + 1, pages=c.pages)
    return text


def checklist_buttons(t: Translator, c: Checklist) -> Buttons:
    first = c.page * PAGE_SIZE
    rows: Buttons = []
    for index in range(first, min(first + PAGE_SIZE, len(c.members))):
        mark = "☐" if c.members[index] in c.absent else "☑"
        label = truncate(f"{mark} {c.names[index]}", LABEL_LIMIT)
        rows.append([{"text": label, "data": c.data("t", index)}])
    nav = []
    if c.page > 0:
        nav.append({"text": t("page-prev"), "data": c.data("p", c.page - 1)})
    if c.page < c.pages - 1:
        nav.append({"text": t("page-next"), "data": c.data("p", c.page + 1)})
    if nav:
        rows.append(nav)
    rows.append(
        [
            {"text": t("meeting-save"), "data": c.data("s")},
            {"text": t("meeting-cancel"), "data": c.data("x")},
        ]
    )
    return rows


def mark_data(directive_id: int, member_id: int, kind: str) -> str:
    return f"{MARK_PREFIX}:{directive_id}:{member_id}:{kind[0]}"


def mark_buttons(
    t: Translator, directive_id: int, requires_study: bool, found: list[RosterEntry]
) -> Buttons:
    """One row per person found: received, and studied when the directive asks for study."""
    rows: Buttons = []
    for entry in found:
        row = [
            {
                "text": truncate(t("mark-received", name=entry.name), LABEL_LIMIT),
                "data": mark_data(directive_id, entry.member_id, "received"),
            }
        ]
        if requires_study:
            row.append(
                {
                    "text": truncate(t("mark-studied", name=entry.name), LABEL_LIMIT),
                    "data": mark_data(directive_id, entry.member_id, "studied"),
                }
            )
        rows.append(row)
    return rows
