"""PTB's transport on aiohttp (bot/http.py): what reaches the server, and what a failure
becomes for PTB (TimedOut, NetworkError, TelegramError), as with PTB's own httpx transport."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.delivery.http import AiohttpRequest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _server(handler: Any) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_parameters_go_as_one_json_body_and_uploads_as_multipart() -> None:
    seen: list[tuple[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            seen.append(("json", await request.json()))
        else:
            form = await request.post()
            upload = form["document"]
            assert isinstance(upload, web.FileField)
            seen.append(("form", {"chat_id": form["chat_id"], "file": upload.file.read()}))
        return web.json_response({"ok": True, "result": True})

    async for url in _server(handler):
        request = AiohttpRequest()
        await request.initialize()
        try:
            keyboard = InlineKeyboardMarkup(
                [[InlineKeyboardButton("✅ Đã nhận", callback_data="c:1:r")]]
            )
            result = await request.post(
                f"{url}/sendMessage", _data(chat_id=7, text="Chào", reply_markup=keyboard)
            )
            assert result is True
            document = InputFile(b"%PDF-1.4 test", filename="vb.pdf", attach=False)
            await request.post(f"{url}/sendDocument", _data(chat_id=7, document=document))
        finally:
            await request.shutdown()
    assert seen[0] == (
        "json",
        {
            "chat_id": 7,
            "text": "Chào",
            "reply_markup": {
                "inline_keyboard": [[{"text": "✅ Đã nhận", "callback_data": "c:1:r"}]]
            },
        },
    )
    assert seen[1] == ("form", {"chat_id": "7", "file": b"%PDF-1.4 test"})


async def test_a_server_that_does_not_answer_in_time_is_a_timeout() -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    async for url in _server(handler):
        request = AiohttpRequest(read_timeout=0.2)
        await request.initialize()
        try:
            with pytest.raises(TimedOut):
                await request.post(f"{url}/getMe")
        finally:
            await request.shutdown()


async def test_no_server_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{_free_port()}/getMe")
        assert not isinstance(caught.value, TimedOut)
        assert "aiohttp." in str(caught.value)
    finally:
        await request.shutdown()


async def test_requests_before_initialize_are_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/getMe", "POST")


def test_answers_are_parsed_and_garbage_is_a_telegram_error() -> None:
    assert AiohttpRequest.parse_json_payload(b'{"ok": true, "result": 1}') == {
        "ok": True,
        "result": 1,
    }
    latin = json.dumps({"ok": True, "result": "x"}).encode().replace(b"x", b"\xff")
    assert AiohttpRequest.parse_json_payload(latin) == {"ok": True, "result": "\ufffd"}
    for garbage in (b"<html>502</html>", b"[1, 2]", b""):
        with pytest.raises(TelegramError, match="Invalid server response"):
            AiohttpRequest.parse_json_payload(garbage)
