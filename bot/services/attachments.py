"""A directive's files: what it stores in ``Directive.attachments`` and the outbox payloads
that post them after the post.

``Directive.attachments`` is a JSON list. Two shapes are read:

* a text: a file path (the TOML file and the CLI; the old shape, still written by them);
* a mapping from the chat: ``{"file_id", "type": "document"|"photo", "name", "size"}``; the
  file stays on Telegram's servers and is posted again by its ``file_id`` (nothing is
  downloaded).

Posting (one rule for every entry point): photos and documents go as separate groups, since
Telegram does not mix them in one album; a group of one is a plain sendPhoto/sendDocument, a
group of 2-10 is one sendMediaGroup (an album). A post abridged because its text is longer
than one message (:func:`bot.services.render.render_directive`) is followed by the full text:
the attached document(s) if there are any (the original file), else a generated ``.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.i18n import Translator
from bot.services import directive_rules as rules
from bot.services.drafts import DraftError
from bot.services.render import full_text_file, full_text_name
from storage.models import Directive

DOCUMENT, PHOTO = "document", "photo"
# From the chat a plain-text file is welcome too: the full text of a long directive.
CHAT_SUFFIXES = rules.ATTACHMENT_SUFFIXES | {".txt"}
ALBUM_MAX = 10  # Bot API sendMediaGroup: 2-10 items
# Documents a secretary may attach from chat: what a directive comes with (the TOML file's
# allow-list), images included; by name, as Telegram reports it.
MIME_SUFFIX = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class ChatFile:
    """A file a user sent in the dialogue, as the update describes it."""

    file_id: str
    type: str  # document | photo
    name: str
    size: int | None  # bytes; Telegram sends it (optional in the Bot API)
    mime: str | None = None

    def stored(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "type": self.type, "name": self.name, "size": self.size}


def check_chat_file(f: ChatFile) -> None:
    """A document of an allowed type and a photo, each under the Bot API's limit for bots
    (documents 50 MB, photos 10 MB); refused with the size and the limit in the message."""
    if f.type == DOCUMENT:
        suffix = Path(f.name).suffix.lower() or MIME_SUFFIX.get(f.mime or "", "")
        if suffix not in CHAT_SUFFIXES:
            raise DraftError(
                "media-file-type",
                field="attachments",
                file=f.name,
                allowed=" ".join(sorted(s.lstrip(".") for s in CHAT_SUFFIXES)),
            )
    limit = rules.DOCUMENT_MAX_BYTES if f.type == DOCUMENT else rules.PHOTO_MAX_BYTES
    if f.size is not None and f.size > limit:
        raise DraftError(
            "rule-attachment-too-big",
            field="attachments",
            file=f.name,
            size=round(f.size / 1024 / 1024, 1),
            max=limit // 1024 // 1024,
        )


def check_stored(entries: list[Any]) -> None:
    """Chat files stored in a draft, checked again before publishing (count and sizes)."""
    if len(entries) > rules.ATTACHMENTS_MAX:
        raise DraftError(
            "rule-too-many", field="attachments", count=len(entries), max=rules.ATTACHMENTS_MAX
        )
    for entry in entries:
        if isinstance(entry, dict):
            check_chat_file(from_stored(entry))


def from_stored(entry: dict[str, Any]) -> ChatFile:
    size = entry.get("size")
    return ChatFile(
        file_id=str(entry["file_id"]),
        type=PHOTO if entry.get("type") == PHOTO else DOCUMENT,
        name=str(entry.get("name") or ""),
        size=int(size) if isinstance(size, int) else None,
    )


def _media(entry: Any) -> dict[str, Any]:
    """One stored entry as a media item: ``type`` and ``file_id`` or ``path``."""
    if isinstance(entry, dict):
        f = from_stored(entry)
        return {"type": f.type, "file_id": f.file_id}
    return {"type": DOCUMENT, "path": str(entry)}


def payloads(t: Translator, d: Directive, *, abridged: bool) -> list[dict[str, Any]]:
    """The outbox payloads for ``d``'s files, in posting order (photos, then documents), the
    generated full text added when ``abridged`` and no document was attached."""
    items = [_media(e) for e in d.attachments or []]
    photos = [m for m in items if m["type"] == PHOTO]
    documents = [m for m in items if m["type"] == DOCUMENT]
    if abridged and not documents:
        documents.append(
            {
                "type": DOCUMENT,
                "text_file": {"name": full_text_name(d), "text": full_text_file(t, d)},
            }
        )
    out: list[dict[str, Any]] = []
    for group in (photos, documents):
        for start in range(0, len(group), ALBUM_MAX):
            chunk = group[start : start + ALBUM_MAX]
            if len(chunk) == 1:
                single = dict(chunk[0])
                out.append({"method": single.pop("type"), **single, "caption": d.number})
            else:
                out.append({"method": "album", "items": chunk, "caption": d.number})
    return out


def message_count(payload: dict[str, Any]) -> int:
    """How many messages a payload posts (an album: one per item); flood limits count each."""
    if payload.get("method") == "album":
        return len(payload.get("items") or [])
    return 1
