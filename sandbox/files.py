"""Storing uploaded bytes under file ids and building photo/document message content."""

from __future__ import annotations

import mimetypes
import secrets
from typing import Any

from sandbox.objects import document, image_size, photo_sizes, scaled_dimensions
from sandbox.state import StoredFile
from sandbox.world import World

JSON = dict[str, Any]
_PREFIX = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk"}


def _new_file(w: World, data: bytes, kind: str, path: str, **extra: Any) -> StoredFile:
    serial = w.serial()
    file = StoredFile(
        file_id=f"{_PREFIX[kind]}{serial:06d}{secrets.token_urlsafe(12)}",
        file_unique_id=f"AQAD{serial:06d}{secrets.token_hex(3)}",
        data=data,
        file_path=path.format(n=serial),
        kind=kind,
        **extra,
    )
    w.files[file.file_id] = file
    w.files_by_path[file.file_path] = file
    return file


def store_photo(w: World, data: bytes) -> list[JSON]:
    """Store an uploaded photo; returns its ``PhotoSize`` list (thumbnail ladder)."""
    if not data:
        raise ValueError("empty photo")
    width, height = image_size(data)
    sizes = [
        _new_file(w, data, "photo", "photos/file_{n}.jpg", width=wd, height=ht)
        for wd, ht in scaled_dimensions(width, height)
    ]
    return photo_sizes(sizes)


def store_document(w: World, data: bytes, file_name: str, mime_type: str | None) -> JSON:
    """Store an uploaded document; returns its ``Document`` object."""
    mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
    path = "documents/file_{n}." + suffix
    return document(_new_file(w, data, "document", path, file_name=file_name, mime_type=mime))


def reuse_photo(w: World, file_id: str) -> list[JSON] | None:
    """The PhotoSize list for a known photo ``file_id`` (any of its sizes)."""
    file = w.files.get(file_id)
    if file is None or file.kind != "photo":
        return None
    return photo_sizes([file])


def reuse_document(w: World, file_id: str) -> JSON | None:
    """The Document for a known ``file_id`` (photos are refused like Telegram does)."""
    file = w.files.get(file_id)
    if file is None or file.kind != "document":
        return None
    return document(file)
