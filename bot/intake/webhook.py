"""Webhook mode: Telegram POSTs each update to the bot's own small HTTP server.

* ``POST <path>``: the update, with Telegram's secret header. A missing or wrong secret is
  refused with 403 before anything is read or recorded. Otherwise the update goes through
  the router (``bot.intake.route``, as with polling). An update that is not a press is
  answered 200 once its handlers are done: Telegram sends the next update of a queue (a chat's
  messages; a user's button presses) only after that answer, so they keep their order even
  when several processes share the port, and a process that dies before answering leaves the
  update with Telegram, which sends it again. (A private chat's messages and the same
  person's presses are two queues: see ``handlers.common._load_draft`` for dialogue steps.)
  A press is answered once the press lane recorded it (its batch committed), and the answer
  carries the toast: ``{"method": "answerCallbackQuery", "callback_query_id", "text"}``,
  which Telegram executes ("Making requests when getting updates"), saving the bot one Bot
  API request per press (the largest cost of a press after recording it). So a press
  answered is a press recorded, and a process that dies before answering leaves it with
  Telegram, which sends it again (a repeat is recorded once: "already recorded"). The cost:
  the presses in flight are at most Telegram's ``max_connections`` (one request at a time
  per connection), so presses/s is bounded by max_connections over the time a batch takes
  to commit (40 connections and 20-50 ms: 800-2,000/s). Telegram tells the bot nothing
  about a call carried by an answer; a press answered after its query expired (some
  seconds) fails there unseen, as it would in a request whose error is only logged.
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
import functools
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
MAX_HEAD = 1 << 16
HEALTH_DB_TIMEOUT = 2.0
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    500: "Internal Server Error",
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


def _toast(query_id: str, text: str | None) -> bytes:
    """The answer's body for a press: the answerCallbackQuery call Telegram executes."""
    if text is None:
        return b""
    return orjson.dumps(
        {"method": "answerCallbackQuery", "callback_query_id": query_id, "text": text}
    )


def _press_id(item: dict[str, Any]) -> str:
    """The callback query id of an update the router took as a press."""
    return str(item["callback_query"]["id"])


class _Request:
    """A request's line and headers (names in lower case)."""

    __slots__ = ("body", "headers", "item", "keep_alive", "method", "path", "press_id")

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
        self.item: dict[str, Any] | None = None  # an update to hand to the router
        self.press_id = ""  # the callback query id of a press the lane took at once
        self.body = b""
        connection = self.headers.get("connection", "").lower()
        self.keep_alive = (
            connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
        )

    @classmethod
    def broken(cls) -> _Request:
        """A stand-in for a request that could not be read."""
        return cls(b"GET / HTTP/1.0")


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
        self._path = settings.path
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.connections: set[_Connection] = set()
        self.accepting = False
        self.refused = 0  # requests answered 403 (figures for the tests)
        self.handled = 0
        self.port = 0

    async def start(self) -> None:
        sock = listening_socket(self.settings.listen, self.settings.port)
        self.port = int(sock.getsockname()[1])
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), sock=sock)
        self._sweeper = asyncio.create_task(self._sweep(), name="webhook-sweeper")
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
        await self.router.drain()
        # A request being answered closes its connection after the answer; idle ones close now.
        while busy := [c.busy for c in self.connections if c.busy is not None]:
            await asyncio.gather(*busy, return_exceptions=True)
            await self.router.drain()
        for connection in list(self.connections):
            connection.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if server is not None:
            await server.wait_closed()

    async def _sweep(self) -> None:
        """Close connections silent for IDLE_SECONDS (or stuck half way through a request
        for READ_SECONDS)."""
        while True:
            await asyncio.sleep(min(IDLE_SECONDS, READ_SECONDS) / 3)
            now = time.monotonic()
            for connection in list(self.connections):
                limit = READ_SECONDS if connection.buffer else IDLE_SECONDS
                if connection.busy is None and now - connection.active > limit:
                    connection.close()

    def _secret_ok(self, given: str) -> bool:
        return bool(self._secret) and hmac.compare_digest(given.encode(), self._secret)

    def answer_now(self, request: _Request, body: bytes) -> int | asyncio.Task[str | None] | None:
        """The status for a request that needs no waiting (a refusal); for a press the lane
        takes at once, its task (its result: the toast to answer with, once recorded); None
        when it must be handled in a task (``answer_later``)."""
        if request.path != self._path:
            return None
        if request.method != "POST":
            return 405
        if not self._secret_ok(request.headers.get(_SECRET, "")):
            self.refused += 1  # read, never parsed: nothing of it is recorded
            return 403
        if not self.accepting:
            return 503  # stopping: Telegram sends it again
        try:
            item = orjson.loads(body)
        except orjson.JSONDecodeError:
            return 400
        if not isinstance(item, dict):
            return 400
        routed = self.router.route_press_nowait(item, reply=True)
        if routed is None:
            request.item = item
            return None
        self.handled += 1
        request.press_id = _press_id(item)
        return routed.task

    async def answer_later(self, request: _Request) -> tuple[int, bytes]:
        """(status, JSON body) for the other requests: updates that are not presses (answered
        once handled), /healthz, unknown paths."""
        if request.item is not None:
            if not self.accepting:
                return 503, b""
            routed = await self.router.route(request.item, reply=True)
            # Shielded: a dropped connection must not cancel the handling half way.
            done = None if routed is None else await asyncio.shield(routed.task)
            self.handled += 1
            if routed is not None and routed.press:
                return 200, _toast(_press_id(request.item), done)
            return 200, b""
        if request.path == "/healthz" and request.method == "GET":
            return await self._health()
        return 404, b""

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
            # How late the event loop woke up over the last minute (bot.lag), in ms.
            "loop_lag": self.runtime.lag.figures().as_dict() if self.runtime.lag else None,
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


_SECRET = SECRET_HEADER.lower()


class _Connection(asyncio.Protocol):
    """One connection: its requests are answered one after another, in order, reading no
    further request meanwhile. A press is answered from its press task's done callback (no
    task of the connection's own, no extra turn of the event loop: under a burst the loop's
    turns are long); other requests in a task."""

    def __init__(self, server: WebhookServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        # The request being answered: a press's task or the task of ``_later``.
        self.busy: asyncio.Task[Any] | None = None
        self.active = time.monotonic()
        self.recycle_at = self.active + RECYCLE_SECONDS * (1 + random.random() / 2)
        self._continued = False  # "100 Continue" sent for the request being read

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.transport = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None  # nothing more is read or written on it

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self.active = time.monotonic()
        if self.busy is None:
            self._work()

    def _work(self) -> None:
        while self.transport is not None and self.busy is None:
            taken = self._take()
            if taken is None:
                return
            request, error = taken
            if error:
                self._write(error, b"", keep=False)
                return
            now = self.server.answer_now(request, request.body)
            if now is None:
                self.busy = asyncio.create_task(self._later(request), name="webhook-request")
            elif isinstance(now, int):
                self._write(now, b"", keep=request.keep_alive)
            else:
                self.busy = now
                now.add_done_callback(functools.partial(self._pressed, request))

    def _pressed(self, request: _Request, task: asyncio.Task[str | None]) -> None:
        """A press was handled: answer with its toast (see the module docstring)."""
        if task.cancelled():
            status, body = 503, b""  # stopped half way: Telegram sends it again
        elif (error := task.exception()) is not None:
            log.error("webhook: a press failed", exc_info=error)
            status, body = 200, b""
        else:
            status, body = 200, _toast(request.press_id, task.result())
        self.busy = None
        self._write(status, body, keep=request.keep_alive)
        self.active = time.monotonic()
        self._work()

    async def _later(self, request: _Request) -> None:
        try:
            status, body = await self.server.answer_later(request)
        except Exception:
            log.exception("webhook: a request failed")
            status, body = 500, b""
        self.busy = None
        self._write(status, body, keep=request.keep_alive)
        self.active = time.monotonic()
        self._work()

    def _write(self, status: int, body: bytes, *, keep: bool) -> None:
        transport = self.transport
        if transport is None:
            return
        keep = keep and self.server.accepting and time.monotonic() < self.recycle_at
        if status == 200 and not body and keep:
            transport.write(_OK)  # the usual answer, made once
        else:
            transport.write(_answer(status, keep, body, json=bool(body)))
        if not keep:
            self.close()

    def _take(self) -> tuple[_Request, int] | None:
        """The next whole request in the buffer (taken out of it) and 0, or with the status
        of an error that ends the connection; None while it is incomplete."""
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD:
                return _Request.broken(), 431
            return None
        try:
            request = _Request(bytes(buffer[:end]))
        except (ValueError, UnicodeDecodeError):
            return _Request.broken(), 400
        headers = request.headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return request, 411
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            return request, 400
        if length < 0 or length > MAX_BODY:
            return request, 413
        start = end + 4
        if len(buffer) < start + length:
            if length and not self._continued and self.transport is not None:
                if headers.get("expect", "").lower() == "100-continue":
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self._continued = True
            return None
        request.body = bytes(buffer[start : start + length])
        del buffer[: start + length]
        self._continued = False
        return request, 0
