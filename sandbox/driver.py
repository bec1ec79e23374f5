"""Drives the sandbox's users as they talk to one bot: send a text, press a button, and wait
for what the bot answers. Shared by the tests (``tests/kit/harness.py``) and ``chithi demo``."""

from __future__ import annotations

from typing import Any

from sandbox.server import SandboxServer
from sandbox.state import SandboxUser

JSON = dict[str, Any]


class Driver:
    """One bot (by its token) on one sandbox server; users are the sandbox's ``User`` objects."""

    def __init__(self, sandbox: SandboxServer, token: str) -> None:
        self.sandbox = sandbox
        self.token = token

    async def send(
        self,
        user: SandboxUser,
        text: str,
        *,
        chat_id: int | None = None,
        replies: int = 1,
        timeout: float = 10.0,
    ) -> list[JSON]:
        """``user`` writes ``text`` (privately, or in ``chat_id``); returns the bot's new
        messages in that chat once there are ``replies`` of them."""
        target = user.id if chat_id is None else chat_id
        before = len(self.sandbox.messages(target))
        self.sandbox.send_text(self.token, user.id, text, chat_id=chat_id)
        await self.sandbox.wait_for(
            lambda: len(self.sandbox.messages(target)) >= before + replies, timeout=timeout
        )
        return list(self.sandbox.messages(target))[before:]

    async def press(
        self, user: SandboxUser, chat_id: int, message_id: int, data: str, *, timeout: float = 10.0
    ) -> JSON:
        """``user`` presses the inline button with ``data``; returns the bot's answer (toast
        text, show_alert)."""
        query_id = self.sandbox.press_button(self.token, user.id, chat_id, message_id, data)
        await self.sandbox.wait_for(
            lambda: query_id in self.sandbox.callback_answers, timeout=timeout
        )
        return dict(self.sandbox.callback_answers[query_id])

    async def share_contact(
        self, user: SandboxUser, *, replies: int = 1, timeout: float = 10.0
    ) -> list[JSON]:
        """``user`` presses the bot's "share my phone number" button; returns the bot's new
        messages in their private chat once there are ``replies`` of them."""
        before = len(self.sandbox.messages(user.id))
        self.sandbox.share_contact(self.token, user.id)
        await self.sandbox.wait_for(
            lambda: len(self.sandbox.messages(user.id)) >= before + replies, timeout=timeout
        )
        return list(self.sandbox.messages(user.id))[before:]
