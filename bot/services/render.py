"""Directive texts and buttons as plain data (HTML text + button rows), in a given language.

Nothing here knows Telegram's client; the sender turns payloads into API calls.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from storage.models import Directive

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Room kept on the last part for the counters line ("Đã nhận 1.234/1.250 · Đã học 1.000/1.250").
COUNTERS_ROOM = 120

Payload = dict[str, Any]
Buttons = list[list[dict[str, str]]]

CONFIRM_PREFIX = "c"
KIND_CODES = {"r": "received", "s": "studied"}
CODE_OF_KIND = {v: k for k, v in KIND_CODES.items()}


def confirm_data(directive_id: int, kind: str) -> str:
    """Callback data of a confirmation button: ``c:<directive id>:<r|s>`` (≤ 64 bytes)."""
    return f"{CONFIRM_PREFIX}:{directive_id}:{CODE_OF_KIND[kind]}"


def format_deadline(t: Translator, moment: datetime, tz: ZoneInfo) -> str:
    """``17:00 Thứ Bảy, 20/02/2027`` in the user's language and the configured zone."""
    local = moment.astimezone(tz)
    weekday = t(f"weekday-{local.weekday()}")
    return t(
        "deadline-format",
        time=local.strftime("%H:%M"),
        weekday=weekday,
        date=local.strftime("%d/%m/%Y"),
    )


def format_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def kind_name(t: Translator, kind: str) -> str:
    key = f"kind-{kind.lower()}"
    try:
        return t(key)
    except KeyError:
        return kind


def confirm_buttons(t: Translator, directive: Directive) -> Buttons:
    row = [{"text": t("button-received"), "data": confirm_data(directive.id, "received")}]
    if directive.requires_study:
        row.append({"text": t("button-studied"), "data": confirm_data(directive.id, "studied")})
    return [row]


def _header(t: Translator, d: Directive) -> list[str]:
    lines = [
        t(
            "directive-heading",
            kind=html.escape(kind_name(t, d.kind)),
            number=html.escape(d.number),
        ),
        f"<b>{html.escape(d.title)}</b>",
    ]
    lines.append(t("directive-issuer", issuer=html.escape(d.issuer)))
    if d.issued_on:
        lines.append(t("directive-issued-on", date=format_date(d.issued_on)))
    return lines


def _footer(t: Translator, d: Directive, tz: ZoneInfo, forwards: str | None) -> list[str]:
    lines: list[str] = []
    if forwards:
        lines.append(t("directive-forwards", number=html.escape(forwards)))
    if d.supersedes_number:
        lines.append(t("directive-supersedes", number=html.escape(d.supersedes_number)))
    if d.links:
        lines.append(t("directive-links"))
        for link in d.links:
            url = html.escape(link["url"], quote=True)
            lines.append(f'• <a href="{url}">{html.escape(link.get("label") or link["url"])}</a>')
    deadlines = [(key, getattr(d, key)) for key in ("receive_by", "study_by", "report_by")]
    shown = [(k, v) for k, v in deadlines if v is not None]
    if shown:
        lines.append(t("directive-deadlines"))
        for key, moment in shown:
            lines.append(t(f"deadline-{key}", when=format_deadline(t, moment, tz)))
    if d.attachments:
        lines.append(t("directive-attachments", count=len(d.attachments)))
    return lines


def _split_paragraphs(body: str, room: int) -> list[str]:
    """Escaped body chunks of at most ``room`` characters, cut at paragraph or line ends."""
    chunks: list[str] = []
    current = ""
    for line in body.strip().splitlines():
        piece = html.escape(line.strip())
        while len(piece) > room:  # a single enormous line: cut at a space
            cut = piece.rfind(" ", 0, room)
            cut = cut if cut > room // 2 else room
            # never cut inside an HTML entity such as &amp;
            amp = piece.rfind("&", 0, cut)
            if amp != -1 and ";" not in piece[amp:cut]:
                cut = amp
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece[:cut].rstrip())
            piece = piece[cut:].lstrip()
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > room:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks or [""]


@dataclass(frozen=True)
class RenderedDirective:
    """The parts of a post: every part fits a Telegram message; the last one carries buttons."""

    parts: list[str]
    buttons: Buttons


def render_directive(
    t: Translator, d: Directive, tz: ZoneInfo, *, forwards: str | None = None
) -> RenderedDirective:
    header = "\n".join(_header(t, d))
    footer = "\n".join(_footer(t, d, tz, forwards))
    budget = TEXT_LIMIT - COUNTERS_ROOM
    whole = "\n\n".join(p for p in (header, html.escape(d.body.strip()), footer) if p)
    if len(whole) <= budget:
        return RenderedDirective([whole], confirm_buttons(t, d))
    continued = t("directive-continued")
    body_chunks = _split_paragraphs(d.body, budget - len(header) - len(continued) - 8)
    parts = []
    for i, chunk in enumerate(body_chunks):
        head = header if i == 0 else continued
        parts.append(f"{head}\n\n{chunk}")
    if len(parts[-1]) + len(footer) + 2 <= budget:
        parts[-1] = f"{parts[-1]}\n\n{footer}"
    else:
        parts.append(f"{continued}\n\n{footer}")
    return RenderedDirective(parts, confirm_buttons(t, d))


def counters_line(
    t: Translator, received: int, studied: int, total: int, requires_study: bool
) -> str:
    if requires_study:
        return t("counters-both", received=received, studied=studied, total=total)
    return t("counters-received", received=received, total=total)


def compose(payload: Payload) -> str:
    """The text actually shown: the stored text plus the live counters line, if any."""
    text = str(payload.get("text", ""))
    counters = payload.get("counters")
    return f"{text}\n\n<i>{counters}</i>" if counters else text
