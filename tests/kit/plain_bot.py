"""A plain PTB ``Bot`` on the sandbox (no Chithi), for tests of the sandbox itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot

from sandbox import SandboxServer, SandboxUser


@asynccontextmanager
async def ptb_bot(server: SandboxServer, token: str) -> AsyncIterator[Bot]:
    """A real PTB ``Bot`` pointed at the sandbox."""
    async with Bot(token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        yield bot


def started_user(server: SandboxServer, token: str, name: str = "Lan") -> SandboxUser:
    """A user who has opened the private chat with the bot (so the bot may write)."""
    user = server.create_user(first_name=name, language_code="vi")
    server.send_text(token, user.id, "/start")
    return user
