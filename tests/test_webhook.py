"""Webhook mode end to end through the sandbox, which delivers updates by webhook like Telegram
(secret header, up to max_connections at once, one at a time per chat, retries on non-2xx):
a press, a command and the /publish dialogue; wrong and missing secrets; /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.intake.press_lane import lane_of
from bot.intake.route import Router
from bot.intake.webhook import SECRET_HEADER, WebhookServer
from sandbox import SandboxServer
from storage.models import Confirmation, Delivery, Directive
from storage.write_turns import WriteTurns
from tests.kit.harness import Harness, bot_on_sandbox, buttons_of, make_settings
from tests.kit.publishing import (
    ISSUER,
    LINK,
    NUMBER,
    SAMPLE_1208,
    post_in,
    publish_sample,
    say,
    tap,
)
from tests.kit.scene import build_scene

SECRET = "s3cret-Token_1"
RECORDED = "✅ Đã ghi nhận: đồng chí đã nhận văn bản 1208-CV/BTGTU. Cảm ơn!"
BUSY = "⏳ Hệ thống đang bận, lần bấm này CHƯA được ghi nhận. Xin bấm lại sau vài giây."
JSON = dict[str, Any]


def webhook_settings(db_url: str) -> Settings:
    return make_settings(
        db_url,
        bot={"mode": "webhook"},
        webhook={"listen": "127.0.0.1", "port": 0, "secret_token": SECRET, "max_connections": 8},
    )


@pytest.fixture
async def hooked(sandbox: SandboxServer, db_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with bot_on_sandbox(sandbox, webhook_settings(db_url), clock=clock, webhook=True) as h:
        yield h


def server_of(h: Harness) -> WebhookServer:
    server = h.rt.webhook
    assert isinstance(server, WebhookServer)
    return server


async def count(h: Harness, model: Any) -> int:
    async with h.db() as s:
        return int(await s.scalar(select(func.count(model.id))) or 0)


async def test_press_command_and_publish_dialogue_by_webhook(hooked: Harness) -> None:
    h = hooked
    scene = await build_scene(h)
    admin = scene.users["admin"]
    hook = h.sandbox.bot(h.token).webhook
    assert hook is not None and hook.secret_token == SECRET and hook.max_connections == 8
    assert hook.url == f"http://127.0.0.1:{server_of(h).port}/telegram"
    # The dialogue, step by step (each answer is a message; the choices are buttons).
    await say(h, admin, "/publish")
    await say(h, admin, NUMBER)
    await say(h, admin, SAMPLE_1208.title)
    await say(h, admin, ISSUER)
    await say(h, admin, "15/02/2019")
    await say(h, admin, SAMPLE_1208.body)
    await say(h, admin, LINK)
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Có")
    await say(h, admin, "20/02/2027 17:00")
    await say(h, admin, "01/03/2027 17:00")
    note = await tap(h, admin, "Bỏ qua", replies=3)
    answer = await h.press(
        admin, admin.id, note["message_id"], buttons_of(note)[0]["callback_data"]
    )
    assert answer["text"] == "Đã ban hành."
    assert await count(h, Directive) == 1
    await h.outbox_idle()
    # A press on the group's post: recorded by the press lane, answered with the toast.
    group = scene.groups["BP-DX-01"].id
    post = post_in(h, group)
    data = buttons_of(post)[0]["callback_data"]
    toast = await h.press(scene.users["m1"], group, post["message_id"], data)
    assert toast["text"] == RECORDED
    assert await count(h, Confirmation) == 1
    # The toast came in the webhook's answer (Telegram executes the call it carries).
    answer = [c for c in h.sandbox.calls if c.method == "answerCallbackQuery"][-1]
    assert answer.via == "webhook" and answer.ok and answer.params["text"] == RECORDED
    # A command.
    reply = await say(h, scene.users["sec_dx"], f"/pending {NUMBER}")
    assert "Chi bộ trạm y tế 1 (BP-DX-01): nhận 1/4 · học 0/4" in reply["text"]
    await h.settle(lambda: not h.sandbox.pending_updates(h.token))
    assert not [c for c in h.sandbox.calls if c.method == "getUpdates"]
    assert hook.failed == 0 and not h.sandbox.pending_updates(h.token)


async def test_a_wrong_or_missing_secret_gets_403_and_changes_nothing(hooked: Harness) -> None:
    h = hooked
    scene = await build_scene(h)
    await say(h, scene.users["admin"], "/help")  # something delivered: last_update is set
    server = server_of(h)
    url = f"http://127.0.0.1:{server.port}"
    press = {
        "update_id": 10**6,
        "callback_query": {
            "id": "forged-1",
            "from": {"id": scene.id("m1"), "is_bot": False, "first_name": "M"},
            "chat_instance": "1",
            "data": "c:1:r",
            "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "supergroup"}},
        },
    }
    messages = len(h.sandbox.calls)
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            async with http.post(f"{url}/telegram", json=press, headers=headers) as resp:
                assert resp.status == 403
        async with http.get(f"{url}/healthz") as resp:
            assert resp.status == 200
            health: JSON = await resp.json()
    assert server.refused == 3
    assert len(h.sandbox.calls) == messages  # nothing answered, nothing sent
    assert "forged-1" not in h.sandbox.callback_answers
    assert await count(h, Confirmation) == 0 and await count(h, Delivery) == 0
    assert health["ok"] is True and health["database"] is True and health["sender"] is True
    assert isinstance(health["last_update_seconds"], float) and health["updates"] >= 1
    lag = health["loop_lag"]  # the event loop's lateness, measured all along (bot.lag)
    assert lag["samples"] > 0 and 0 <= lag["p50_ms"] <= lag["p99_ms"] <= lag["max_ms"]


async def test_a_press_is_answered_in_the_webhooks_answer_once_recorded(
    hooked: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The toast rides in the webhook's answer, written only after the press's batch
    committed: until then the update stays with Telegram (a process dying now loses
    nothing). Presses beyond the lane's capacity are told "busy" at once, the same way."""
    h = hooked
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    group = scene.groups["BP-DX-01"].id
    post = post_in(h, group)["message_id"]
    data = f"c:{directive_id}:r"
    lane = lane_of(h.rt)
    lane.capacity = 1
    lane.batcher.turns = held = WriteTurns()  # the batcher's turn to write, held below
    pressers = [scene.id(key) for key in ("m1", "m2", "m3")]
    answers = h.sandbox.callback_answers
    async with held.turn():  # the database is slow: the accepted press waits
        first = h.sandbox.press_button(h.token, pressers[0], group, post, data)
        await h.sandbox.wait_for(lambda: lane.accepted == 1)
        others = [h.sandbox.press_button(h.token, uid, group, post, data) for uid in pressers[1:]]
        await h.sandbox.wait_for(lambda: all(q in answers for q in others))
        assert [answers[q]["text"] for q in others] == [BUSY, BUSY]
        assert first not in answers and await count(h, Confirmation) == 0
        # not answered yet: the update is still Telegram's
        assert [u["callback_query"]["id"] for u in h.sandbox.pending_updates(h.token)] == [first]
    await h.sandbox.wait_for(lambda: first in answers)
    assert answers[first]["text"] == RECORDED and await count(h, Confirmation) == 1
    # A press the lane cannot take at once waits in the webhook's own task, same answer.
    monkeypatch.setattr(Router, "route_press_nowait", lambda *_a, **_k: None)
    again = h.sandbox.press_button(h.token, pressers[1], group, post, data)
    await h.sandbox.wait_for(lambda: again in answers)
    assert answers[again]["text"] == RECORDED and await count(h, Confirmation) == 2
    calls = [c for c in h.sandbox.calls if c.method == "answerCallbackQuery"]
    assert len(calls) == 4 and all(c.via == "webhook" and c.ok for c in calls)


def test_webhook_config_is_read_and_checked(tmp_path: Any) -> None:
    from bot.config import ConfigError, load_settings

    path = tmp_path / "c.toml"
    path.write_text(
        '[bot]\nmode = "webhook"\n[webhook]\npublic_url = "https://bot.example.org/"\n'
        'secret_token = "abc_DEF-1"\nport = 8443\nmax_connections = 100\n',
        encoding="utf-8",
    )
    settings = load_settings(path, environ={})
    assert settings.webhook.url == "https://bot.example.org/telegram"
    assert (settings.webhook.port, settings.webhook.max_connections) == (8443, 100)
    path.write_text('[webhook]\nsecret_token = "no spaces allowed"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert "[webhook] secret_token" in str(caught.value)
    assert "no spaces" not in str(caught.value)  # a secret is never echoed
    path.write_text("[webhook]\nmax_connections = 101\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[webhook\] max_connections"):
        load_settings(path, environ={})
