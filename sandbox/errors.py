"""Bot API error answers raised by method handlers and turned into JSON by the server."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        """Render the Telegram wire format of this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's ``Forbidden: `` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def chat_not_found() -> ApiError:
    """The answer for unknown or deleted chats."""
    return bad_request("chat not found")


def unauthorized() -> ApiError:
    """The answer for unknown tokens."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """The answer for unknown methods."""
    return ApiError(404, "Not Found")


def conflict(detail: str) -> ApiError:
    """409 with Telegram's ``Conflict: `` prefix."""
    return ApiError(409, f"Conflict: {detail}")
