"""A button press and its outcomes: recorded once per (directive, member, kind), "studied"
implies "received" (see ``bot.services.presses`` for the recording)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.people import TelegramPerson

# Messages that carry the confirmation buttons (QR images and documents do not).
# "me": the answer to /me (bot.services.me), recorded as sent when it was.
CONFIRMABLE = ("post", "private", "reminder", "me")

RECORDED, ALREADY, INVALID, NOT_HERE, CLOSED = (
    "recorded",
    "already",
    "invalid",
    "not-sent-here",
    "closed",
)
# Recorded, but the presser is on no unit's roster yet (asked to find their name).
UNLISTED = "recorded-unlisted"
# A recalled directive, and one replaced by a newer one (the outcome's number is the new one's).
RECALLED, REPLACED = "recalled", "superseded"
# "Studied" on a directive with questions: they are sent in private (``attempt``), or the
# presser must open a private chat with the bot first.
QUIZ, QUIZ_PRIVATE = "quiz", "quiz-private"


@dataclass(frozen=True)
class Press:
    """A button press as Telegram reported it (nothing in it is trusted yet)."""

    data: str
    person: TelegramPerson
    chat_id: int
    chat_type: str
    message_id: int | None
    at: datetime
    language: str


@dataclass(frozen=True)
class PressOutcome:
    status: str
    kind: str | None = None
    number: str | None = None
    attempt: int | None = None  # QUIZ: the attempt whose first question to send
    directive_id: int | None = None
