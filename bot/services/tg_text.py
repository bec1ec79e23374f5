"""Telegram's text limits in Telegram's units: the one place that measures and bounds a text.

Telegram counts a message's length in UTF-16 code units of the text *after* entity parsing
(an HTML ``<b>x</b>`` is one unit, ``&amp;`` is one, an emoji outside the Basic Multilingual
Plane is two). Every check the bot makes on a length goes through :func:`tg_len` (plain text)
or :func:`html_len` (text with HTML markup, as the bot sends it); nothing else uses ``len()``
for a Telegram limit. Pure functions, no Telegram client.
"""

from __future__ import annotations

from html.parser import HTMLParser

TEXT_LIMIT = 4096  # sendMessage / editMessageText: 1-4096 characters after entities parsing
CAPTION_LIMIT = 1024  # captions: 0-1024 characters after entities parsing
CALLBACK_ANSWER_LIMIT = 200  # answerCallbackQuery text: 0-200 characters
CALLBACK_DATA_BYTES = 64  # InlineKeyboardButton.callback_data: 1-64 bytes
COMMAND_DESCRIPTION_LIMIT = 256  # BotCommand.description: 1-256 characters

ELLIPSIS = "…"


def tg_len(text: str) -> int:
    """Length of a plain text as Telegram counts it: UTF-16 code units."""
    # Every code point above U+FFFF is a surrogate pair in UTF-16; the rest count one. The
    # codec counts in C (a /pending page measures thousands of names); a lone surrogate passes.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment the way Telegram's parser leaves it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The plain text Telegram shows for an HTML-formatted message (tags dropped, entities
    decoded)."""
    if "<" not in markup and "&" not in markup:
        return markup
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def html_len(markup: str) -> int:
    """Length of an HTML-formatted text after entity parsing, in UTF-16 code units."""
    return tg_len(html_to_text(markup))


def fits(markup: str, limit: int = TEXT_LIMIT) -> bool:
    return html_len(markup) <= limit


def truncate(text: str, limit: int) -> str:
    """A plain text cut to at most ``limit`` UTF-16 units, with an ellipsis when cut.

    Never splits a surrogate pair; meant for plain texts (toasts, button labels)."""
    if tg_len(text) <= limit:
        return text
    room = limit - tg_len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > room:
            break
        out.append(ch)
        used += size
    return "".join(out) + ELLIPSIS


# -- text on the way in ------------------------------------------------------------------------

ARGUMENT_LIMIT = 1024  # one command argument (a word of the message), in UTF-16 units


def is_control(ch: str) -> bool:
    """A control character (Unicode category Cc: NUL, C0, DEL, C1) or a lone surrogate (Cs):
    nothing a person means to write, and PostgreSQL refuses NUL outright."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000


def clean_text(text: str, *, keep_lines: bool = False) -> str:
    """``text`` without control characters and lone surrogates (:func:`is_control`): one NUL in
    a name or an argument would fail every statement that carries it. ``keep_lines``: a text
    written over several lines (a report) keeps its line breaks and tabs."""
    if text.isprintable():  # the usual case, checked at C speed
        return text
    return "".join(ch for ch in text if (keep_lines and ch in "\n\t") or not is_control(ch))


def clean_argument(arg: str) -> str:
    """A command argument as handlers see it: cleaned, and bounded so that echoing it back in a
    reply always fits (:data:`ARGUMENT_LIMIT`)."""
    return truncate(clean_text(arg), ARGUMENT_LIMIT)
