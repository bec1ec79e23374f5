"""PTB's HTTP transport on aiohttp instead of httpx (PTB's ``BaseRequest`` extension point).

Why: under a burst of button presses the bot makes one ``answerCallbackQuery`` per press, and
with httpx/httpcore every request rescans the whole connection pool and polls each pooled
socket ("has it expired?"); profiling the confirmation benchmark put two thirds of the bot's
CPU in that path. aiohttp's connector keeps idle connections in a list per host and hands one
out without scanning, for a fraction of the CPU per request. aiohttp is already a dependency
(the sandbox server runs on it).

Behaviour matches ``telegram.request.HTTPXRequest`` except for the encoding: parameters go as
one JSON body (which the Bot API accepts, and which orjson writes far faster than a form is
URL-quoted), uploads as multipart with JSON-encoded values; answers are parsed with orjson.
Timeouts raise ``TimedOut``, other transport errors ``NetworkError``; the status and body go
back to PTB, which interprets them. aiohttp's error texts may quote the URL, which holds the bot
token: the errors raised here carry the text with the token replaced, and not aiohttp's error
itself (a traceback would print it).
"""

from __future__ import annotations

import aiohttp
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import redact


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with a bounded connection pool."""

    def __init__(
        self,
        *,
        connections: int = 40,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the status and body itself; never raise on 4xx/5xx here.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        try:
            result = orjson.loads(payload)
        except orjson.JSONDecodeError:
            try:  # invalid UTF-8 is replaced, as PTB's own parser does
                result = orjson.loads(payload.decode("utf-8", "replace"))
            except orjson.JSONDecodeError as exc:
                raise TelegramError("Invalid server response") from exc
        if not isinstance(result, dict):
            raise TelegramError("Invalid server response")
        return result

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = (
            request_data.multipart_data if request_data and request_data.contains_files else {}
        )
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if uploads else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        # aiohttp has no separate write timeout: the whole request may take write + read.
        # Its ``connect`` covers waiting for a pooled connection and opening a new one.
        timeout = aiohttp.ClientTimeout(
            total=None
            if read is None or write is None
            else read + write + (connect or 0) + (pool or 0),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None:
            if uploads:
                form = aiohttp.FormData(quote_fields=False)
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in uploads.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                data = orjson.dumps(request_data.parameters)
                headers = _JSON
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            if isinstance(err, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "Pool timeout: could not get a connection to the Bot API in time. "
                    "The request was *not* sent."
                ) from None
            raise TimedOut(_described(err)) from None
        except aiohttp.ClientError as err:
            raise NetworkError(_described(err)) from None


_JSON = {"Content-Type": "application/json"}


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _described(err: BaseException) -> str:
    """aiohttp's error as one line without the token (its text may quote the request URL)."""
    text = redact(str(err))
    return (
        f"aiohttp.{err.__class__.__name__}: {text}" if text else f"aiohttp.{err.__class__.__name__}"
    )
