"""Reading Bot API parameters from query strings, JSON, urlencoded and multipart bodies."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from sandbox.errors import bad_request

JSON = dict[str, Any]

# Sent as raw strings by clients (PTB only JSON-encodes non-string values): never decode.
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "photo",
    "document", "file_id", "inline_message_id", "language_code", "ip_address", "title",
    "description", "short_description", "name", "emoji", "business_connection_id",
    "message_effect_id", "audio", "video", "voice", "animation", "sticker", "thumbnail",
})  # fmt: skip
# Objects that may arrive JSON-encoded inside a string even in JSON bodies.
OBJECT_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "media", "allowed_updates", "commands",
    "scope", "link_preview_options", "reply_parameters", "message_ids",
})  # fmt: skip


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str | None
    data: bytes


def _decode(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        if name in OBJECT_PARAMS:
            raise bad_request(f"can't parse {name} JSON object") from None
        return value


def _json_params(body: bytes) -> JSON:
    try:
        values = orjson.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON body") from None
    if not isinstance(values, dict):
        raise bad_request("JSON body must be an object")
    return {
        key: _decode(key, value) if isinstance(value, str) and key in OBJECT_PARAMS else value
        for key, value in values.items()
    }


def body_params(content_type: str, body: bytes) -> JSON:
    """The parameters an HTTP body carries, read as the Bot API server reads a request's: a
    JSON object (``application/json``) or a form (``application/x-www-form-urlencoded``);
    nothing for other bodies. Raises ApiError for a body that cannot be parsed."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        return _json_params(body)
    if kind == "application/x-www-form-urlencoded":
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: _decode(key, value) for key, value in form}
    return {}


async def read_request(request: web.Request) -> tuple[JSON, dict[str, Upload]]:
    """All parameters of a Bot API request (decoded) and its uploaded files."""
    params: JSON = {k: _decode(k, v) for k, v in request.query.items()}
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, uploads
    if request.content_type == "application/json":
        params.update(_json_params(await request.read()))
        return params, uploads
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            content_type = value.content_type
            if content_type in (None, "application/octet-stream"):
                content_type = mimetypes.guess_type(value.filename)[0] or content_type
            uploads[key] = Upload(value.filename or key, content_type, data)
        elif isinstance(value, str):
            params[key] = _decode(key, value)
    return params, uploads


class Params:
    """Typed access to one request's parameters with Telegram-style 400 errors."""

    def __init__(self, values: JSON, uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        """True when the parameter was given (and is not null)."""
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        """The decoded value or None."""
        return self.values.get(name)

    def str_(self, name: str, required: bool = False) -> str | None:
        """A string parameter (numbers are converted back to text)."""
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)

    def req_str(self, name: str) -> str:
        """A required string parameter."""
        value = self.str_(name, required=True)
        assert value is not None
        return value

    def int_(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter, None/default when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def req_int(self, name: str) -> int:
        """A required integer parameter."""
        value = self.int_(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def float_(self, name: str, default: float) -> float:
        """A number parameter (e.g. getUpdates' timeout)."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool_(self, name: str) -> bool:
        """A boolean flag; absent means False."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def list_(self, name: str) -> list[Any] | None:
        """A JSON array parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def dict_(self, name: str) -> JSON | None:
        """A JSON object parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def for_record(self) -> JSON:
        """Parameters for ``RecordedCall.params``: uploads appear as their file names."""
        shown: JSON = dict(self.values)
        for key, upload in self.uploads.items():
            shown[key] = upload.filename
        if isinstance(shown.get("media"), list):
            shown["media"] = [self._attach_names(item) for item in shown["media"]]
        return shown

    def _attach_names(self, item: Any) -> Any:
        if isinstance(item, dict) and isinstance(item.get("media"), str):
            name = item["media"].removeprefix("attach://")
            if name in self.uploads:
                return {**item, "media": self.uploads[name].filename}
        return item
