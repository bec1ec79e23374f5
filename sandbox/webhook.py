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

The HTTP client is a small one of its own (the server's is C++): the sandbox shares the
machine with the bot under test, and aiohttp's client cost more per update than the bot's
handling of a button press, so a benchmark would have measured the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import orjson

from sandbox.updates import JSON, UpdateQueue, WebhookConfig

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
    """The loaded updates by queue, and the queues whose first update may be sent now."""

    def __init__(self, queue: UpdateQueue, hook: WebhookConfig) -> None:
        self.queue = queue
        self.hook = hook
        self.window = 2 * max(1, hook.max_connections)
        self.loaded: dict[int, deque[JSON]] = {}
        self.ready: asyncio.Queue[int] = asyncio.Queue()
        self.last_loaded = -1  # update_id of the last update loaded
        self._own = 0  # queue ids for updates without a queue: negative, never reused

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
                return
            self.last_loaded = update["update_id"]
            key = queue_id(update)
            if key == 0:
                self._own -= 1
                key = self._own
            waiting = self.loaded.get(key)
            if waiting is None:
                self.loaded[key] = deque((update,))
                self.ready.put_nowait(key)
            else:
                waiting.append(update)

    def done(self, key: int) -> None:
        """The first update of queue ``key`` was answered (or dropped): the next one may go."""
        waiting = self.loaded[key]
        waiting.popleft()
        if waiting:
            self.ready.put_nowait(key)
        else:
            del self.loaded[key]
            self.queue.touch()  # room for another queue: the loader takes the next updates

    def pending(self, update_id: int) -> bool:
        return any(u["update_id"] == update_id for u in self.queue.view())


async def deliver_webhook(queue: UpdateQueue, hook: WebhookConfig, _http: Any = None) -> None:
    """POST pending updates to the webhook until cancelled (see the module docstring)."""
    delivery = _Delivery(queue, hook)
    target = _Target.of(hook)
    tasks = [asyncio.create_task(_loader(delivery))]
    tasks += [
        asyncio.create_task(_connection(delivery, target)) for _ in range(delivery.window // 2)
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _loader(delivery: _Delivery) -> None:
    while not delivery.queue.closed:
        delivery.load()
        await delivery.queue.changed()


async def _connection(delivery: _Delivery, target: _Target) -> None:
    hook, queue = delivery.hook, delivery.queue
    link = _Link(target)
    try:
        while not queue.closed:
            key = await delivery.ready.get()
            update = delivery.loaded[key][0]
            update_id = update["update_id"]
            body = orjson.dumps(update)
            delay = WEBHOOK_BACKOFF[0]
            while not queue.closed:
                try:
                    status, reason = await link.post(body)
                    if 200 <= status < 300:
                        queue.remove(update_id)
                        hook.delivered += 1
                        break
                    error = f"Wrong response from the webhook: {status} {reason}"
                except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                    link.close()
                    error = f"Connection failed: {exc.__class__.__name__}"
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                hook.failed += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, WEBHOOK_BACKOFF[1])
                if not delivery.pending(update_id):
                    break  # dropped meanwhile (deleteWebhook with drop_pending_updates)
            delivery.done(key)
    finally:
        link.close()


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


class _Link:
    """One persistent connection to the webhook: one request at a time, opened on demand."""

    def __init__(self, target: _Target) -> None:
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, str]:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            if self.writer is None or self.reader is None or self.writer.is_closing():
                target = self.target
                self.reader, self.writer = await asyncio.open_connection(
                    target.host, target.port, ssl=target.ssl or None
                )
            reader, writer = self.reader, self.writer
            writer.write(self.target.head + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status, reason, headers = _parse_head(head)
            await _skip_body(reader, headers)
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, reason

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        self.reader = self.writer = None


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError("not an HTTP response")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    if parts[0] == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
        headers["connection"] = "close"
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


async def _skip_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return
    length = headers.get("content-length")
    if length is not None:
        await reader.readexactly(int(length))
        return
    await reader.read()  # no length: the body ends with the connection
    headers["connection"] = "close"
