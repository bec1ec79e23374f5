"""Webhook delivery the way Telegram's Bot API server does it (telegram-bot-api,
``WebhookActor.cpp`` and ``Client::add_update`` in ``Client.cpp``):

* Every update belongs to a *queue* (:func:`queue_id`): a message to its chat's queue, a
  button press to its user's presses (user id + 3 << 33), and so on. The next update of a
  queue is sent only once the previous one was answered 2xx; queues go in parallel. So a typed
  message and a button press of one person (two queues) can be in flight at the same time.
* Up to ``max_connections`` persistent HTTP/1.1 connections (keep-alive), each carrying one
  request at a time; a connection the webhook closes is opened again when needed.
* Updates are taken from the pending list in order, at most ``2 * max_connections`` queues at
  a time (the server's ``max_loaded_updates_``): a busy queue holds back its own updates only.
* A non-2xx answer or a failed connection: the update is sent again after a growing delay,
  and its queue waits meanwhile.
* A 2xx answer may carry one Bot API call ("Making requests when getting updates"): a JSON
  object (or form) with ``method`` and its parameters. It is executed like a request, its
  result sent nowhere (``WebhookActor::handle``: any method but setWebhook, deleteWebhook,
  close, logOut and the ``get...`` ones; an unknown method or wrong parameters fail
  unseen); the update counts as delivered either way.

The HTTP client is a small one of its own, driven by callbacks as the server's actor is (an
answer read sends the connection's next update at once): the sandbox shares the machine with
the bot under test, and aiohttp's client cost more per update than the bot's handling of a
button press, so a benchmark would have measured the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from sandbox.errors import ApiError
from sandbox.params import body_params
from sandbox.updates import JSON, UpdateQueue, WebhookConfig

# Executes a call a webhook's answer carried: (method, parameters).
Reply = Callable[[str, JSON], None]

WEBHOOK_BACKOFF = (0.05, 1.0)
REQUEST_TIMEOUT = 60.0
_SHIFT = 33  # queue ids of kinds other than messages: a user or chat id plus (n << 33)
_USER_QUEUES = {
    "inline_query": 1,
    "chosen_inline_result": 2,
    "callback_query": 3,
    "shipping_query": 4,
    "pre_checkout_query": 4,
    "chat_join_request": 6,
}
_CHAT_QUEUES = {
    "my_chat_member": 5,
    "chat_boost": 7,
    "removed_chat_boost": 7,
    "message_reaction": 8,
    "message_reaction_count": 9,
}
_MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post")


def _id(source: Any) -> int | None:
    if isinstance(source, dict) and isinstance(source.get("id"), int):
        return int(source["id"])
    return None


def queue_id(update: JSON) -> int:
    """The update's queue, as the Bot API server computes it; 0: a queue of its own."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        if kind in _MESSAGES:
            chat = _id(payload.get("chat"))
            return chat if chat is not None else 0
        if kind in _USER_QUEUES:
            user = _id(payload.get("from"))
            return 0 if user is None else user + (_USER_QUEUES[kind] << _SHIFT)
        if kind in _CHAT_QUEUES:
            chat = _id(payload.get("chat"))
            return 0 if chat is None else chat + (_CHAT_QUEUES[kind] << _SHIFT)
        if kind == "chat_member":  # the member's own queue (the bot's own: my_chat_member)
            user = _id((payload.get("new_chat_member") or {}).get("user"))
            return 0 if user is None else user + (6 << _SHIFT)
        if kind in ("poll", "poll_answer"):
            poll = payload.get("id") if kind == "poll" else payload.get("poll_id")
            return _poll_queue(poll)
        return 0
    return 0


def _poll_queue(poll: Any) -> int:
    if isinstance(poll, int):
        return poll
    if isinstance(poll, str):
        return int(poll) if poll.isdigit() else zlib.crc32(poll.encode()) or 1
    return 0


class _Delivery:
    """The loaded updates by queue, the queues whose first update may be sent now, and the
    connections: everything runs from callbacks (an answer read, a retry due)."""

    def __init__(self, queue: UpdateQueue, hook: WebhookConfig, reply: Reply | None) -> None:
        self.queue = queue
        self.hook = hook
        self.reply = reply
        self.target = _Target.of(hook)
        self.max_connections = max(1, hook.max_connections)
        self.window = 2 * self.max_connections
        self.loaded: dict[int, deque[JSON]] = {}
        self.ready: deque[int] = deque()  # queue ids whose first update may go now
        self.links: set[_Link] = set()  # open connections
        self.idle: list[_Link] = []  # of which not carrying a request
        self.opening = 0
        self.delays: dict[int, float] = {}  # update_id -> the next retry's delay
        self.connect_delay = WEBHOOK_BACKOFF[0]
        self.last_loaded = -1  # update_id of the last update loaded
        self._own = 0  # queue ids for updates without a queue: negative, never reused
        self._tasks: set[asyncio.Task[None]] = set()
        self.stopped = False

    # -- updates ------------------------------------------------------------------------
    def load(self) -> None:
        """Take the next pending updates (in order) while fewer than ``window`` queues are
        loaded; a queue's first update becomes ready to send."""
        items = self.queue.view()
        lo, hi = 0, len(items)  # first item after last_loaded (the list is in update_id order)
        while lo < hi:
            mid = (lo + hi) // 2
            if items[mid]["update_id"] <= self.last_loaded:
                lo = mid + 1
            else:
                hi = mid
        for update in items[lo:]:
            if len(self.loaded) >= self.window:
                break
            self.last_loaded = update["update_id"]
            key = queue_id(update)
            if key == 0:
                self._own -= 1
                key = self._own
            waiting = self.loaded.get(key)
            if waiting is None:
                self.loaded[key] = deque((update,))
                self.ready.append(key)
            else:
                waiting.append(update)
        self.dispatch()

    def done(self, key: int) -> None:
        """The first update of queue ``key`` was answered (or dropped): the next one may go."""
        waiting = self.loaded[key]
        self.delays.pop(waiting.popleft()["update_id"], None)
        if waiting:
            self.ready.append(key)
        else:
            del self.loaded[key]
            self.queue.touch()  # room for another queue: the loader takes the next updates

    def pending(self, update_id: int) -> bool:
        return any(u["update_id"] == update_id for u in self.queue.view())

    # -- sending ------------------------------------------------------------------------
    def dispatch(self) -> None:
        """Send ready updates on idle connections; open connections (up to max_connections)
        for the rest."""
        while self.ready and self.idle and not self.stopped:
            link = self.idle.pop()
            key = self.ready.popleft()
            link.send(key, self.loaded[key][0])
        wanted = min(len(self.ready), self.max_connections - len(self.links)) - self.opening
        for _ in range(max(0, wanted) if not self.stopped else 0):
            self.opening += 1
            task = asyncio.create_task(self._open())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _open(self) -> None:
        target = self.target
        try:
            await asyncio.get_running_loop().create_connection(
                lambda: _Link(self), target.host, target.port, ssl=target.ssl or None
            )
            self.connect_delay = WEBHOOK_BACKOFF[0]
        except OSError as exc:
            self.error(f"Connection failed: {exc.__class__.__name__}")
            await asyncio.sleep(self.connect_delay)
            self.connect_delay = min(self.connect_delay * 2, WEBHOOK_BACKOFF[1])
        finally:
            self.opening -= 1
        self.dispatch()

    def connected(self, link: _Link) -> None:
        self.links.add(link)
        self.idle.append(link)

    def answered(self, link: _Link, key: int, update_id: int, answer: _Answer) -> None:
        if link in self.links:
            self.idle.append(link)
        status = answer.status
        if 200 <= status < 300:
            self.carried(answer)
            self.queue.remove(update_id)
            self.hook.delivered += 1
            self.done(key)
        else:
            self.failed(
                key, update_id, f"Wrong response from the webhook: {status} {answer.reason}"
            )
        self.dispatch()

    def carried(self, answer: _Answer) -> None:
        """Execute the Bot API call a 2xx answer carried, if any (see the module docstring)."""
        if not answer.body or self.reply is None:
            return
        try:
            values = body_params(answer.content_type, answer.body)
        except ApiError:
            return  # a body that cannot be read carries no call
        method = values.pop("method", None)
        if not isinstance(method, str) or not method:
            return
        name = method.lower()
        if name in _NOT_FROM_WEBHOOK or name.startswith("get"):
            return
        self.reply(method, values)

    def lost(self, link: _Link, key: int | None, update_id: int) -> None:
        self.links.discard(link)
        if link in self.idle:
            self.idle.remove(link)
        if key is not None:
            self.failed(key, update_id, "Connection failed: the webhook closed the connection")
        self.dispatch()

    def error(self, message: str) -> None:
        self.hook.last_error_date = int(time.time())
        self.hook.last_error_message = message
        self.hook.failed += 1

    def failed(self, key: int, update_id: int, message: str) -> None:
        """The queue waits; its update is sent again after a growing delay."""
        self.error(message)
        delay = self.delays.get(update_id, WEBHOOK_BACKOFF[0])
        self.delays[update_id] = min(delay * 2, WEBHOOK_BACKOFF[1])
        asyncio.get_running_loop().call_later(delay, self._retry, key, update_id)

    def _retry(self, key: int, update_id: int) -> None:
        if self.stopped or key not in self.loaded:
            return
        if not self.pending(update_id):  # dropped meanwhile (deleteWebhook drop_pending_updates)
            self.done(key)
        else:
            self.ready.append(key)
        self.dispatch()

    def stop(self) -> None:
        self.stopped = True
        for link in list(self.links):
            link.close()
        for task in self._tasks:
            task.cancel()


async def deliver_webhook(
    queue: UpdateQueue, hook: WebhookConfig, reply: Reply | None = None
) -> None:
    """POST pending updates to the webhook until cancelled, executing the calls its answers
    carry with ``reply`` (see the module docstring)."""
    delivery = _Delivery(queue, hook, reply)
    try:
        while not queue.closed:
            delivery.load()
            now = time.monotonic()
            for link in list(delivery.links):  # a request unanswered too long: drop it
                if link.key is not None and now - link.sent_at > REQUEST_TIMEOUT:
                    link.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await queue.changed()
    finally:
        delivery.stop()


class _Target:
    """Where to POST: host, port, the request's head (all but the body's length)."""

    def __init__(self, host: str, port: int, ssl: bool, head: bytes) -> None:
        self.host, self.port, self.ssl, self.head = host, port, ssl, head

    @classmethod
    def of(cls, hook: WebhookConfig) -> _Target:
        url = urlsplit(hook.url)
        ssl = url.scheme == "https"
        host = url.hostname or "127.0.0.1"
        port = url.port or (443 if ssl else 80)
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: {url.netloc}",
            "Connection: keep-alive",
            "Content-Type: application/json",
            "Accept-Encoding: gzip, deflate",
        ]
        if hook.secret_token:
            lines.append(f"X-Telegram-Bot-Api-Secret-Token: {hook.secret_token}")
        return cls(host, port, ssl, ("\r\n".join(lines) + "\r\nContent-Length: ").encode())


class _Link(asyncio.Protocol):
    """One persistent connection to the webhook, carrying one request at a time."""

    def __init__(self, delivery: _Delivery) -> None:
        self.delivery = delivery
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.key: int | None = None  # the queue whose update is out on this connection
        self.update_id = 0
        self.sent_at = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.delivery.connected(self)

    def send(self, key: int, update: JSON) -> None:
        assert self.transport is not None
        self.key, self.update_id, self.sent_at = key, update["update_id"], time.monotonic()
        body = orjson.dumps(update)
        self.transport.write(self.delivery.target.head + b"%d\r\n\r\n" % len(body) + body)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            answer = _take_answer(self.buffer, closed=False)
        except ValueError:
            self.close()
            return
        if answer is None or self.key is None:
            return
        key, self.key = self.key, None
        if not answer.keep:
            self.close()
        self.delivery.answered(self, key, self.update_id, answer)

    def eof_received(self) -> bool | None:
        if self.key is not None:  # an answer that ends with the connection
            try:
                answer = _take_answer(self.buffer, closed=True)
            except ValueError:
                answer = None
            if answer is not None:
                key, self.key = self.key, None
                self.close()
                self.delivery.answered(self, key, self.update_id, answer)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        key, self.key = self.key, None
        self.transport = None
        self.delivery.lost(self, key, self.update_id)

    def close(self) -> None:
        self.delivery.links.discard(self)
        if self in self.delivery.idle:
            self.delivery.idle.remove(self)
        if self.transport is not None:
            self.transport.close()


_NOT_FROM_WEBHOOK = frozenset({"setwebhook", "deletewebhook", "close", "logout"})


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    keep: bool  # the connection stays open
    content_type: str = ""
    body: bytes = b""


def _take_answer(buffer: bytearray, *, closed: bool) -> _Answer | None:
    """The answer at the start of ``buffer`` (taken out of it); None while incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError("not an HTTP response")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    if 100 <= status < 200:  # "100 Continue" and the like: the answer follows
        del buffer[: end + 4]
        return _take_answer(buffer, closed=closed)
    connection = headers.get("connection", "").lower()
    keep = connection == "keep-alive" if parts[0] == "HTTP/1.0" else connection != "close"
    start = end + 4
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunked = _dechunk(buffer, start)
        if chunked is None:
            return None
        body, stop = chunked
    elif "content-length" in headers:
        stop = start + int(headers["content-length"])
        if len(buffer) < stop:
            return None
        body = bytes(buffer[start:stop])
    else:  # the body ends with the connection
        if not closed:
            return None
        stop = len(buffer)
        body = bytes(buffer[start:])
        keep = False
    del buffer[:stop]
    encoding = headers.get("content-encoding", "").lower()
    if body and encoding in ("gzip", "deflate"):  # Telegram asks for them (Accept-Encoding)
        try:
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS if encoding == "gzip" else 0)
        except zlib.error:
            body = b""
    return _Answer(
        status, parts[2] if len(parts) > 2 else "", keep, headers.get("content-type", ""), body
    )


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body starting at ``start``: (the body, where the answer ends), or None while
    incomplete."""
    body = bytearray()
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", at - 2)
            return None if trailer_end < 0 else (bytes(body), trailer_end + 4)
        if len(buffer) < at + size + 2:
            return None
        body += buffer[at : at + size]
        at += size + 2
