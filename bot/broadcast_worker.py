"""Keeps each broadcast's progress message current ("Đã gửi 640/1.032 · lỗi 3") from the
database, every few seconds (a job of ``bot.jobs``); writes the final line and closes the
broadcast when all is done.

Progress lives in rows, not in memory: after a restart the messages are picked up again, and
broadcasts started from the CLI are closed the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.i18n import Texts
from bot.services import broadcast
from bot.services.broadcast_text import progress_payload
from bot.services.ports import MessagePort, RetryLater, SendError
from storage.db import SessionFactory, reading, transaction
from storage.models import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _View:
    broadcast_id: int
    chat_id: int | None
    message_id: int | None
    payload: dict[str, Any]
    finished: bool


class ProgressUpdater:
    """``tick()`` reads every active broadcast in one short read transaction, then edits."""

    def __init__(self, sessions: SessionFactory, port: MessagePort, texts: Texts) -> None:
        self.sessions = sessions
        self.port = port
        self.texts = texts
        self._shown: dict[int, dict[str, Any]] = {}

    async def _views(self) -> list[_View]:
        views = []
        async with reading(self.sessions) as session:
            for row in await broadcast.active(session):
                counts = await broadcast.progress(session, row.id)
                creator = await session.get(Member, row.created_by) if row.created_by else None
                t = self.texts.for_lang(creator.language if creator else None)
                views.append(
                    _View(
                        row.id,
                        row.progress_chat_id,
                        row.progress_message_id,
                        progress_payload(t, counts, row.status, row.id),
                        counts.finished,
                    )
                )
        return views

    async def tick(self) -> int:
        """Edit what changed; returns how many broadcasts were closed."""
        closed = []
        for view in await self._views():
            if await self._show(view) and view.finished:
                closed.append(view.broadcast_id)
        if closed:
            async with transaction(self.sessions) as session:
                for broadcast_id in closed:
                    await broadcast.finish(session, broadcast_id)
            for broadcast_id in closed:
                self._shown.pop(broadcast_id, None)
        return len(closed)

    async def _show(self, view: _View) -> bool:
        """Edit the progress message if its text changed; False means "try again later"."""
        if view.chat_id is None or view.message_id is None:
            return True
        if self._shown.get(view.broadcast_id) == view.payload:
            return True
        try:
            await self.port.edit(view.chat_id, view.message_id, view.payload)
        except RetryLater:
            return False
        except SendError as exc:  # the message is gone: nothing more to show
            log.warning("broadcast %s: progress not shown: %s", view.broadcast_id, exc.reason)
        self._shown[view.broadcast_id] = view.payload
        return True
