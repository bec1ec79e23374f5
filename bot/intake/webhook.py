"""Webhook mode: Telegram POSTs each update to the bot's aiohttp server.

* ``POST <path>``: the update, with Telegram's secret header. A missing or wrong secret is
  refused with 403 before anything is read or recorded. Otherwise the update goes through
  the router (``bot.intake.route``, as with polling). An update that is not a press is
  answered 200 once its handlers are done: Telegram sends the next update of a chat only after
  that answer, so one person's updates keep their order even when several processes share the
  port, and a process that dies before answering leaves the update with Telegram, which sends
  it again. A press is answered once the press lane took it (presses need no order; waiting
  for its transaction would bound the presses in flight by Telegram's max_connections): as
  with polling, which acknowledges the presses it fetched with its next request, a press
  taken is recorded before a stopping process exits, and only a process killed outright can
  lose the presses it had taken and not yet committed.
* ``GET /healthz``: JSON ``{"ok", "database", "sender", "last_update_seconds", ...}`` (and
  this process's pid and share of the work); 200 when the database answers and the outbox sender runs, else 503.
* Stopping (SIGTERM): the listening socket closes first (the other processes sharing the
  port, or Telegram's retries, take the next updates), a request still arriving is answered
  503 (Telegram sends it again), and every update already taken is handled before the
  process exits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import socket
import time
from typing import Any

import orjson
from aiohttp import web
from sqlalchemy import text

from bot.config import WebhookSettings
from bot.intake.route import Router
from bot.runtime import Runtime

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# SO_REUSEPORT spreads connections, not requests, and Telegram (or a proxy in front) keeps its
# connections open: every RECYCLE_EVERY-th answer closes its connection, so that the next one
# lands on any process sharing the port, and one process never keeps all of the work.
RECYCLE_EVERY = 64
HEALTH_DB_TIMEOUT = 2.0


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound with SO_REUSEPORT: several processes listen on one port and the
    kernel spreads the connections between them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class WebhookServer:
    def __init__(
        self,
        router: Router,
        runtime: Runtime,
        settings: WebhookSettings,
        *,
        workers: list[asyncio.Task[None]] | None = None,
    ) -> None:
        self.router = router
        self.runtime = runtime
        self.settings = settings
        self.workers = workers or []
        self._secret = settings.secret_token.get_secret_value().encode()
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None
        self.accepting = False
        self.refused = 0  # requests answered 403 (figures for the tests)
        self.handled = 0
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(self.settings.path, self._on_update)
        app.router.add_get("/healthz", self._on_health)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        sock = listening_socket(self.settings.listen, self.settings.port)
        self.port = int(sock.getsockname()[1])
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()
        self.accepting = True
        log.info(
            "webhook listening on %s:%d%s", self.settings.listen, self.port, self.settings.path
        )

    async def stop(self) -> None:
        """Stop accepting, then finish every update taken; see the module docstring."""
        self.accepting = False
        if self._site is not None:
            await self._site.stop()  # the listening socket closes; open requests go on
            self._site = None
        await self.router.drain()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _secret_ok(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return bool(self._secret) and hmac.compare_digest(given, self._secret)

    async def _on_update(self, request: web.Request) -> web.Response:
        if not self._secret_ok(request):
            self.refused += 1
            return web.Response(status=403)
        if not self.accepting:
            return web.Response(status=503)  # stopping: Telegram sends it again
        try:
            item = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return web.Response(status=400)
        if not isinstance(item, dict):
            return web.Response(status=400)
        routed = await self.router.route(item)
        if routed is not None and not routed.press:
            # Shielded: a dropped connection must not cancel the handling half way.
            await asyncio.shield(routed.task)
        self.handled += 1
        response = web.Response(status=200)
        if self.handled % RECYCLE_EVERY == 0:
            response.force_close()
        return response

    async def _on_health(self, request: web.Request) -> web.Response:
        database = await self._database_ok()
        sender = any(t.get_name() == "outbox-sender" and not t.done() for t in self.workers)
        last = self.router.last_update_at
        stats = getattr(self.runtime.sender, "stats", None)
        body: dict[str, Any] = {
            "ok": database and sender,
            "database": database,
            "sender": sender,
            "last_update_seconds": None if last is None else round(time.monotonic() - last, 3),
            "in_flight": self.router.in_flight,
            "accepting": self.accepting,
            # This process's share (several may listen on the port): updates handled, posts sent.
            "pid": os.getpid(),
            "updates": self.handled,
            "sent": getattr(stats, "sent", None),
        }
        return web.json_response(body, status=200 if body["ok"] else 503)

    async def _database_ok(self) -> bool:
        async def probe() -> None:
            async with self.runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(probe(), HEALTH_DB_TIMEOUT)
        except Exception as exc:  # unreachable, timed out, refused: all mean "not healthy"
            log.warning("healthz: the database did not answer (%s)", exc.__class__.__name__)
            return False
        return True
