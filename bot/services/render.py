"""Directive texts and buttons as plain data (HTML text + button rows), in a given language.

Nothing here knows Telegram's client; the sender turns payloads into API calls.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.services.buttons import confirm_data
from bot.services.tg_text import CAPTION_LIMIT as CAPTION_LIMIT  # re-exported for renderers
from bot.services.tg_text import ELLIPSIS, html_len, html_to_text, tg_len
from bot.services.tg_text import TEXT_LIMIT as TEXT_LIMIT
from storage.models import Directive

# Room kept on the last part for the counters line ("Đã nhận 1.234/1.250 · Đã học 1.000/1.250"),
# in Telegram's units; compose() adds it as "\n\n<i>...</i>".
COUNTERS_ROOM = 120

Payload = dict[str, Any]
Buttons = list[list[dict[str, str]]]


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
            kind=_text(kind_name(t, d.kind)),
            number=_text(d.number),
        ),
        f"<b>{_text(d.title)}</b>",
    ]
    lines.append(t("directive-issuer", issuer=_text(d.issuer)))
    if d.issued_on:
        lines.append(t("directive-issued-on", date=format_date(d.issued_on)))
    return lines


def _footer(
    t: Translator, d: Directive, tz: ZoneInfo, forwards: str | None, *, qr_codes: bool
) -> list[str]:
    lines: list[str] = []
    if forwards:
        lines.append(t("directive-forwards", number=_text(forwards)))
    if d.supersedes_number:
        lines.append(t("directive-supersedes", number=_text(d.supersedes_number)))
    if d.links:
        # Only the posts followed by QR images may announce them (private copies get none).
        lines.append(t("directive-links" if qr_codes else "directive-links-no-qr"))
        for link in d.links:
            url = html.escape(link["url"], quote=True)
            lines.append(f'• <a href="{url}">{_text(link.get("label") or link["url"])}</a>')
    deadlines = [(key, getattr(d, key)) for key in ("receive_by", "study_by", "report_by")]
    shown = [(k, v) for k, v in deadlines if v is not None]
    if shown:
        lines.append(t("directive-deadlines"))
        for key, moment in shown:
            lines.append(t(f"deadline-{key}", when=format_deadline(t, moment, tz)))
    if d.attachments:
        lines.append(t("directive-attachments", count=len(d.attachments)))
    return lines


def _original(t: Translator, original: Directive) -> list[tuple[bool, str]]:
    """The forwarded directive under the cover note: who issued what, then its text."""
    lines: list[tuple[bool, str]] = [(False, "")]
    lines.append(
        (
            True,
            t(
                "forward-original-heading",
                number=_text(original.number),
                issuer=_text(original.issuer),
            ),
        )
    )
    lines.append((True, f"<b>{_text(original.title)}</b>"))
    body = original.body.strip()
    if body:
        lines.extend((False, line.rstrip()) for line in body.splitlines())
    return lines


def _text(plain: str) -> str:
    """Plain text as HTML text content (quotes need no escaping there)."""
    return html.escape(plain, quote=False)


# -- splitting into messages --------------------------------------------------------------------
#
# A post is a list of lines: markup lines (header, footer: locale texts with tags) and plain
# body lines. Lines are packed into parts measured in Telegram's units (UTF-16 code units after
# entity parsing: ``&amp;`` is one, an emoji two), never above ``limit``. A line that fits no
# part is cut as plain text (a markup line is first reduced to its text), so the packing always
# ends, every part fits and no character of the text is left out.

_GLUE = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors
_SCRAP = 200  # units: less room than this left in a part is not worth the start of a paragraph


def _cut(plain: str, room: int) -> tuple[str, str]:
    """``plain`` (longer than ``room`` units) cut in two: a head of at most ``room`` units (at
    least one character) and the rest. Cut at the last space if it is in the second half, else
    between two characters that are not glued (combining marks, joiners)."""
    used = 0
    end = 0
    for ch in plain:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > room:
            break
        used += size
        end += 1
    end = max(end, 1)  # a room smaller than one character still takes one: always progress
    space = plain.rfind(" ", 0, end + 1)
    if space > end // 2:
        return plain[:space], plain[space + 1 :]
    cut = end
    while 1 < cut < len(plain) and (
        unicodedata.combining(plain[cut]) or plain[cut] in _GLUE or plain[cut - 1] in _GLUE
    ):
        cut -= 1
    return plain[:cut], plain[cut:]


@dataclass
class _Packer:
    limit: int
    continued: str  # markup starting every part after the first
    parts: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    used: int = 0
    fresh: bool = True  # nothing but the continuation prefix in the current part

    def add_markup(self, markup: str) -> None:
        size = html_len(markup)
        if self._fits(size):
            self._append(markup, size)
        elif not self.fresh:
            self._flush()
            self.add_markup(markup)
        else:  # alone in a part and still too long: its text, cut (the markup is lost)
            self.add_plain(html_to_text(markup))

    def add_plain(self, plain: str) -> None:
        while True:
            if not plain and self.fresh:
                return  # no blank line at the top of a part
            size = tg_len(plain)
            if self._fits(size):
                self._append(_text(plain), size)
                return
            room = self.limit - self.used - (1 if self.lines else 0)
            # A paragraph that fits a message of its own starts one (it stays whole); a longer
            # one is cut anyway, so it first fills what is left here (unless that is a scrap).
            if not self.fresh and (size <= self._fresh_room() or room < _SCRAP):
                self._flush()
                continue
            head, plain = _cut(plain, room)
            self._append(_text(head), tg_len(head))
            self._flush()

    def finish(self) -> list[str]:
        if not self.fresh or not self.parts:
            self.parts.append("\n".join(self.lines).rstrip("\n"))
        return self.parts

    def _fresh_room(self) -> int:
        return self.limit - html_len(self.continued) - 2

    def _fits(self, size: int) -> bool:
        return self.used + size + (1 if self.lines else 0) <= self.limit

    def _append(self, markup: str, size: int) -> None:
        self.used += size + (1 if self.lines else 0)
        self.lines.append(markup)
        self.fresh = self.fresh and not markup

    def _flush(self) -> None:
        self.parts.append("\n".join(self.lines).rstrip("\n"))
        self.lines = [self.continued, ""]
        self.used = html_len(self.continued) + 1
        self.fresh = True


def _pack(lines: list[tuple[bool, str]], limit: int, continued: str) -> list[str]:
    """``(is_markup, text)`` lines packed into parts of at most ``limit`` units each."""
    packer = _Packer(limit, continued)
    for is_markup, text in lines:
        if is_markup:
            packer.add_markup(text)
        else:
            packer.add_plain(text)
    return packer.finish()


@dataclass(frozen=True)
class RenderedDirective:
    """The parts of a post: every part fits a Telegram message; the last one carries buttons.
    ``abridged``: the body did not fit one message, so the post shows its opening paragraphs
    and the full text follows as a document (see :func:`full_text_file`)."""

    parts: list[str]
    buttons: Buttons
    abridged: bool = False


def _size(is_markup: bool, text: str) -> int:
    return html_len(text) if is_markup else tg_len(text)


def _opening(
    head: list[tuple[bool, str]],
    body: list[str],
    tail: list[tuple[bool, str]],
    budget: int,
) -> str | None:
    """One message: ``head``, as many whole opening paragraphs of ``body`` as fit (at least a
    cut of the first), then ``tail`` (the "full text in the file" line and the footer). None
    if the header and footer alone leave no room for a useful opening."""
    fixed = [*head, (False, ""), *tail]
    used = sum(_size(m, x) for m, x in fixed) + len(fixed) - 1
    room = budget - used
    if room < _SCRAP:
        return None
    taken: list[str] = []
    for line in body:
        size = tg_len(line) + 1
        if size > room:
            if not any(taken):  # not even the first paragraph: its beginning, cut
                head_text, _rest = _cut(line, room - 1 - tg_len(ELLIPSIS))
                taken.append(head_text.rstrip() + ELLIPSIS)
            elif room > tg_len(ELLIPSIS):  # more follows: say so
                taken.append(ELLIPSIS)
            break
        taken.append(line)
        room -= size
    while taken and not taken[-1]:
        taken.pop()
    lines = [*head, (False, ""), *((False, x) for x in taken), *tail]
    text = "\n".join(x if m else _text(x) for m, x in lines)
    return text if html_len(text) <= budget else None


def render_directive(
    t: Translator,
    d: Directive,
    tz: ZoneInfo,
    *,
    forwards: str | None = None,
    qr_codes: bool = True,
    notice: str | None = None,
    abridge: bool = True,
    original: Directive | None = None,
) -> RenderedDirective:
    """The directive as message parts, each at most ``TEXT_LIMIT - COUNTERS_ROOM`` units after
    entity parsing (the last one gets the counters line), for any field values.

    The long-text rule (one place for the chat, the TOML file and the CLI): a post that would
    need more than one message is ``abridged`` to one, its opening paragraphs and a line
    saying the full text is in the attached file, which publishing adds (the original file if
    one was attached, else a generated .txt). ``abridge=False`` gives every part (the packer
    alone); so does a header and footer too long to leave room for an opening.

    ``qr_codes``: whether QR images of the links follow the post (group posts), so the text may
    say so. ``notice``: a markup line shown under the heading (amended, recalled, replaced:
    see :mod:`bot.services.lifecycle`). ``original``: the directive ``d`` forwards; its text
    follows the cover note (members read both in one post and one press confirms both)."""
    head: list[tuple[bool, str]] = [(True, line) for line in _header(t, d)]
    if notice:
        head.insert(1, (True, notice))
    body = d.body.strip()
    body_lines = [line.rstrip() for line in body.splitlines()]
    lines = list(head)
    if body:
        lines.append((False, ""))
        lines.extend((False, line) for line in body_lines)
    if original is not None:
        lines.extend(_original(t, original))
        forwards = None  # the block names it already
    footer: list[tuple[bool, str]] = [
        (True, line) for line in _footer(t, d, tz, forwards, qr_codes=qr_codes)
    ]
    if footer:
        lines.append((False, ""))
        lines.extend(footer)
    budget = TEXT_LIMIT - COUNTERS_ROOM
    continued = t("directive-continued")
    if html_len(continued) > budget // 8:  # a locale text can never stall the splitting
        continued = ELLIPSIS
    parts = _pack(lines, budget, continued)
    buttons = confirm_buttons(t, d)
    if len(parts) > 1 and abridge and body:
        tail = [(False, ""), (True, t("directive-full-text"))]
        if footer:
            tail += [(False, ""), *footer]
        opening = _opening(head, body_lines, tail, budget)
        if opening is not None:
            return RenderedDirective([opening], buttons, abridged=True)
    return RenderedDirective(parts, buttons)


def full_text_name(d: Directive, suffix: str = ".txt") -> str:
    """The generated document's file name: the directive's number, safe for any system
    (``1208-CV/BTGTU`` -> ``1208-CV-BTGTU.txt``)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in d.number)
    return (safe.strip("-.") or "van-ban") + suffix


def full_text_file(t: Translator, d: Directive) -> str:
    """The whole directive as plain text (header lines, then the body), for the .txt sent
    after an abridged post."""
    header = [html_to_text(line) for line in _header(t, d)]
    return "\n".join([*header, "", d.body.strip(), ""])


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


def closed_note(t: Translator, d: Directive) -> str | None:
    """A line for reports (/pending, /status) on a recalled or replaced directive: its
    figures stopped there."""
    if d.status in ("recalled", "superseded"):
        return t(f"lifecycle-report-{d.status}")
    return None


def qr_payload(t: Translator, link: dict[str, str]) -> dict[str, str]:
    """The outbox payload of a link's QR image: the sender draws the code, the caption names
    the link."""
    return {
        "method": "qr",
        "url": link["url"],
        "caption": t("qr-caption", label=link.get("label") or link["url"]),
    }
