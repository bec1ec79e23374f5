"""One way in for every update, whether long polling or a webhook brought it.

:meth:`Router.route` takes the raw update (the JSON object Telegram sent). A press of a
confirmation button (recognised by ``bot.services.buttons``) goes straight to the press lane,
without building PTB objects for it: under a burst of presses that parsing was the bot's
largest cost. Every other update becomes a PTB ``Update`` and goes through the Application's
handlers (``Application.process_update`` under its update processor), as PTB would run it.

Order: the updates of one person that are not presses are handled one after another in the
order they arrived (a dialogue step never overtakes the one before it); presses need no order
(each is recorded once per directive, member and kind). Across processes (webhook mode with
``--workers``) the order comes from Telegram: its Bot API server sends the next update of a
queue only once the previous one was answered, and the webhook answers an update only when it
has been handled (see ``bot.intake.webhook``). A queue is a chat's messages, or one user's
button presses (telegram-bot-api, ``Client::add_update``: a message goes to the queue of its
chat id, a callback query to ``user id + (3 << 33)``): a typed answer and a button press of
one person are two queues and can be handled at once by two processes. Dialogue steps are
therefore serialised on the draft's row as well (``handlers.common._load_draft``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.i18n import pick_language
from bot.intake.press_lane import PressLane
from bot.logs import describe_update
from bot.runtime import Runtime
from bot.services.buttons import is_confirm
from bot.services.confirm import Press
from bot.services.people import TelegramPerson
from bot.services.tg_text import blank_controls
from storage.db import update_scope

log = logging.getLogger(__name__)


def press_from_raw(item: dict[str, Any], runtime: Runtime) -> tuple[Press, str] | None:
    """A press (and its callback query id) read straight from a raw update, or None when the
    update is not a confirmation-button press (then PTB handles it as usual)."""
    query = item.get("callback_query")
    if not isinstance(query, dict) or not is_confirm(query.get("data")):
        return None
    user = query.get("from")
    if not isinstance(user, dict) or "id" not in query:
        return None
    message = query.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict):
        chat = None
    names = (user.get("first_name") or "", user.get("last_name") or "")
    language_code = user.get("language_code")
    press = Press(
        data=query["data"],
        person=TelegramPerson(
            telegram_id=int(user["id"]),
            full_name=" ".join(n for n in names if n),
            username=user.get("username"),
            language_code=language_code,
        ),
        chat_id=int(chat["id"]) if chat else 0,
        chat_type=str(chat.get("type", "")) if chat else "",
        message_id=int(message["message_id"]) if chat and isinstance(message, dict) else None,
        at=runtime.now(),
        language=pick_language(language_code, runtime.settings.locale.default_language),
    )
    return press, str(query["id"])


def blank_message_controls(item: dict[str, Any]) -> None:
    """Every text and caption a handler can read, without control characters (blanked, so the
    entities' offsets hold): one NUL typed into a dialogue would otherwise fail each statement
    that stores it (PostgreSQL refuses NUL). Once here, for every handler."""
    for value in item.values():
        if isinstance(value, dict):
            for field in ("text", "caption"):
                text = value.get(field)
                if isinstance(text, str):
                    value[field] = blank_controls(text)


def sender_of(item: dict[str, Any]) -> int | None:
    """The person (else the chat) an update comes from: its handling order is kept per key."""
    for key, value in item.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        for field in ("from", "user", "chat"):
            who = value.get(field)
            if isinstance(who, dict) and isinstance(who.get("id"), int):
                return int(who["id"])
    return None


@dataclass(frozen=True)
class Routed:
    """An update handed over: the task handling it, and whether it is a press (a press routed
    with ``reply=True``: the task's result is its toast)."""

    task: asyncio.Task[str | None]
    press: bool


class Router:
    """Hands each raw update to the press lane or to PTB; see the module docstring."""

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, lane: PressLane
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.lane = lane
        self._tails: dict[int, asyncio.Task[None]] = {}  # per person: the last update handed on
        self._tasks: set[asyncio.Task[None]] = set()
        self.routed = 0
        self.last_update_at: float | None = None  # time.monotonic() of the last update

    async def route(self, item: dict[str, Any], *, reply: bool = False) -> Routed | None:
        """Hand one raw update over; returns the task that handles it (done once handled), or
        None for an update that could not be read (logged, skipped). Waits only while the
        press lane is full. ``reply``: a press's toast is the task's result, not sent (the
        webhook's answer carries it)."""
        self.routed += 1
        self.last_update_at = time.monotonic()
        try:
            press = press_from_raw(item, self.runtime)
            if press is not None:
                return Routed(await self.lane.spawn(*press, reply=reply), press=True)
            blank_message_controls(item)
            update = Update.de_json(item, self.app.bot)
        except Exception:
            log.exception("%s could not be read; skipped", describe_update(item))
            return None
        key = sender_of(item)
        previous = self._tails.get(key) if key is not None else None
        task = asyncio.create_task(self._handle(update, previous), name="update")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if key is not None:
            self._tails[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return Routed(task, press=False)

    def route_press_nowait(self, item: dict[str, Any], *, reply: bool = False) -> Routed | None:
        """Hand a press over without waiting (no task of the webhook's own waits for the lane);
        None when the update is not a press, cannot be read, or the press lane is full: then
        :meth:`route` it. ``reply`` as for :meth:`route`."""
        try:
            press = press_from_raw(item, self.runtime)
        except Exception:
            return None  # route() logs it
        task = self.lane.spawn_nowait(*press, reply=reply) if press is not None else None
        if task is None:
            return None
        self.routed += 1
        self.last_update_at = time.monotonic()
        return Routed(task, press=True)

    def _forget(self, key: int, task: asyncio.Task[None]) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]

    async def _handle(self, update: Update, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:  # the same person's update before this one goes first
            await asyncio.wait({previous})
        processor = self.app.update_processor
        # The scope ends a transaction a dialogue step holds (handlers.common._load_draft).
        async with update_scope():
            await processor.process_update(update, self.app.process_update(update))

    @property
    def in_flight(self) -> int:
        return len(self._tasks) + self.lane.spawned

    async def drain(self) -> None:
        """Wait until every update handed over so far has been handled."""
        while self._tasks or self.lane.spawned:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            await self.lane.drain()
