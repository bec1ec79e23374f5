"""Telegram's MarkdownV2 and legacy Markdown parse modes (tdlib's rules, simplified)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.html import ParseError, strip_text, utf16_len

JSON = dict[str, Any]

_RESERVED_V2 = "_*[]()~`>#+-=|{}.!"
_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
    "blockquote": "BlockQuote",
}  # fmt: skip
_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


@dataclass
class _Open:
    kind: str
    marker: str
    start16: int
    byte_pos: int
    language: str = ""


class _Builder:
    """Accumulates output text and tracks UTF-16 positions."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos16 = 0
        self.entities: list[JSON] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos16 += utf16_len(text)

    def close(self, tag: _Open, **extra: str) -> None:
        length = self.pos16 - tag.start16
        if length > 0:
            self.entities.append(
                {"type": tag.kind, "offset": tag.start16, "length": length, **extra}
            )

    def result(self) -> tuple[str, list[JSON]]:
        return strip_text("".join(self.parts), self.entities)


def _byte(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8"))


def _reserved(ch: str) -> ParseError:
    return ParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _read_url(text: str, i: int) -> tuple[str, int]:
    """Read ``(url)`` starting at ``text[i] == '('``; returns url and index after ``)``."""
    out, j = [], i + 1
    while j < len(text) and text[j] != ")":
        if text[j] == "\\" and j + 1 < len(text):
            j += 1
        out.append(text[j])
        j += 1
    if j >= len(text):
        raise ParseError(f"Can't find end of a url at byte offset {_byte(text, i)}")
    return "".join(out), j + 1


def _code_block(text: str, i: int, out: _Builder, v2: bool) -> int:
    """Handle ``` pre blocks and ` code spans starting at ``i``; returns the next index."""
    fence = "```" if text.startswith("```", i) else "`"
    j = i + len(fence)
    language = ""
    if fence == "```":
        newline = text.find("\n", j)
        first_line = text[j:newline] if newline >= 0 else ""
        if newline >= 0 and first_line and " " not in first_line:
            language, j = first_line, newline + 1
    tag = _Open("pre" if fence == "```" else "code", fence, out.pos16, _byte(text, i), language)
    while j < len(text):
        if text.startswith(fence, j):
            out.close(tag, **({"language": language} if language else {}))
            return j + len(fence)
        if v2 and text[j] == "\\" and j + 1 < len(text):
            j += 1
        out.add(text[j])
        j += 1
    raise ParseError(f"Can't find end of {_NAMES[tag.kind]} entity at byte offset {tag.byte_pos}")


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Convert MarkdownV2 into (plain text, entities) or raise ``ParseError``."""
    out = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
            out.add(text[i + 1])
            i += 2
            continue
        if ch not in _RESERVED_V2:
            out.add(ch)
            i += 1
            continue
        if ch == "`":
            i = _code_block(text, i, out, v2=True)
            continue
        two = text[i : i + 2]
        marker = two if two in ("__", "||") else ch
        if stack and stack[-1].marker == marker:
            out.close(stack.pop())
            i += len(marker)
            continue
        if stack and stack[-1].marker == "[" and ch == "]":
            tag = stack.pop()
            url = ""
            i += 1
            if i < n and text[i] == "(":
                url, i = _read_url(text, i)
            if url:
                out.close(tag, url=url)
            continue
        if marker in _MARKERS:
            stack.append(_Open(_MARKERS[marker], marker, out.pos16, _byte(text, i)))
            i += len(marker)
            continue
        if ch == "[":
            stack.append(_Open("text_link", "[", out.pos16, _byte(text, i)))
            i += 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            end = n if end < 0 else end
            quote = _Open("blockquote", ">", out.pos16, _byte(text, i))
            inner, inner_entities = parse_markdown_v2(text[i + 1 : end])
            for entity in inner_entities:
                out.entities.append({**entity, "offset": entity["offset"] + out.pos16})
            out.add(inner)
            out.close(quote)
            i = end
            continue
        raise _reserved(ch)
    if stack:
        tag = stack[-1]
        raise ParseError(
            f"Can't find end of {_NAMES[tag.kind]} entity at byte offset {tag.byte_pos}"
        )
    return out.result()


def parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Convert legacy Markdown into (plain text, entities) or raise ``ParseError``."""
    out = _Builder()
    i, n = 0, len(text)
    legacy = {"*": "bold", "_": "italic"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
        elif ch == "`":
            i = _code_block(text, i, out, v2=False)
        elif ch in legacy:
            end = text.find(ch, i + 1)
            if end < 0:
                raise ParseError(
                    f"Can't find end of the entity starting at byte offset {_byte(text, i)}"
                )
            tag = _Open(legacy[ch], ch, out.pos16, _byte(text, i))
            out.add(text[i + 1 : end])
            out.close(tag)
            i = end + 1
        elif ch == "[":
            end = text.find("]", i + 1)
            if end < 0:
                raise ParseError(
                    f"Can't find end of the entity starting at byte offset {_byte(text, i)}"
                )
            tag = _Open("text_link", "[", out.pos16, _byte(text, i))
            out.add(text[i + 1 : end])
            i = end + 1
            if i < n and text[i] == "(":
                url, i = _read_url(text, i)
                out.close(tag, url=url)
        else:
            out.add(ch)
            i += 1
    return out.result()
