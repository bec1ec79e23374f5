"""A small HTTP control API under ``/_sandbox/`` for driving a standalone sandbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.actors import SandboxActors

JSON = dict[str, Any]
Action = Callable[[JSON, web.Request], Any]


def add_control_routes(app: web.Application, sandbox: SandboxActors) -> None:
    """Register the control endpoints (JSON in, JSON out; errors answer 400)."""

    async def body(request: web.Request) -> JSON:
        if not request.can_read_body:
            return {}
        data = await request.json()
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return data

    def wrap(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            try:
                result = action(await body(request), request)
            except (ValueError, TypeError, KeyError) as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=400)
            return web.json_response({"ok": True, "result": result})

        return handler

    def create_user(data: JSON, _: web.Request) -> JSON:
        return dataclasses.asdict(sandbox.create_user(**data))

    def create_chat(data: JSON, _: web.Request) -> JSON:
        chat = sandbox.create_chat(**data)
        return chat.to_api()

    def create_bot(data: JSON, _: web.Request) -> JSON:
        return {"token": sandbox.create_bot(**data)}

    def add_member(data: JSON, _: web.Request) -> bool:
        sandbox.add_chat_member(**data)
        return True

    def add_bot(data: JSON, _: web.Request) -> bool:
        sandbox.add_bot_to_chat(**data)
        return True

    def send_text(data: JSON, _: web.Request) -> JSON:
        return sandbox.send_text(**data)

    def edit_text(data: JSON, _: web.Request) -> JSON:
        return sandbox.edit_text(**data)

    def press_button(data: JSON, _: web.Request) -> str:
        return sandbox.press_button(**data)

    def calls(_: JSON, request: web.Request) -> list[JSON]:
        chat_id = request.query.get("chat_id")
        found = sandbox.calls_for(int(chat_id)) if chat_id else sandbox.calls
        return [{**dataclasses.asdict(c), "result": None} for c in found]

    def messages(_: JSON, request: web.Request) -> list[JSON]:
        return sandbox.messages(int(request.query["chat_id"]))

    def stats(_: JSON, __: web.Request) -> JSON:
        return sandbox.stats.to_dict()

    posts: dict[str, Action] = {
        "users": create_user,
        "chats": create_chat,
        "bots": create_bot,
        "chat_members": add_member,
        "bot_members": add_bot,
        "send_text": send_text,
        "edit_text": edit_text,
        "press_button": press_button,
    }
    gets: dict[str, Action] = {"calls": calls, "messages": messages, "stats": stats}
    for path, action in posts.items():
        app.router.add_post(f"/_sandbox/{path}", wrap(action))
    for path, action in gets.items():
        app.router.add_get(f"/_sandbox/{path}", wrap(action))
