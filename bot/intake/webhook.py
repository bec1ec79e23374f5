"""Webhook mode: Telegram POSTs each update to the bot's aiohttp server.

* ``POST <path>``: the update, with Telegram's secret header. A missing or wrong secret is
  refused with 403 before anything is read or recorded. Otherwise the update goes through
  the router (``bot.intake.route``, as with polling). An update that is not a press is
  answered 200 once its handlers are done: Telegram sends the next update of a queue (a chat's
  messages; a user's button presses) only after that answer, so they keep their order even
  when several processes share the port, and a process that dies before answering leaves the
  update with Telegram, which sends it again. (A private chat's messages and the same
  person's presses are two queues: see ``handlers.common._load_draft`` for dialogue steps.) A press is answered once the press lane took it (presses need no order; waiting
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

The HTTP/1.1 server is a small one of its own on asyncio streams, not aiohttp's: an update
is one small POST, and aiohttp's request machinery cost about three times what reading,
routing and answering it costs here (measured: ~170 against ~55 µs of CPU per request),
which put webhook mode behind polling (one getUpdates brings a hundred updates). Telegram
keeps up to ``max_connections`` connections open and sends one request at a time on each;
requests on one connection are answered in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import random
import socket
import time
from typing import Any

import orjson
from sqlalchemy import text

from bot.config import WebhookSettings
from bot.intake.route import Router
from bot.runtime import Runtime

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# SO_REUSEPORT spreads connections, not requests, and Telegram keeps its connections open: a
# connection is closed (``Connection: close`` on an answer) once it has been open for about
# RECYCLE_SECONDS, so that a process started later (or again) gets its share of the new ones.
# Not after a number of answers: Telegram opens at most ~20 connections a second, and at
# thousands of updates a second closing every 64th answer would starve it of connections.
RECYCLE_SECONDS = 30.0
IDLE_SECONDS = 75.0  # a connection silent this long is closed (as aiohttp's keep-alive)
READ_SECONDS = 30.0  # the rest of a request, once it began
MAX_BODY = 1 << 20
HEALTH_DB_TIMEOUT = 2.0
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


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


def _answer(status: int, keep: bool, body: bytes = b"", json: bool = False) -> bytes:
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Length: {len(body)}\r\n"
    if json:
        head += "Content-Type: application/json\r\n"
    head += "Connection: keep-alive\r\n\r\n" if keep else "Connection: close\r\n\r\n"
    return head.encode() + body


_OK = _answer(200, True)


class _Request:
    """A request's line and headers (names in lower case)."""

    __slots__ = ("headers", "keep_alive", "method", "path")

    def __init__(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        if not version.startswith("HTTP/1."):
            raise ValueError(version)
        self.method, self.path = method, target.split("?", 1)[0]
        self.headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                self.headers[name.strip().lower()] = value.strip()
        connection = self.headers.get("connection", "").lower()
        self.keep_alive = (
            connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
        )


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
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._idle: set[asyncio.Task[Any]] = set()  # connections waiting for a request
        self._taking = 0  # requests past the "accepting" check, not yet handed to the router
        self._taken = asyncio.Event()
        self.accepting = False
        self.refused = 0  # requests answered 403 (figures for the tests)
        self.handled = 0
        self.port = 0

    async def start(self) -> None:
        sock = listening_socket(self.settings.listen, self.settings.port)
        self.port = int(sock.getsockname()[1])
        self._server = await asyncio.start_server(self._serve, sock=sock)
        self.accepting = True
        log.info(
            "webhook listening on %s:%d%s", self.settings.listen, self.port, self.settings.path
        )

    async def stop(self) -> None:
        """Stop accepting, then finish every update taken; see the module docstring."""
        self.accepting = False
        server, self._server = self._server, None
        if server is not None:
            server.close()  # the listening socket closes; open connections go on
        while self._taking:
            self._taken.clear()
            await self._taken.wait()
        await self.router.drain()
        for task in list(self._idle):  # the others answer what they took, then close
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    def _secret_ok(self, given: str) -> bool:
        return bool(self._secret) and hmac.compare_digest(given.encode(), self._secret)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests one after another, each answered before the next is read."""
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        recycle_at = time.monotonic() + RECYCLE_SECONDS * (1 + random.random() / 2)
        try:
            while True:
                if not self.accepting:
                    return
                self._idle.add(task)
                try:
                    async with asyncio.timeout(IDLE_SECONDS):
                        head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.LimitOverrunError:
                    writer.write(_answer(431, False))
                    return
                except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                    return
                finally:
                    self._idle.discard(task)
                status, body, keep = await self._request(head, reader, writer)
                keep = keep and self.accepting and time.monotonic() < recycle_at
                if status == 200 and not body and keep:
                    writer.write(_OK)  # the usual answer, made once
                else:
                    writer.write(_answer(status, keep, body, json=bool(body)))
                if not keep:
                    return
                if writer.transport.get_write_buffer_size() > 1 << 16:
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            return
        finally:
            self._connections.discard(task)
            self._idle.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _request(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[int, bytes, bool]:
        """Read the rest of one request and handle it: (status, JSON body, keep the
        connection?)."""
        try:
            request = _Request(head)
        except ValueError:
            return 400, b"", False
        headers = request.headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return 411, b"", False
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            return 400, b"", False
        if length < 0 or length > MAX_BODY:
            return 413, b"", False
        if length and headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        async with asyncio.timeout(READ_SECONDS):
            body = await reader.readexactly(length) if length else b""
        keep = request.keep_alive
        if request.path == self.settings.path:
            if request.method != "POST":
                return 405, b"", keep
            if not self._secret_ok(headers.get(SECRET_HEADER.lower(), "")):
                self.refused += 1  # read, never parsed: nothing of it is recorded
                return 403, b"", keep
            return await self._on_update(body), b"", keep
        if request.path == "/healthz" and request.method == "GET":
            status, payload = await self._health()
            return status, payload, keep
        return 404, b"", keep

    async def _on_update(self, body: bytes) -> int:
        if not self.accepting:
            return 503  # stopping: Telegram sends it again
        self._taking += 1
        try:
            try:
                item = orjson.loads(body)
            except orjson.JSONDecodeError:
                return 400
            if not isinstance(item, dict):
                return 400
            routed = await self.router.route(item)
        finally:
            self._taking -= 1
            self._taken.set()
        if routed is not None and not routed.press:
            # Shielded: a dropped connection must not cancel the handling half way.
            await asyncio.shield(routed.task)
        self.handled += 1
        return 200

    async def _health(self) -> tuple[int, bytes]:
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
        return (200 if body["ok"] else 503), orjson.dumps(body)

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
