"""The published Bot API (tests/data/telegram-bot-api-10.1.json) as a checker of requests and
answers: method names, required and unknown fields, declared types, documented lengths.

Everything is read from the specification's JSON, nothing hand-typed:

* a field's types (``Integer``, ``String``, ``Array of MessageEntity``, ``InputFile or
  String``...); abstract types (``ChatMember``, ``MessageOrigin``, ``MaybeInaccessibleMessage``)
  are checked against the subtype whose constant field matches (``status``: always "creator");
* values listed in descriptions (``Type of the chat, can be either "private", "group"...``,
  the entity types);
* lengths from descriptions such as ``1-4096 characters after entities parsing`` (UTF-16 code
  units of the text after the request's parse mode, counted here by the sandbox's parser, not
  the bot's helper), ``0-200 characters``, ``1-64 bytes`` (UTF-8);
* chat-type limits of optional fields (``; for supergroups only``, ``Default chat member
  permissions, for groups and supergroups``) given the chat the object belongs to;
* ``Returned only in getMe`` fields outside getMe.

Values of a request sent as a form (multipart uploads) were text on the wire, so a ``String``
parameter the sandbox decoded to a number or boolean is accepted there.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "telegram-bot-api-10.1.json"

_LIMIT = re.compile(r"\b(\d+)-(\d+) (characters|bytes)( after entit(?:y|ies) parsing)?")
_CHOICES = re.compile(r'\b(?:[Cc]an be|[Mm]ust be one of) (?:either )?(?=")')
_CONST = re.compile(r'(?:always|must be) "?([a-z_0-9]+)"?')
_CHATS = r"(?:private chats|groups|group chats|supergroups|channels|channel chats)"
_FOR_CHATS = re.compile(
    rf"\bfor ({_CHATS}(?:(?:, | and |, and ){_CHATS})*)(?: only)?(?: if available)?(?=[.;]|$)"
)
_CHAT_WORDS = {
    "private chats": "private",
    "groups": "group",
    "group chats": "group",
    "supergroups": "supergroup",
    "channels": "channel",
    "channel chats": "channel",
}
_SCALARS = ("Integer", "Float", "String", "Boolean", "True", "InputFile")


@dataclass(frozen=True)
class Limit:
    low: int
    high: int
    unit: str  # "characters" (UTF-16 code units) or "bytes" (UTF-8)
    parsed: bool  # counted after entity parsing


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    limit: Limit | None = None
    const: str | int | None = None
    choices: frozenset[str] | None = None  # 'can be either "private", "group"...'
    chat_types: frozenset[str] | None = None
    get_me_only: bool = False


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    subtypes: tuple[str, ...] = ()
    opaque: bool = False  # documented without fields (CallbackGame, ForumTopicClosed...)


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass
class _Ctx:
    chat_type: str | None = None
    method: str | None = None
    form: bool = False


def _field(raw: dict[str, Any], *, discriminating: bool) -> FieldSpec:
    description: str = raw.get("description", "")
    limit = None
    if found := _LIMIT.search(description):
        low, high, unit, parsed = found.groups()
        limit = Limit(int(low), int(high), unit, parsed is not None)
    const: str | int | None = None
    if discriminating and raw["name"] in ("type", "status", "source"):
        if found := _CONST.search(description):
            const = found.group(1)
    elif discriminating and description.startswith("Always 0"):
        const = 0
    choices = None
    if raw["types"] == ["String"] and (found := _CHOICES.search(description)):
        values = re.findall(r'"([^"]+)"', description[found.end() :])
        choices = frozenset(values) if len(values) >= 2 else None
    chat_types = None
    if not raw["required"] and (found := _FOR_CHATS.search(description)):
        words = re.split(r", and |, | and ", found.group(1))
        chat_types = frozenset(_CHAT_WORDS[w] for w in words)
    return FieldSpec(
        name=raw["name"],
        types=tuple(raw["types"]),
        required=bool(raw["required"]),
        limit=limit,
        const=const,
        choices=choices,
        chat_types=chat_types,
        get_me_only="Returned only in getMe" in description,
    )


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parsed_text(text: str, parse_mode: Any) -> str | None:
    """The text after entity parsing (the sandbox's parser); None when it does not parse."""
    from sandbox.errors import ApiError
    from sandbox.text import format_text

    try:
        return format_text(text, parse_mode if isinstance(parse_mode, str) else None, None)[0]
    except ApiError:
        return None


class BotApiSpec:
    """Methods and types of one Bot API version, and checks against them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data["version"]
        self.types: dict[str, TypeSpec] = {}
        for name, raw in data["types"].items():
            discriminating = bool(raw.get("subtype_of"))
            fields = {
                f["name"]: _field(f, discriminating=discriminating) for f in raw.get("fields", [])
            }
            subtypes = tuple(raw.get("subtypes", ()))
            self.types[name] = TypeSpec(name, fields, subtypes, opaque=not fields and not subtypes)
        self.methods: dict[str, MethodSpec] = {
            name.lower(): MethodSpec(
                name,
                {f["name"]: _field(f, discriminating=False) for f in raw.get("fields", [])},
                tuple(raw["returns"]),
            )
            for name, raw in data["methods"].items()
        }

    # -- requests --------------------------------------------------------------------------
    def check_request(
        self, method: str, params: dict[str, Any], *, form: bool = False
    ) -> list[str]:
        """Problems of one request: unknown method or parameter, missing required parameter,
        wrong type, length outside the documented range."""
        spec = self.methods.get(method.lower())
        if spec is None:
            return [f"{method}: no such method in {self.version}"]
        problems: list[str] = []
        given = {k: v for k, v in params.items() if v is not None}
        ctx = _Ctx(form=form)
        for name, fspec in spec.fields.items():
            if fspec.required and name not in given:
                problems.append(f"{spec.name}: required parameter {name} missing")
        for name, value in given.items():
            fspec = spec.fields.get(name)
            if fspec is None:
                problems.append(f"{spec.name}: unknown parameter {name}")
                continue
            problems += self._check_field(fspec, value, given, f"{spec.name}.{name}", ctx)
        return problems

    # -- answers ---------------------------------------------------------------------------
    def check_result(self, method: str, result: Any, *, chat_type: str | None = None) -> list[str]:
        """Problems of a successful answer's ``result`` for ``method``."""
        spec = self.methods.get(method.lower())
        if spec is None:
            return [f"{method}: no such method in {self.version}"]
        ctx = _Ctx(chat_type=chat_type, method=spec.name)
        return self._check_union(spec.returns, result, f"{spec.name}()", ctx)

    def check_object(
        self, type_name: str, value: Any, *, chat_type: str | None = None
    ) -> list[str]:
        """Problems of one object of a named type (e.g. an Update delivered by webhook)."""
        return self._check_union((type_name,), value, type_name, _Ctx(chat_type=chat_type))

    # -- internals -------------------------------------------------------------------------
    def _check_field(
        self, fspec: FieldSpec, value: Any, siblings: dict[str, Any], path: str, ctx: _Ctx
    ) -> list[str]:
        problems = self._check_union(fspec.types, value, path, ctx)
        if not problems and fspec.choices is not None and value not in fspec.choices:
            problems.append(f"{path}: {value!r} is none of {', '.join(sorted(fspec.choices))}")
        if problems or fspec.limit is None or not isinstance(value, str):
            return problems
        limit = fspec.limit
        if limit.unit == "bytes":
            size = len(value.encode("utf-8"))
        else:
            text: str | None = value
            if limit.parsed:
                mode = siblings.get(f"{fspec.name}_parse_mode", siblings.get("parse_mode"))
                text = _parsed_text(value, mode)
            if text is None:
                return problems  # unparseable markup: the sandbox answers 400 for it
            size = utf16_units(text)
        if not limit.low <= size <= limit.high:
            problems.append(
                f"{path}: {size} {limit.unit} outside the documented {limit.low}-{limit.high}"
            )
        return problems

    def _check_union(self, types: tuple[str, ...], value: Any, path: str, ctx: _Ctx) -> list[str]:
        best: list[str] | None = None
        for type_expr in types:
            problems = self._check_type(type_expr, value, path, ctx)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or [f"{path}: no type"]

    def _check_type(self, type_expr: str, value: Any, path: str, ctx: _Ctx) -> list[str]:
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_expr}, got {type(value).__name__}"]
            inner = type_expr.removeprefix("Array of ")
            problems: list[str] = []
            for i, item in enumerate(value):
                problems += self._check_type(inner, item, f"{path}[{i}]", ctx)
            return problems
        if type_expr in _SCALARS:
            return (
                []
                if _scalar_ok(type_expr, value, ctx.form)
                else [f"{path}: expected {type_expr}, got {value!r:.60}"]
            )
        spec = self.types.get(type_expr)
        if spec is None:
            return [f"{path}: unknown type {type_expr}"]
        if spec.subtypes:
            return self._check_abstract(spec, value, path, ctx)
        if not isinstance(value, dict):
            return [f"{path}: expected {type_expr} object, got {type(value).__name__}"]
        if spec.opaque:
            return []
        return self._check_fields(spec, value, path, ctx)

    def _check_abstract(self, spec: TypeSpec, value: Any, path: str, ctx: _Ctx) -> list[str]:
        candidates = []
        for sub in spec.subtypes:
            sub_spec = self.types.get(sub)
            if sub_spec is not None and isinstance(value, dict):
                consts = [f for f in sub_spec.fields.values() if f.const is not None]
                if any(value.get(f.name) != f.const for f in consts):
                    continue
            candidates.append(sub)
        if not candidates:
            return [f"{path}: matches no kind of {spec.name} ({', '.join(spec.subtypes)})"]
        return self._check_union(tuple(candidates), value, path, ctx)

    def _check_fields(
        self, spec: TypeSpec, value: dict[str, Any], path: str, ctx: _Ctx
    ) -> list[str]:
        own_chat = ctx.chat_type
        if spec.name in ("Chat", "ChatFullInfo") and isinstance(value.get("type"), str):
            own_chat = value["type"]
        elif isinstance(value.get("chat"), dict) and isinstance(value["chat"].get("type"), str):
            own_chat = value["chat"]["type"]
        inner = _Ctx(chat_type=own_chat, method=None, form=ctx.form)
        problems: list[str] = []
        for name, fspec in spec.fields.items():
            if fspec.required and name not in value:
                problems.append(f"{path}: {spec.name} lacks required field {name}")
        for name, item in value.items():
            fspec = spec.fields.get(name)
            where = f"{path}.{name}"
            if fspec is None:
                problems.append(f"{where}: not a field of {spec.name}")
                continue
            if fspec.const is not None and item != fspec.const:
                problems.append(f"{where}: must be {fspec.const!r}, got {item!r}")
            if fspec.chat_types is not None and own_chat and own_chat not in fspec.chat_types:
                allowed = "/".join(sorted(fspec.chat_types))
                problems.append(f"{where}: only in {allowed} chats, this is a {own_chat}")
            if fspec.get_me_only and ctx.method != "getMe":
                problems.append(f"{where}: returned only in getMe")
            problems += self._check_field(fspec, item, value, where, inner)
        return problems


def _scalar_ok(type_name: str, value: Any, form: bool) -> bool:
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "True":
        return value is True
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    # String; InputFile (an upload, recorded as its file name)
    if isinstance(value, str):
        return True
    return form and isinstance(value, int | float | bool)


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> BotApiSpec:
    """The specification, parsed once per test session."""
    return BotApiSpec(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class CallLog:
    """The calls sandboxes recorded during one test, checked against the specification."""

    requests: bool = True  # False: only the answers are checked
    seen: list[tuple[Any, Any]] = field(default_factory=list)

    def observe(self, server: Any, call: Any) -> None:
        self.seen.append((server, call))

    def problems(self) -> list[str]:
        """Violations: each request's method and parameters (unless ``requests`` is False)
        and each successful answer's result."""
        spec = load_spec()
        problems: list[str] = []
        for server, call in self.seen:
            if self.requests and call.error_code != 401:  # unknown token: params never read
                found = spec.check_request(call.method, call.params, form=call.encoding == "form")
                problems += [f"request {p}" for p in found]
            if call.ok:
                chat = server.chats.get(call.chat_id) if call.chat_id is not None else None
                found = spec.check_result(call.method, call.result, chat_type=chat and chat.type)
                problems += [f"answer {p}" for p in found]
        return list(dict.fromkeys(problems))
