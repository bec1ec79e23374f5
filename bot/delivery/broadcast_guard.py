"""Keeps a stopped broadcast from going out: rows a sender took before **Dừng** was pressed
are refused at the last moment, so nothing is posted after the stop is committed."""

from __future__ import annotations

from typing import Any

from bot.services import broadcast
from bot.services.ports import MessagePort, Rejected
from storage.db import SessionFactory, reading


class SkipStoppedBroadcasts:
    """A ``MessagePort`` that checks an announcement's broadcast just before posting it.

    One primary-key read per announcement; other payloads pass straight through.
    """

    def __init__(self, inner: MessagePort, sessions: SessionFactory) -> None:
        self.inner = inner
        self.sessions = sessions

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        broadcast_id = payload.get("broadcast")
        if isinstance(broadcast_id, int):
            async with reading(self.sessions) as session:  # no write lock for one read
                if await broadcast.is_stopped(session, broadcast_id):
                    # Rejected: the sender records it as failed with this reason, no retry.
                    raise Rejected(broadcast.CANCELLED)
        return await self.inner.send(target, payload)

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        await self.inner.edit(target, message_id, payload)
