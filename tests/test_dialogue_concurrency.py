"""Two steps of one person's dialogue handled at once, by two bot applications (as two worker
processes sharing the webhook port would) on one database.

Telegram's Bot API server queues a private chat's messages (queue: the chat id) apart from the
same person's button presses (queue: user id + 3 << 33), so a typed answer and a button press
can be in flight at the same time on two connections, hence in two processes. The draft's row
serialises them: the step that comes second reads the draft as the first left it and gets the
"stale" answer (or "use the buttons") instead of writing over it. And a private message that
is no dialogue step reads the draft without taking SQLite's write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from pydantic import SecretStr
from sqlalchemy import event, select

from bot.app import build_application, running
from bot.config import Settings, WebhookSettings
from bot.context import ChithiApp
from bot.services import dialogues
from sandbox import SandboxServer
from storage.db import create_engine, session_factory
from storage.models import DialogueDraft
from tests.kit.broadcasting import button
from tests.kit.harness import FakeClock, bot_on_sandbox, make_settings
from tests.kit.scene import build_scene

SECRET = "two-workers"
ASK_PIN = "Gửi đến "
USE_BUTTONS = "Hãy chọn bằng các nút ở tin nhắn phía trên, hoặc gõ /cancel để huỷ."
STALE = "Nút này không còn hợp lệ. Gõ /broadcast để soạn thông báo mới."


@asynccontextmanager
async def webhook_worker(
    sandbox: SandboxServer, settings: Settings, token: str, clock: FakeClock
) -> AsyncIterator[tuple[ChithiApp, int]]:
    """One worker serving the bot by webhook on its own port; Telegram is not told about it
    (the test posts the updates itself, to the worker it chooses)."""
    hook = WebhookSettings(port=0, secret_token=SecretStr(SECRET))
    app = build_application(
        settings.model_copy(update={"webhook": hook}),
        token=token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        clock=clock,
    )
    async with running(app, webhook=hook, set_webhook=False):
        runtime = app.bot_data.runtime
        assert runtime is not None and runtime.webhook is not None
        yield app, runtime.webhook.port


async def post(http: aiohttp.ClientSession, port: int, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with http.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as r:
        return r.status


def take_pending(sandbox: SandboxServer, token: str) -> list[dict[str, Any]]:
    """The updates queued for the bot, taken off the queue (as Telegram hands them out)."""
    queue = sandbox.bot(token).queue
    pending = queue.pending
    queue.clear()
    return pending


async def test_a_typed_answer_and_a_button_press_at_once_leave_one_step_taken(
    sandbox: SandboxServer, db_url: str, clock: FakeClock, monkeypatch: Any
) -> None:
    settings = make_settings(db_url)
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene = await build_scene(h)
        admin = scene.users["admin"]
        await h.send(admin, "/broadcast")
        [prompt] = await h.send(admin, "Họp chi bộ lúc 8 giờ sáng thứ Hai.")
        assert prompt["text"].startswith("Gửi đến đơn vị nào?")
        token = h.token
    take_pending(sandbox, token)

    # Each step waits, before writing the draft, until the other step has read it: without a
    # lock both would read the "targets" step and both would move it on.
    readers: set[asyncio.Task[Any]] = set()
    both_read = asyncio.Event()
    load, save = dialogues.load, dialogues.save

    async def watched_load(*args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        readers.add(task)
        if len(readers) >= 2:
            both_read.set()
        return await load(*args, **kwargs)

    async def gated_save(*args: Any, **kwargs: Any) -> Any:
        await asyncio.wait_for(both_read.wait(), 30)
        return await save(*args, **kwargs)

    monkeypatch.setattr(dialogues, "load", watched_load)
    monkeypatch.setattr(dialogues, "save", gated_save)

    before = len(sandbox.messages(admin.id))
    async with (
        webhook_worker(sandbox, settings, token, clock) as (_first, port_1),
        webhook_worker(sandbox, settings, token, clock) as (_second, port_2),
        aiohttp.ClientSession() as http,
    ):
        sandbox.press_button(
            token, admin.id, admin.id, prompt["message_id"], button(prompt, "BP — ")
        )
        sandbox.send_text(token, admin.id, "BP-DX")
        press, typed = take_pending(sandbox, token)
        assert "callback_query" in press and "message" in typed
        # Non-press updates are answered once handled: both are done when both POSTs return.
        statuses = await asyncio.gather(post(http, port_1, press), post(http, port_2, typed))
        assert list(statuses) == [200, 200]

    said = [m["text"] for m in sandbox.messages(admin.id)[before:]]
    pin_questions = [text for text in said if text.startswith(ASK_PIN)]
    assert len(pin_questions) == 1, said  # one step taken, not both
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            [row] = (await s.scalars(select(DialogueDraft))).all()
    finally:
        await engine.dispose()
    assert row.step == "pin"
    if row.state["targets"] == ["BP"]:  # the press went first; the typed codes came too late
        assert USE_BUTTONS in said
        assert pin_questions[0].startswith("Gửi đến BP.")
    else:  # the typed codes went first; the press found the dialogue moved on
        assert row.state["targets"] == ["BP-DX"]
        assert sandbox.callback_answers[press["callback_query"]["id"]]["text"] == STALE
        assert USE_BUTTONS not in said


async def test_a_private_message_that_is_no_dialogue_step_takes_no_write_lock(
    sandbox: SandboxServer, sqlite_url: str, clock: FakeClock
) -> None:
    async with bot_on_sandbox(sandbox, make_settings(sqlite_url), clock=clock) as h:
        scene = await build_scene(h)
        member = scene.users["m1"]
        await h.send(member, "/start")
        begins: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            task = asyncio.current_task()  # the router's task for the update, not the sender's
            if statement.startswith("BEGIN") and task is not None and task.get_name() == "update":
                begins.append(statement)

        event.listen(h.rt.engine.sync_engine, "before_cursor_execute", seen)
        try:
            await h.send(member, "Xin chào", replies=0)  # no dialogue open: nothing to write
        finally:
            event.remove(h.rt.engine.sync_engine, "before_cursor_execute", seen)
        assert begins  # the draft was looked up...
        assert "BEGIN IMMEDIATE" not in begins  # ...without SQLite's write lock
