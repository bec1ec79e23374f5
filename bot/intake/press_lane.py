"""The Telegram side of button presses: the batcher that records them, and the lane that
answers them.

A press is recorded in a transaction shared with the presses that arrived together (group
commit, ``bot.services.presses``) and answered with a toast after that commit: "recorded"
means recorded. The router (``bot.intake.route``, for the poller and the webhook alike) hands
them over straight from the raw update, without building PTB objects for them (the hot path
under a burst).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import Bot

from bot.delivery.telegram_port import TelegramPort
from bot.runtime import Runtime
from bot.services import quiz
from bot.services.confirm import QUIZ, QUIZ_PRIVATE, Press, PressOutcome
from bot.services.ports import SendError
from bot.services.presses import PressBatcher
from bot.services.tg_text import CALLBACK_ANSWER_LIMIT, truncate

log = logging.getLogger(__name__)
# Under overload: presses accepted (to be recorded) at a time; a press beyond these is answered
# "busy, press again" at once and not recorded. 2-3 s of recording on 2 busy cores, and 1.5x
# what a steady 2,000 presses/s needed there (bench/confirmations.py).
MAX_ACCEPTED = 3000
# "Busy" toasts being sent at once; beyond these the poller stops fetching (the rest wait
# with Telegram), so the bot's memory stays bounded whatever the rate.
MAX_BUSY_ANSWERS = 1000


def toast_key(outcome: PressOutcome) -> str:
    return f"press-{outcome.status}-{outcome.kind}" if outcome.kind else f"press-{outcome.status}"


class PressLane:
    """Records a press (through the batcher) and answers its callback query with a toast.

    Overload (more presses than the database and the Bot API calls carry) degrades in two
    steps, never by losing a press: up to ``capacity`` presses are accepted, recorded and then
    answered with the outcome; a press beyond them is answered at once with a short "busy,
    press again" toast and not recorded (a press waiting longer would be answered too late:
    Telegram takes no answer to a query some seconds old). The presses handed over at once
    are bounded too (``capacity + busy_answers``); beyond them the poller waits and the
    presses stay with Telegram.
    "Recorded" is only said of a press whose transaction committed.

    ``reply=True`` (the webhook): the toast is not sent with answerCallbackQuery but returned
    (the task's result), for the webhook's answer to carry.
    """

    def __init__(
        self,
        runtime: Runtime,
        bot: Bot,
        batcher: PressBatcher,
        *,
        capacity: int = MAX_ACCEPTED,
        busy_answers: int = MAX_BUSY_ANSWERS,
    ) -> None:
        self.runtime = runtime
        self.bot = bot
        self.batcher = batcher
        self.capacity = capacity
        self._free = capacity + busy_answers  # presses that may still be handed over
        self._room = asyncio.Event()
        self._tasks: set[asyncio.Task[str | None]] = set()
        self.in_flight = 0  # being handled now (from either path)
        self.accepted = 0  # of which taken to be recorded and not yet recorded
        self.peak_accepted = 0  # figures for the benchmark and the tests
        self.peak_spawned = 0
        self.turned_away = 0  # presses answered "busy" (not recorded)

    async def handle(self, press: Press, query_id: str, reply: bool = False) -> str | None:
        """Record and answer one press, or tell the presser the bot is busy; any failure is
        logged and answered with an apology. With ``reply``, the toast is returned instead of
        sent."""
        texts = self.runtime.texts
        self.in_flight += 1
        try:
            if self.accepted >= self.capacity:
                self.turned_away += 1
                return await self._answer(
                    press, query_id, texts(press.language, "press-busy"), reply
                )
            self.accepted += 1
            self.peak_accepted = max(self.peak_accepted, self.accepted)
            try:
                outcome = await self.batcher.submit(press)
                if outcome.status == QUIZ:
                    outcome = await self._send_quiz(press, outcome)
                text = texts(
                    press.language,
                    toast_key(outcome),
                    number=outcome.number or "",
                    bot=self.runtime.bot_username,
                )
            except Exception:
                log.exception("recording the press %r failed", press)
                text = texts(press.language, "error-internal")
            finally:
                self.accepted -= 1
            return await self._answer(press, query_id, text, reply)
        finally:
            self.in_flight -= 1

    async def _send_quiz(self, press: Press, outcome: PressOutcome) -> PressOutcome:
        """The first question of the attempt the press opened, in the presser's private chat
        (after the commit); if the bot cannot write there, the toast says how to open it."""
        assert outcome.attempt is not None and outcome.directive_id is not None
        t = self.runtime.texts.for_lang(press.language)
        async with self.runtime.sessions() as session:
            payload = await quiz.first_question(session, outcome.directive_id, outcome.attempt, t)
        try:
            await TelegramPort(self.bot).send(press.person.telegram_id, payload)
        except SendError:
            return replace(outcome, status=QUIZ_PRIVATE)
        return outcome

    async def _answer(self, press: Press, query_id: str, text: str, reply: bool) -> str | None:
        text = truncate(text, CALLBACK_ANSWER_LIMIT)
        if reply:
            return text
        try:
            await self.bot.answer_callback_query(query_id, text)
        except Exception:
            log.exception("could not answer the press %r", press)
        return None

    async def spawn(
        self, press: Press, query_id: str, *, reply: bool = False
    ) -> asyncio.Task[str | None]:
        """Handle the press in its own task (returned); waits only when too many are in flight.
        With ``reply``, the task's result is the toast (see the class docstring)."""
        while self._free <= 0:
            self._room.clear()
            await self._room.wait()
        return self._start(press, query_id, reply)

    def spawn_nowait(
        self, press: Press, query_id: str, *, reply: bool = False
    ) -> asyncio.Task[str | None] | None:
        """As :meth:`spawn`, but None at once when too many are in flight."""
        return self._start(press, query_id, reply) if self._free > 0 else None

    def _start(self, press: Press, query_id: str, reply: bool) -> asyncio.Task[str | None]:
        self._free -= 1
        task = asyncio.create_task(self.handle(press, query_id, reply), name="press")
        self._tasks.add(task)
        self.peak_spawned = max(self.peak_spawned, len(self._tasks))
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[str | None]) -> None:
        self._tasks.discard(task)
        self._free += 1
        self._room.set()

    @property
    def spawned(self) -> int:
        """Presses handed over by the poller and not yet answered."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait for every press handed over so far to be answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def start_press_batcher(runtime: Runtime, bot: Bot) -> asyncio.Task[None] | None:
    batcher = PressBatcher(runtime.sessions, turns=runtime.write_turns)
    runtime.presses = batcher
    runtime.press_lane = PressLane(runtime, bot, batcher)
    return asyncio.create_task(batcher.run(), name="press-batcher")


def lane_of(runtime: Runtime) -> PressLane:
    lane = runtime.press_lane
    if lane is None:
        raise RuntimeError("the press batcher is not running")
    return lane
