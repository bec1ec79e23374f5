"""Long polling for updates, with a fast lane for button presses.

PTB's ``Updater`` turns every update into PTB objects before any handler sees it; for a
press that is most of the work (the pressed post comes back whole: text, entities,
keyboard). Under a burst of presses that parsing was the bot's largest cost. So the bot
polls ``getUpdates`` itself through the same PTB ``Bot`` (``do_api_request``, which returns
the raw result) and hands each update to the router (``bot.intake.route``), as the webhook
does.

Offsets, errors and shutdown follow PTB's ``Updater``: an update is acknowledged by the next
request (so one handed over but not yet handled when the process dies comes back after a
restart, as with PTB), transient errors back off and are retried; an invalid token
(401/404: revoked or wrong) ends polling, and :meth:`Poller.run_until` raises it, since no
retry can help. So does a conflict (409): another poller took this bot's updates (or a webhook
was set), and two pollers would only take them from each other in turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import (
    Conflict,
    EndPointNotFound,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.delivery.telegram_port import retry_seconds
from bot.intake.route import Router

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0
# Asking for the raw result is the point here (see above), not an oversight.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.get_updates'", category=PTBUserWarning)


class Poller:
    """Fetches updates until stopped and hands them to the router."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        router: Router,
        *,
        timeout: int = 10,
    ) -> None:
        self.app = app
        self.router = router
        self.timeout = timeout
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="poller")

    async def run_until(self, stop: asyncio.Event) -> None:
        """Wait until ``stop`` is set; if polling ends first (an invalid token), raise why."""
        task = self._task
        if task is None:
            raise RuntimeError("the poller is not started")
        waiter = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        failure = task.exception() if task.done() and not task.cancelled() else None
        if failure is not None:
            raise failure

    async def stop(self) -> None:
        """Stop polling, acknowledge what was fetched, and let the presses in flight finish."""
        if self._task is not None:
            self._task.cancel()
            # InvalidToken ended it already (run_until raised it); nothing to acknowledge then.
            with contextlib.suppress(asyncio.CancelledError, InvalidToken, Conflict):
                await self._task
            self._task = None
        await self.router.drain()
        if self.offset is not None:  # confirm the fetched updates, as PTB's Updater does
            with contextlib.suppress(TelegramError):
                await self._fetch(timeout=0, limit=1)

    async def _fetch(self, *, timeout: int, limit: int | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": Update.ALL_TYPES}
        if self.offset is not None:
            params["offset"] = self.offset
        if limit is not None:
            params["limit"] = limit
        result = await self.app.bot.do_api_request(
            "get_updates", api_kwargs=params, read_timeout=timeout + 5.0
        )
        return list(result) if isinstance(result, list) else []

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                items = await self._fetch(timeout=self.timeout)
            except TimedOut:
                continue
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except (InvalidToken, EndPointNotFound) as exc:
                # 401/404 (PTB's do_api_request calls a 404 "no such endpoint" once getMe has
                # passed; getUpdates exists): the token is revoked or wrong. Retrying forever
                # would only hide it.
                raise InvalidToken("the Bot API refused the token on getUpdates") from exc
            except Conflict:
                raise  # another poller (or a webhook) has this bot: see the module docstring
            except Exception as exc:  # network, conflict (409), server errors: back off
                backoff = min(MAX_BACKOFF, max(1.0, backoff * 2))
                log.warning("getUpdates failed (%r); trying again in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            for item in items:
                update_id = item.get("update_id")
                if isinstance(update_id, int):
                    self.offset = update_id + 1
                await self.router.route(item)
