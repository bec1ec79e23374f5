"""The sandbox delivers webhook updates as Telegram's Bot API server does (telegram-bot-api,
``WebhookActor.cpp``; queue ids from ``Client::add_update`` in ``Client.cpp``): one update at a
time per queue, queues in parallel, over persistent connections.

A private chat's messages are one queue (the chat id) and the same person's button presses
another (user id + 3 << 33): a typed message and a press of one person can be in flight at
once, which the bot must be ready for (tests/test_dialogue_concurrency.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from sandbox import SandboxServer
from sandbox.webhook import queue_id
from tests.kit.plain_bot import ptb_bot


class HeldHook:
    """A webhook that answers an update only when the test lets it go."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.release: dict[int, asyncio.Event] = {}
        self.peers: set[Any] = set()
        self.hold = True

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append(update)
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        gate = self.release.setdefault(update["update_id"], asyncio.Event())
        if self.hold:
            await gate.wait()
        return web.Response(status=200)

    def ids(self) -> list[int]:
        return [u["update_id"] for u in self.received]


@asynccontextmanager
async def serving(hook: HeldHook) -> AsyncIterator[int]:
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        for gate in hook.release.values():
            gate.set()
        await runner.cleanup()


def test_queue_ids_are_the_bot_api_servers() -> None:
    user, group = 1234, -1001234
    assert (
        queue_id({"update_id": 1, "message": {"chat": {"id": user}, "from": {"id": user}}}) == user
    )
    assert queue_id({"update_id": 2, "edited_message": {"chat": {"id": group}}}) == group
    press = {
        "update_id": 3,
        "callback_query": {"from": {"id": user}, "message": {"chat": {"id": user}}},
    }
    assert queue_id(press) == user + (3 << 33)  # not the private chat's queue
    assert queue_id({"update_id": 4, "my_chat_member": {"chat": {"id": group}}}) == group + (
        5 << 33
    )
    assert queue_id({"update_id": 5, "poll_answer": {"poll_id": "77"}}) == 77


async def test_one_queue_at_a_time_queues_in_parallel(sandbox: SandboxServer) -> None:
    hook = HeldHook()
    token = sandbox.create_bot()
    someone, other = sandbox.create_user(), sandbox.create_user()
    async with serving(hook) as port, ptb_bot(sandbox, token) as bot:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=10)
        sandbox.send_text(token, someone.id, "first")
        sandbox.send_text(token, someone.id, "second")
        press = sandbox.press_button(token, someone.id, someone.id, 1, "x:1", forged=True)
        sandbox.send_text(token, other.id, "another chat")
        await sandbox.wait_for(lambda: len(hook.received) == 3)
        first, second, pressed, another = (u["update_id"] for u in sandbox.pending_updates(token))
        # The person's first message and their press are out at once; the second message of
        # the same chat waits for the first to be answered; another chat does not wait.
        assert sorted(hook.ids()) == sorted([first, pressed, another])
        assert hook.received[hook.ids().index(pressed)]["callback_query"]["id"] == press
        hook.release[pressed].set()
        hook.release[another].set()
        await sandbox.wait_for(lambda: len(sandbox.pending_updates(token)) == 2)
        assert second not in hook.ids()
        hook.release[first].set()
        await sandbox.wait_for(lambda: second in hook.ids())
        hook.release[second].set()
        await sandbox.wait_for(lambda: not sandbox.pending_updates(token))
        assert hook.ids()[-1] == second and len(hook.ids()) == 4  # each delivered once


async def test_connections_are_kept_open(sandbox: SandboxServer) -> None:
    hook = HeldHook()
    hook.hold = False
    token = sandbox.create_bot()
    someone = sandbox.create_user()
    async with serving(hook) as port, ptb_bot(sandbox, token) as bot:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=1)
        for n in range(20):
            sandbox.send_text(token, someone.id, f"message {n}")
        await sandbox.wait_for(lambda: len(hook.received) == 20)
    assert [u["message"]["text"] for u in hook.received] == [f"message {n}" for n in range(20)]
    assert len(hook.peers) == 1  # one persistent connection carried all twenty


@pytest.mark.botapi_raw  # wrong calls in the answers, on purpose
async def test_an_answer_may_carry_one_call(sandbox: SandboxServer) -> None:
    """A 2xx answer's body may carry a Bot API call ("Making requests when getting updates"):
    it is executed, its result sent nowhere; getX, setWebhook and the like are not; a call
    that fails fails unseen and the update counts as delivered all the same."""
    token = sandbox.create_bot()
    someone = sandbox.create_user()
    bodies: list[tuple[int, dict[str, Any] | str]] = []

    async def handle(request: web.Request) -> web.Response:
        update = await request.json()
        status, body = bodies.pop(0)
        query = update["callback_query"]["id"]
        if isinstance(body, str):
            return web.Response(status=status, text=body, content_type="text/plain")
        return web.json_response({**body, "callback_query_id": query}, status=status)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = int(runner.addresses[0][1])
    answer = {"method": "answerCallbackQuery", "text": "Đã ghi nhận"}
    bodies += [
        (200, answer),  # executed
        (200, {**answer, "method": "getMe"}),  # a get... method: not executed
        (200, {**answer, "method": "setWebhook", "url": ""}),  # not executed
        (200, {**answer, "method": "noSuchMethod"}),  # fails unseen (404)
        (200, {**answer, "text": "x" * 300}),  # fails unseen (text too long)
        (200, "method=answerCallbackQuery"),  # not JSON nor a form: no call
        (500, answer),  # not 2xx: nothing executed, the update comes again
        (200, answer),
    ]
    try:
        async with ptb_bot(sandbox, token) as bot:
            assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=1)
            queries = [
                sandbox.press_button(token, someone.id, someone.id, 1, "x:1", forged=True)
                for _ in range(7)
            ]
            await sandbox.wait_for(lambda: not sandbox.pending_updates(token) and not bodies)
            await sandbox.wait_for(lambda: queries[-1] in sandbox.callback_answers)
            replies = [c for c in sandbox.calls if c.via == "webhook"]
            assert [(c.method, c.ok, c.error_code) for c in replies] == [
                ("answerCallbackQuery", True, None),
                ("noSuchMethod", False, 404),
                ("answerCallbackQuery", False, 400),
                ("answerCallbackQuery", True, None),  # the one answered 500 first, sent again
            ]
            assert replies[0].params["callback_query_id"] == queries[0]
            assert sandbox.callback_answers[queries[0]]["text"] == "Đã ghi nhận"
            assert set(sandbox.callback_answers) == {queries[0], queries[6]}
            info = await bot.get_webhook_info()
            assert info.url.endswith("/hook")  # the setWebhook carried was not executed
    finally:
        await runner.cleanup()
