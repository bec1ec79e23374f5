"""Validation of ``reply_markup`` as Telegram does it."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request

JSON = dict[str, Any]

MAX_BUTTONS = 100
_URL_RE = re.compile(r"^(https?|tg)://[^\s]+$", re.IGNORECASE)
_ACTIONS = (
    "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "login_url", "web_app", "pay",
    "callback_game",
)  # fmt: skip


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not any(key in button for key in _ACTIONS):
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not _URL_RE.match(url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_reply_markup(markup: JSON | None) -> JSON | None:
    """Validate any reply markup; return the inline keyboard to show on the message, if any."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        for button in buttons:
            _check_button(button)
        rows = [row for row in rows if row]
        return {"inline_keyboard": rows} if rows else None
    if "keyboard" in markup:
        reply_keyboard_rows(markup)
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_keyboard_rows(markup: JSON) -> list[list[JSON]]:
    """A ``ReplyKeyboardMarkup``'s rows with every button as a ``KeyboardButton`` object
    (a plain string is a text button)."""
    rows = markup.get("keyboard")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise bad_request("keyboard must be non-empty")
    buttons: list[list[JSON]] = []
    for row in rows:
        out = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: Text must be a String")
            if not button["text"]:
                raise bad_request("keyboard button text must be non-empty")
            out.append(button)
        buttons.append(out)
    return buttons


def callback_datas(markup: JSON | None) -> list[str]:
    """Every callback_data on an inline keyboard."""
    if not markup:
        return []
    return [
        b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]
