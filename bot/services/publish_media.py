"""Files and long texts in the ``/publish`` dialogue (no Telegram here).

**Files.** At any step before Ban hành the author may send PDF, DOCX (any document type a
directive comes with, see :data:`bot.services.directive_rules.ATTACHMENT_SUFFIXES`) or
images. Each is checked at once (type, size against the Bot API's limits for bots: documents
50 MB, photos 10 MB; at most 10 files) and kept by its Telegram ``file_id`` in the draft:
nothing is downloaded, and publishing posts it again by id. They are posted after the post
(:mod:`bot.services.attachments`: an album when several).

A text file (.txt, .docx) sent at the body step is *not* read: it becomes the attachment that
carries the full text, and the author is asked for a few lines of summary as the body. That is
what a secretary does with a letter anyway (the file is the document, the post its gist), and
it needs no download (getFile) nor parsing of Word files.

**Long texts pasted.** Telegram clients cut a paste longer than one message (4,096 units) into
consecutive messages. A body message of at least :data:`PASTE_PIECE` units is therefore taken
as the first piece of a longer text: every following message is appended, in order, until the
author presses **Xong** (or types "xong"/"done"). A shorter body message is the whole body,
as before. The pieces are joined with a line break where the cut was between sentences or
paragraphs, else with a space (clients cut at a space or a line break and drop it).
"""

from __future__ import annotations

import re
import unicodedata

from bot.services import directive_rules as rules
from bot.services.attachments import ChatFile, check_chat_file, check_stored
from bot.services.drafts import DraftError
from bot.services.publish_dialogue import Dialogue, normalise, parse_body
from bot.services.tg_text import tg_len

PIECES = "body_pieces"  # answers key: the pieces received so far (not a step)
FILES = "files"  # answers key: the files sent, as stored (bot.services.attachments)
PASTE_PIECE = 3800  # units: a message this long is taken as a piece of a longer paste
_DONE = {"xong", "done", "hết", "het", "đủ", "du"}
_SENTENCE_END = re.compile(r"[.!?:;…)\]»”\"]\s*$")
_PARAGRAPH_START = re.compile(r"^\s*(?:[-–•*+]|\d+[.)]|[IVXLC]+[.)]|[a-zđ][.)])\s")


def is_done(text: str) -> bool:
    return normalise(text) in _DONE


def collecting(d: Dialogue) -> bool:
    """The body is being received in pieces (Xong not pressed yet)."""
    return PIECES in d.answers


def pieces(d: Dialogue) -> list[str]:
    return list(d.answers.get(PIECES) or [])


def join_pieces(parts: list[str]) -> str:
    """Pieces of one paste, in order, joined as the client cut them (see the module)."""
    text = ""
    for part in parts:
        if not text:
            text = part
        elif _SENTENCE_END.search(text) or _PARAGRAPH_START.match(part):
            text = f"{text}\n{part}"
        else:
            text = f"{text} {part}"
    return text


def take_body(d: Dialogue, text: str) -> str | None:
    """A text message at the body step: the body (a short one, as before), or None when it
    was kept as a piece of a longer paste. Too long altogether: refused, nothing kept."""
    so_far = pieces(d)
    if not so_far and tg_len(text) < PASTE_PIECE:
        return parse_body(text)
    piece = unicodedata.normalize("NFC", text).strip()
    if not piece:
        raise DraftError("rule-empty", field="body")
    rules.check_body(join_pieces([*so_far, piece]))
    d.answers[PIECES] = [*so_far, piece]
    return None


def finish_body(d: Dialogue) -> str:
    """Xong: the pieces as the body (checked like a typed one); the pieces are dropped."""
    value = parse_body(join_pieces(pieces(d)))
    d.answers.pop(PIECES, None)
    return value


def files(d: Dialogue) -> list[dict[str, object]]:
    return list(d.answers.get(FILES) or [])


def add_file(d: Dialogue, f: ChatFile) -> int:
    """Keep a file the author sent (checked now: type, size, count). Returns how many files
    the draft has. The same file sent twice is kept once."""
    check_chat_file(f)
    kept = files(d)
    if any(entry.get("file_id") == f.file_id for entry in kept):
        return len(kept)
    check_stored([*kept, f.stored()])
    d.answers[FILES] = [*kept, f.stored()]
    return len(kept) + 1


def file_limit_text_args(f: ChatFile) -> dict[str, object]:
    """Name and size (MB) of a file for the acknowledgement."""
    size = round((f.size or 0) / 1024 / 1024, 1)
    return {"file": f.name, "size": size, "max": rules.ATTACHMENTS_MAX}
