"""The bot token never reaches a log line or an error's text, and an error line names the
update by ids, never by what people wrote or are called."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.app import build_application, running
from bot.delivery.http import AiohttpRequest
from bot.logs import describe_update, protect
from bot.services.people import TelegramPerson
from sandbox import SandboxServer
from tests.kit.harness import bot_on_sandbox, make_settings

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
SECRET = TOKEN.split(":")[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _server(handler: Any) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _everything(exc: BaseException) -> str:
    """What a traceback of ``exc`` prints, chained errors included."""
    return "".join(traceback.format_exception(exc))


async def test_transport_errors_never_carry_the_token() -> None:
    """aiohttp quotes the URL (and so the token) in some errors: a redirect loop (say, a
    misconfigured proxy) and a connection pool that stays busy."""

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(str(request.url))

    async for url in _server(redirect):
        request = AiohttpRequest()
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as caught:
                await request.post(f"{url}/bot{TOKEN}/getMe")
        finally:
            await request.shutdown()
        assert "TooManyRedirects" in str(caught.value)
        assert SECRET not in _everything(caught.value)

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response({"ok": True, "result": True})

    async for url in _server(slow):
        request = AiohttpRequest(connections=1, pool_timeout=0.1, connect_timeout=0.1)
        await request.initialize()
        try:
            first = asyncio.create_task(request.post(f"{url}/bot{TOKEN}/getMe"))
            await asyncio.sleep(0.05)
            with pytest.raises(TimedOut) as timed_out:
                await request.post(f"{url}/bot{TOKEN}/getMe", RequestData())
            await first
        finally:
            await request.shutdown()
        assert SECRET not in _everything(timed_out.value)


async def test_a_bot_whose_bot_api_is_gone_logs_no_token(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The Bot API stops answering while the bot runs (the poller warns and backs off), and a
    library error that quotes the token is logged with its traceback: no line holds it."""
    caplog.set_level(logging.WARNING)
    sandbox = SandboxServer()
    await sandbox.start()
    token = sandbox.create_bot(username="chithi_bot", token=TOKEN)
    app = build_application(
        make_settings(sqlite_url),
        token=token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
    )
    async with running(app):
        await sandbox.stop()  # the port is closed now
        await asyncio.sleep(1.5)
        try:  # as PTB's own InvalidToken does ("The token `...` was rejected")
            raise RuntimeError(f"request to {sandbox.base_url}{token}/getUpdates failed")
        except RuntimeError:
            logging.getLogger("some.library").exception("while calling %s", f"bot{token}")
    warnings = [r for r in caplog.records if r.name == "bot.intake.polling"]
    assert warnings, "the poller said nothing about the Bot API being gone"
    assert SECRET not in caplog.text
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    assert "<token>" in caplog.text


async def test_an_error_line_names_the_update_by_ids_not_by_contents(
    sandbox: SandboxServer, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with bot_on_sandbox(sandbox, make_settings(sqlite_url)) as h:
        protect()  # this test's capture handlers are new since the bot was built
        user = h.user("Nguyễn Bí Mật", username="bimat")
        sandbox.fail_next("sendMessage", status=400, description="Bad Request: boom")
        sent = sandbox.send_text(h.token, user.id, "/help số điện thoại 0912345678")
        await h.settle(
            lambda: any("error while handling" in r.getMessage() for r in caplog.records)
        )
    line = next(r for r in caplog.records if "error while handling" in r.getMessage())
    text = caplog.text
    for private in ("Nguyễn", "Bí Mật", "bimat", "0912345678", "điện thoại"):
        assert private not in text
    assert f"user {user.id}" in line.getMessage()
    assert f"chat {user.id}" in line.getMessage()
    assert f"message {sent['message_id']}" in line.getMessage()
    assert "BadRequest" in text  # the traceback is still there


def test_describe_update_reads_raw_and_ptb_updates_alike() -> None:
    raw = {
        "update_id": 41,
        "callback_query": {
            "id": "q7",
            "from": {"id": 9, "is_bot": False, "first_name": "Lan"},
            "message": {"message_id": 3, "date": 0, "chat": {"id": -100, "type": "group"}},
            "data": "c:1:r",
        },
    }
    assert (
        describe_update(raw) == "update 41 (callback_query, chat -100, user 9, message 3, query q7)"
    )
    assert describe_update(None) == "no update"


def test_a_person_is_logged_by_id_not_by_name() -> None:
    """The press lane logs a failed press with its person: the id, never the name."""
    person = TelegramPerson(
        telegram_id=42, full_name="Nguyễn Bí Mật", username="bimat", language_code="vi"
    )
    assert "42" in repr(person)
    assert "Bí Mật" not in repr(person) and "bimat" not in repr(person)
