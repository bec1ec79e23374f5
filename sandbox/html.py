"""Telegram's HTML parse mode, following tdlib's parser: errors, plain text and entities."""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "code": "code", "pre": "pre", "span": "spoiler",
    "tg-spoiler": "spoiler", "blockquote": "blockquote", "a": "text_link",
    "tg-emoji": "custom_emoji", "tg-time": "date_time",
}  # fmt: skip
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


class ParseError(ValueError):
    """The text is not valid for the parse mode; ``str(exc)`` is Telegram's detail."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring an entity (UTF-16 ``offset``/``length``) covers."""
    units = text.encode("utf-16-le")
    return units[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


@dataclass
class _Open:
    name: str
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str] = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(text, i)
    if match is None:
        return None
    body = match.group(1)
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end()
    return html.entities.html5[body + ";"], match.end()


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded is None:
            out.append(value[i])
            i += 1
        else:
            out.append(decoded[0])
            i = decoded[1]
    return "".join(out)


def _parse_attrs(text: str, j: int, name: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``text[j]`` up to ``>``; returns them and the index of ``>``."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[j] == ">":
            return attrs, j
        k = j
        while k < n and not text[k].isspace() and text[k] not in "=>":
            k += 1
        attr = text[j:k].lower()
        while k < n and text[k].isspace():
            k += 1
        if k < n and text[k] != "=":
            if name == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                j = k
                continue
            raise ParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {_byte_offset(text, begin)}'
            )
        k += 1
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[k] in "\"'":
            end = text.find(text[k], k + 1)
            if end < 0:
                raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            value, j = text[k + 1 : end], end + 1
        else:
            end = k
            while end < n and not text[end].isspace() and text[end] != ">":
                end += 1
            value, j = text[k:end], end
        attrs[attr] = _unescape(value)


def _entity_for(tag: _Open, length: int, parent: _Open | None) -> JSON | None:
    kind = TAG_ENTITY[tag.name]
    entity: JSON = {"type": kind, "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif tag.name == "pre" and "language" in tag.attrs:
        entity["language"] = tag.attrs["language"]
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    elif tag.name == "tg-time":
        entity["unix_time"] = int(tag.attrs["unix"])
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    elif tag.name == "code" and parent is not None and parent.name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            parent.attrs["language"] = language.removeprefix("language-")
            return None
    return entity


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Convert Telegram HTML into (plain text, entities) or raise ``ParseError``."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&" and (decoded := _decode_entity(text, i)) is not None:
            out.append(decoded[0])
            pos16 += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            end = text.find(">", i + 2)
            if end < 0:
                raise ParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            tag = stack.pop()
            if name and name != tag.name:
                raise ParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            length = pos16 - tag.start
            entity = _entity_for(tag, length, stack[-1] if stack else None)
            if entity is not None and length > 0:
                entities.append(entity)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i + 1 : j].lower()
        if name not in TAG_ENTITY:
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, j = _parse_attrs(text, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            at = _byte_offset(text, begin)
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise ParseError(
                f"Custom emoji identifier is empty at byte offset {_byte_offset(text, begin)}"
            )
        if name == "tg-time" and not attrs.get("unix", "").lstrip("-").isdigit():
            raise ParseError(
                f'Tag "tg-time" must have a valid "unix" attribute at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        stack.append(_Open(name, pos16, attrs))
        i = j + 1
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].name}")
    return strip_text("".join(out), entities)


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, sort_entities(entities)
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, sort_entities(kept)


def sort_entities(entities: list[JSON]) -> list[JSON]:
    """Telegram orders entities by offset, longer (outer) first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
