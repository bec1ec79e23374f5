"""Fuzzing the running bot: thousands of generated and mutated updates through the real
Application and the sandbox, on SQLite and PostgreSQL.

Commands with hostile arguments (HTML, NUL and control characters, RTL marks, astral
characters, 4,096-unit texts, absurd numbers and dates), unknown commands, chatter, edited
messages, and callback data of every prefix the bot uses with wrong ids, random bytes and
mutations of real buttons, pressed under directive posts, the bot's other messages and
message ids that do not exist. Whatever arrives:

* no exception escapes a handler (nothing is logged at ERROR by the bot or PTB);
* every callback query is answered;
* an invalid update writes no row (see ``tests/kit/fuzz.py`` for which updates are invalid:
  every round plays updates that may write, then invalid ones between two snapshots of every
  table).

Hypothesis runs derandomized, without shrinking (the bot's state carries over from one round
to the next, so a smaller round would not replay the same situation); everything found is
collected and reported at the end. ``CHITHI_FUZZ_ROUNDS`` changes the number of rounds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import TypeHandler

from handlers.common import EDIT_GUARD_GROUP
from sandbox import SandboxServer
from storage.models import Delivery, Unit
from tests.kit import fuzz as fk
from tests.kit.harness import FakeClock, Harness, MakeHarness, bot_on_sandbox, make_settings
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import build_scene

REPORT_NUMBER = "CT-2022/TU"  # the sample directive with quarterly reports
LOOSE, STRICT = 60, 140  # actions per round: may write, must not
ROUNDS = int(os.environ.get("CHITHI_FUZZ_ROUNDS", "30"))
MIN_UPDATES = 5000


async def _set_up(h: Harness, cfgadmin: Any) -> tuple[dict[str, Any], dict[str, Any], fk.Refs]:
    """The scene, two published directives, the extra people and chats of ``fuzz_kit``."""
    scene = await build_scene(h)
    await publish_sample(h, scene, NUMBER)
    await publish_sample(h, scene, REPORT_NUMBER)
    users = dict(scene.users)
    users["stranger"] = h.user("Stranger", language="en")
    users["ghost1"] = h.user("Bóng", username="ghost_one")
    users["ghost2"] = h.user("Ghost", language="en")
    users["cfgadmin"] = cfgadmin
    chats = dict(scene.groups)
    chats["odd"] = h.group("Nhóm <b>lạ</b> & co", "supergroup", with_bot=True)
    chats["basic"] = h.group("Nhóm thường", "group", with_bot=True)
    chats["channel"] = h.channel("Kênh", username="kenh_fuzz")
    for place, people in fk.GROUPS.items():
        for key in people:
            if chats[place].members.get(users[key].id) is None:
                h.sandbox.add_chat_member(chats[place].id, users[key].id)
    # Everyone but the ghosts has opened a private chat with the bot (so /start is no longer
    # what creates their member row).
    for key in fk.KNOWN:
        await h.send(users[key], "/start")
    async with h.db() as session:
        tokens = (await session.scalars(select(Unit.join_token).order_by(Unit.id).limit(4))).all()
        known = await session.scalar(select(func.count()).select_from(Delivery))
    assert known, "the setup published nothing"
    return users, chats, fk.Refs(join_tokens=tuple(tokens))


@pytest.fixture
async def fuzz_bot(
    sandbox: SandboxServer, db_url: str, clock: FakeClock
) -> AsyncIterator[tuple[Harness, Any]]:
    """The bot on ``db_url``, with an administrator named in its config (returned too)."""
    cfgadmin = sandbox.create_user(first_name="Quản trị", last_name="Cấu hình")
    settings_ = make_settings(
        db_url,
        bot={"admins": [cfgadmin.id]},
        delivery={"counter_refresh_seconds": 0.05},
        flood={
            "global_per_second": 100_000,
            "per_chat_per_second": 10_000,
            "per_group_per_minute": 1_000_000,
        },
    )
    async with bot_on_sandbox(sandbox, settings_, clock=clock) as h:
        yield h, cfgadmin


def _run_rounds(traffic: fk.Traffic, refs: fk.Refs, loop: asyncio.AbstractEventLoop) -> None:
    """Hypothesis in this (worker) thread; each round is played on the bot's event loop while
    the next one is drawn (rounds are played one at a time, in order)."""
    playing: list[Future[None]] = []

    def wait_for_previous() -> None:
        if playing:
            playing.pop().result(timeout=240)

    @settings(
        max_examples=ROUNDS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(fk.rounds(refs, LOOSE, STRICT))
    def one_round(actions: tuple[list[fk.Action], list[fk.Action]]) -> None:
        wait_for_previous()
        playing.append(asyncio.run_coroutine_threadsafe(traffic.round(*actions), loop))

    one_round()
    wait_for_previous()


async def test_hostile_updates_raise_nothing_leave_no_query_unanswered_and_write_nothing(
    fuzz_bot: tuple[Harness, Any],
) -> None:
    h, cfgadmin = fuzz_bot
    users, chats, refs = await _set_up(h, cfgadmin)
    log = fk.ErrorLog()
    root = logging.getLogger()
    root.addHandler(log)
    traffic = fk.Traffic(h, users, chats)
    pushed_before = sum(traffic.pushed.values())
    started = time.monotonic()
    try:
        await asyncio.to_thread(_run_rounds, traffic, refs, asyncio.get_running_loop())
    finally:
        root.removeHandler(log)
    elapsed = time.monotonic() - started

    rows = {name: len(found) for name, found in (await fk.snapshot(h)).items() if found}
    sent = traffic.pushed.copy()
    total = sum(sent.values()) - pushed_before
    print(
        f"\n[fuzz] {h.settings.database.url.split(':')[0]}: {traffic.rounds_played} rounds, "
        f"{total} updates ({dict(sent)}) in {elapsed:.1f} s; "
        f"{len(traffic.queries)} callback queries; rows at the end: {rows}"
    )
    problems = [f"ERROR log: {line}" for line in log.summaries()]
    unanswered = traffic.unanswered()
    if unanswered:
        problems.append(f"{len(unanswered)} callback queries never answered, e.g. {unanswered[:8]}")
    problems += traffic.problems
    # The test is only worth its name if the traffic was there.
    if traffic.rounds_played != ROUNDS:
        problems.append(f"{traffic.rounds_played} rounds played instead of {ROUNDS}")
    if ROUNDS * (LOOSE + STRICT) >= MIN_UPDATES and total < MIN_UPDATES:
        problems.append(f"only {total} updates sent")
    if sent["callback_query"] < total // 4 or sent["edited_message"] < total // 20:
        problems.append(f"too few callback queries or edited messages: {dict(sent)}")
    assert not problems, "\n".join(problems)


async def test_an_edited_message_reaches_the_bot_as_edited_message(
    make_harness: MakeHarness,
) -> None:
    """The sandbox capability the fuzz test relies on: a user edits their message, the bot
    gets ``edited_message`` (privately) or ``edited_message`` in groups it may see."""
    async with make_harness() as h:
        lan = h.user("Lan")
        seen: list[tuple[str, str]] = []

        async def record(update: Any, _: Any) -> None:
            if update.edited_message is not None:
                seen.append((update.edited_message.chat.type, update.edited_message.text))

        h.app.add_handler(
            TypeHandler(Update, record), group=EDIT_GUARD_GROUP - 1
        )  # before the guard
        sent = h.sandbox.send_text(h.token, lan.id, "/help")
        edited = h.sandbox.edit_text(h.token, lan.id, None, sent["message_id"], "/help me")
        group = h.group("G", members=[lan], with_bot=True)
        chatter = h.sandbox.send_text(h.token, lan.id, "hello", chat_id=group.id)
        h.sandbox.edit_text(h.token, lan.id, group.id, chatter["message_id"], "still chatter")
        h.sandbox.edit_text(h.token, lan.id, group.id, chatter["message_id"], "/status x")
        other = h.user("Mai")
        h.sandbox.add_chat_member(group.id, other.id)
        with pytest.raises(ValueError, match="not sent by"):
            h.sandbox.edit_text(h.token, other.id, group.id, chatter["message_id"], "x")
        await h.settle(lambda: len(seen) == 2)
    assert edited["edit_date"] and edited["entities"][0]["type"] == "bot_command"
    # Group privacy applies to the new text: chatter stays unseen, a command is delivered.
    assert seen == [("private", "/help me"), ("supergroup", "/status x")]
