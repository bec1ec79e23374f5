"""Read-only commands run in read transactions: no write lock on SQLite (a deferred BEGIN, not
BEGIN IMMEDIATE), and the answer is sent once the transaction has ended, so no transaction
stays open while the reply waits for a send slot. /me with buttons writes (the message id its
buttons were sent with): its reads are still a read transaction, ended before that write."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select

from sandbox import SandboxServer
from storage.models import Member
from tests.kit.harness import Harness, MakeHarness, buttons_of
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import build_scene


@dataclass
class Seen:
    """What the update's task did with the database, each event with how many bot messages
    the chat held at that moment."""

    events: list[tuple[str, int]] = field(default_factory=list)

    def before_reply(self, sent_before: int) -> list[str]:
        return [what for what, count in self.events if count <= sent_before]

    def after_reply(self, sent_before: int) -> list[str]:
        return [what for what, count in self.events if count > sent_before]


@contextmanager
def watched(h: Harness, chat_id: int) -> Iterator[Seen]:
    seen = Seen()
    engine = h.rt.engine.sync_engine

    def note(what: str) -> None:
        task = asyncio.current_task()  # the router's task for the update, not the sender's
        if task is not None and task.get_name() == "update":
            seen.events.append((what, len(h.sandbox.messages(chat_id))))

    def on_begin(_conn: Any) -> None:
        note("begin")

    def on_commit(_conn: Any) -> None:
        note("commit")

    def on_rollback(_conn: Any) -> None:
        note("rollback")

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            note(statement)

    hooks: list[tuple[str, Callable[..., Any]]] = [
        ("begin", on_begin),
        ("commit", on_commit),
        ("rollback", on_rollback),
        ("before_cursor_execute", on_statement),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield seen
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


def closed(events: list[str]) -> bool:
    """Every transaction begun in ``events`` has ended."""
    opened = 0
    for what in events:
        if what == "begin":
            opened += 1
        elif what in ("commit", "rollback"):
            opened -= 1
    return opened == 0


async def test_read_only_commands_take_no_write_lock_and_answer_after_the_transaction(
    make_harness: MakeHarness, db_url: str
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene = await build_scene(h)
        await publish_sample(h, scene)
        await h.outbox_idle()
        asked = [
            ("sec_dx", f"/pending {NUMBER}", "📋 Tình hình xác nhận — 1208-CV/BTGTU"),
            ("sec_dx", f"/stats {NUMBER}", None),
            ("admin", f"/status {NUMBER}", "📊 Tình trạng gửi — 1208-CV/BTGTU"),
            ("m1", "/me", None),
        ]
        for who, command, starts in asked:
            user = scene.users[who]
            before = len(h.bot_messages(user.id))
            with watched(h, user.id) as seen:
                [reply] = await h.send(user, command)
                await h.settle()
            if starts is not None:
                assert reply["text"].startswith(starts), reply["text"]
            early = seen.before_reply(before)
            if command == "/me":  # its reads, then the write its answer is sent in
                last = len(early) - 1 - early[::-1].index("rollback")
                reads, write = early[: last + 1], early[last + 1 :]
                assert "commit" not in reads and closed(reads), seen.events
                assert "BEGIN IMMEDIATE" not in reads, seen.events
                assert "begin" in write and "commit" in seen.after_reply(before), seen.events
                continue
            assert "begin" in early, (command, seen.events)  # the answer was read...
            assert "commit" not in early, (command, seen.events)  # ...nothing written for it
            assert "BEGIN IMMEDIATE" not in early, (command, seen.events)  # no write lock
            assert closed(early), (command, seen.events)  # ...and ended before the reply
            assert not seen.after_reply(before), (command, seen.events)
        assert buttons_of(reply)


async def test_a_config_admin_without_a_row_gets_one_and_the_answer(
    make_harness: MakeHarness, db_url: str, sandbox: SandboxServer
) -> None:
    """A configured administrator's first command is a read: their member row is made first,
    in a write of its own, and the answer is still computed in a read."""
    boss = sandbox.create_user(first_name="Quản trị", language_code="vi")
    async with make_harness(db_url=db_url, bot={"admins": [boss.id]}) as h:
        scene = await build_scene(h)
        await publish_sample(h, scene)
        await h.outbox_idle()
        with watched(h, boss.id) as seen:
            [reply] = await h.send(boss, f"/pending {NUMBER}")
            await h.settle()
        assert reply["text"].startswith("📋 Tình hình xác nhận — 1208-CV/BTGTU"), reply["text"]
        early = seen.before_reply(0)
        assert early.count("commit") == 1 and closed(early), seen.events  # the row, then the read
        assert early[-1] == "rollback", seen.events  # the answer's transaction: a read
        assert not seen.after_reply(0), seen.events
        async with h.db() as s:
            assert await s.scalar(select(Member.id).where(Member.telegram_id == boss.id))
