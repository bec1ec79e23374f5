"""The /me answer: the member's open directives, what they have confirmed, and which
confirmation buttons go under it (the posts' own buttons: bot.services.buttons)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.buttons import confirm_data
from bot.services.me import Mine
from bot.services.tg_text import TEXT_LIMIT, html_len, truncate

TITLE_ROOM = 80
BUTTON_ROOM = 48


@dataclass(frozen=True)
class MeAnswer:
    text: str
    buttons: list[list[tuple[str, str]]]  # rows of (label, callback data)
    directive_ids: list[int]  # the directives whose buttons are under it


def _state(t: Translator, m: Mine) -> str:
    parts = [t("me-received-yes" if m.received else "me-received-no")]
    if m.directive.requires_study:
        parts.append(t("me-studied-yes" if m.studied else "me-studied-no"))
    return " · ".join(parts)


def _buttons(t: Translator, m: Mine) -> list[tuple[str, str]]:
    d = m.directive
    wanted = [] if m.received else ["received"]
    if d.requires_study and not m.studied:
        wanted.append("studied")
    return [
        (
            truncate(t("me-button", label=t(f"button-{kind}"), number=d.number), BUTTON_ROOM),
            confirm_data(d.id, kind),
        )
        for kind in wanted
    ]


def render_me(t: Translator, mine: list[Mine]) -> MeAnswer:
    """One message: every listed directive with its state; a row of buttons for each one not
    yet fully confirmed."""
    if not mine:
        return MeAnswer(t("me-none"), [], [])
    while True:
        lines = [t("me-title"), ""]
        for rank, m in enumerate(mine, start=1):
            title = html.escape(truncate(m.directive.title, TITLE_ROOM))
            lines.append(
                t("me-item", rank=rank, number=html.escape(m.directive.number), title=title)
            )
            lines.append("   " + _state(t, m))
        rows = [row for row in (_buttons(t, m) for m in mine) if row]
        lines += ["", t("me-hint" if rows else "me-all-done")]
        text = "\n".join(lines)
        if html_len(text) <= TEXT_LIMIT or len(mine) == 1:
            ids = [m.directive.id for m in mine if _buttons(t, m)]
            return MeAnswer(text, rows, ids)
        mine = mine[:-1]  # bounded lines: only if the texts were made much longer
