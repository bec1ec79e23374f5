"""The sandbox Bot API HTTP server (aiohttp): routing, recording, fault injection, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from sandbox.actors import SandboxActors
from sandbox.api import METHODS
from sandbox.api_updates import stop_webhook
from sandbox.control import add_control_routes
from sandbox.errors import ApiError, not_found, unauthorized
from sandbox.faults import Fault, FaultInjector
from sandbox.limits import FloodLimits
from sandbox.params import Params, read_request
from sandbox.state import RecordedCall
from sandbox.world import BotAccount

JSON = dict[str, Any]
MAX_BODY = 60 * 1024 * 1024  # Telegram accepts 50 MB uploads
# Called with every call any sandbox records (the tests check each against the Bot API spec).
CALL_OBSERVERS: list[Callable[[SandboxServer, RecordedCall], None]] = []


class SandboxServer(SandboxActors):
    """A local Bot API server speaking Telegram's wire format, for the real PTB client."""

    def __init__(
        self,
        limits: FloodLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_start: bool = True,
    ) -> None:
        """``port=0`` picks a free port. ``require_start=False`` lets bots message users who
        never wrote to them (Telegram answers 403 "bot can't initiate conversation")."""
        super().__init__(limits or FloodLimits(), require_start=require_start)
        self.host = host
        self.port = port
        self.faults = FaultInjector()
        self._runner: web.AppRunner | None = None
        self._replies: set[asyncio.Task[ApiError | None]] = set()  # webhook replies running

    # -- addresses ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)`` / ``Bot(base_file_url=...)``."""
        return f"{self.url}/file/bot"

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        """Bind and serve; afterwards ``url`` carries the real port."""
        if self._runner is not None:
            raise RuntimeError("sandbox server already started")
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        # handler_cancellation: a client that gives up a long poll frees its getUpdates.
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        for bot in self.bots.values():
            bot.queue.closed = False  # stop() released the long polls; serve them again
        self.http = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery and close the listening socket."""
        for bot in self.bots.values():
            stop_webhook(bot)
            bot.queue.close()
        if self.http is not None:
            await self.http.close()
            self.http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- test helpers -------------------------------------------------------------------
    def fail_next(
        self,
        method: str = "*",
        count: int = 1,
        status: int = 500,
        *,
        mode: str = "error",
        description: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``*`` = any) fail: ``mode="error"``
        answers ``status``; ``"drop"`` closes the connection unanswered; ``"drop_after"``
        performs the call, then drops the answer (the client cannot know it succeeded)."""
        fault = Fault(method.lower(), count, status, mode, description, retry_after)
        self.faults.add(fault)

    def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,
        message: str | None = None,
    ) -> Coroutine[Any, Any, None]:
        """``await server.wait_for(pred)``: wait until ``predicate()`` holds, re-checking on
        every sandbox change (and every 50 ms for outside state); raises TimeoutError
        describing recent calls otherwise."""
        return self._wait_until(predicate, timeout, message or repr(predicate))

    async def _wait_until(self, predicate: Callable[[], bool], limit: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report(limit, what))
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    def _timeout_report(self, timeout: float, what: str) -> str:
        recent = "; ".join(
            f"{c.method}({c.chat_id}) -> {'ok' if c.ok else c.error_code}" for c in self.calls[-8:]
        )
        pending = {b.user.username: len(b.queue.pending) for b in self.bots.values()}
        return (
            f"condition not met within {timeout}s: {what}. Last calls: [{recent}]. "
            f"Pending updates per bot: {pending}"
        )

    # -- HTTP -----------------------------------------------------------------------------
    @staticmethod
    def _answer(error: ApiError) -> web.Response:
        return web.json_response(error.to_json(), status=error.code, dumps=_dumps)

    def _record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        for observer in CALL_OBSERVERS:
            observer(self, call)
        if not call.ok and call.error_code is not None:
            self.stats.errors[call.error_code] += 1
        self.notify()

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection without answering (a network error for the client)."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        at = time.monotonic()
        bot = self.bots.get(token)
        if bot is None:
            self._record(RecordedCall(method, {}, None, at, False, 401, token, "Unauthorized"))
            return self._answer(unauthorized())
        self.stats.requests[method] += 1
        try:
            values, uploads = await read_request(request)
        except ApiError as exc:
            self._record(
                RecordedCall(method, {}, None, at, False, exc.code, token, exc.description)
            )
            return self._answer(exc)
        params = Params(values, uploads)
        call = RecordedCall(
            method,
            params.for_record(),
            self.chat_id_of(values.get("chat_id")),
            at,
            False,
            None,
            token,
            encoding="json" if request.content_type == "application/json" else "form",
        )
        fault = self.faults.take(method)
        if fault is not None and fault.mode != "drop_after":
            error = None if fault.mode == "drop" else fault.error()
            call.error_code = error.code if error else None
            call.description = error.description if error else "connection dropped (injected)"
            self._record(call)
            return self._drop(request) if error is None else self._answer(error)
        error = await self._execute(bot, call, params)
        if error is not None:
            return self._answer(error)
        if fault is not None:  # drop_after: done, but the client never hears about it
            return self._drop(request)
        return web.json_response({"ok": True, "result": call.result}, dumps=_dumps)

    async def _execute(
        self, bot: BotAccount, call: RecordedCall, params: Params
    ) -> ApiError | None:
        """Run the call's method and record it; the error it ended with, if any."""
        handler = METHODS.get(call.method.lower())
        try:
            if handler is None:
                raise not_found()
            result = await handler(self, bot, params)
        except ApiError as exc:
            call.error_code, call.description = exc.code, exc.description
            self._record(call)
            return exc
        call.ok, call.result = True, result
        self._record(call)
        return None

    def webhook_reply(self, bot: BotAccount, method: str, values: JSON) -> None:
        """Execute the Bot API call a webhook's 2xx answer carried (its ``method`` and
        parameters), as Telegram does: like a request, but its result goes nowhere. Recorded
        with ``via="webhook"``."""
        self.stats.requests[method] += 1
        params = Params(values)
        call = RecordedCall(
            method,
            params.for_record(),
            self.chat_id_of(values.get("chat_id")),
            time.monotonic(),
            False,
            None,
            bot.token,
            via="webhook",
        )
        task = asyncio.create_task(self._execute(bot, call, params))
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] not in self.bots:
            return self._answer(unauthorized())
        file = self.files_by_path.get(request.match_info["path"])
        if file is None:
            return self._answer(not_found())
        content_type = file.mime_type or ("image/jpeg" if file.kind == "photo" else None)
        return web.Response(body=file.data, content_type=content_type or "application/octet-stream")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()
