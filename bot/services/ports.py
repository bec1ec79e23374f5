"""The sender interface services use instead of Telegram's client, and its outcomes."""

from __future__ import annotations

from typing import Any, Protocol


class SendError(Exception):
    """A message could not be posted; subclasses say what to do about it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(SendError):
    """Flood control: try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds:g}s")
        self.seconds = seconds


class ChatMoved(SendError):
    """The group became a supergroup with ``new_chat_id``."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"group upgraded to supergroup {new_chat_id}")
        self.new_chat_id = new_chat_id


class ChatGone(SendError):
    """The bot was blocked, kicked, or the chat deleted: do not try this chat again."""

    # Telegram's wording -> a cause the secretary is told in plain words (first match wins).
    CAUSES = (
        ("blocked", "blocked"),
        ("kicked", "kicked"),
        ("deactivated", "deleted"),
        ("chat not found", "deleted"),
        ("not a member", "not-member"),
        ("rights", "no-rights"),
        ("chat_write_forbidden", "no-rights"),
    )

    @property
    def cause(self) -> str:
        """blocked, kicked, deleted, not-member, no-rights or other."""
        text = self.reason.lower()
        return next((cause for marker, cause in self.CAUSES if marker in text), "other")


class Transient(SendError):
    """A network error or a server error: try again later with back-off."""


class Rejected(SendError):
    """Telegram refused this message (a bad request): retrying will not help."""


class MessagePort(Protocol):
    async def send(self, target: int, payload: dict[str, Any]) -> int:
        """Post ``payload`` to chat ``target``; returns Telegram's message id."""

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        """Replace the text (and buttons) of a message the bot sent."""
