"""Publishing a directive and reading what the bot posted and answered, as the tests do it."""

from __future__ import annotations

from typing import Any

from bot.services.drafts import read_directive_file
from bot.services.publish import publish
from storage import queries
from tests.kit.harness import JSON, Harness, buttons_of
from tests.kit.paths import SAMPLE
from tests.kit.scene import Scene

NUMBER = "1208-CV/BTGTU"


async def publish_sample(h: Harness, scene: Scene, number: str = NUMBER) -> int:
    [draft] = [d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == number]
    async with h.db() as s:
        admin = await queries.member_by_telegram_id(s, scene.id("admin"))
        result = await publish(
            s,
            draft,
            publisher=admin,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
        )
        directive_id = result.directive.id
    await h.outbox_idle()
    return directive_id


def post_in(h: Harness, chat_id: int) -> JSON:
    [post] = [m for m in h.bot_messages(chat_id) if m.get("reply_markup")]
    return post


[SAMPLE_1208] = [d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == NUMBER]
ISSUER = SAMPLE_1208.issuer


LINK = "Trang Tự hào Bình Phước | http://www.facebook.com/trangtuhaobinhphuoc/"


async def say(h: Harness, user: Any, text: str, replies: int = 1) -> JSON:
    """Send ``text`` privately; the bot's last new message."""
    return (await h.send(user, text, replies=replies))[-1]


def last_keyboard(h: Harness, user: Any) -> JSON:
    return next(m for m in reversed(h.bot_messages(user.id)) if m.get("reply_markup"))


async def tap(h: Harness, user: Any, label: str, replies: int = 1) -> JSON:
    """Press the button whose text starts with ``label`` on the latest keyboard; wait for
    ``replies`` new messages and return the last."""
    message = last_keyboard(h, user)
    [button] = [b for b in buttons_of(message) if b["text"].startswith(label)]
    before = len(h.bot_messages(user.id))
    await h.press(user, user.id, message["message_id"], button["callback_data"])
    await h.settle(lambda: len(h.bot_messages(user.id)) >= before + replies)
    return h.bot_messages(user.id)[-1]


async def answer_up_to_targets(h: Harness, user: Any, number: str = NUMBER) -> JSON:
    """/publish and the steps before the target units; returns the targets question."""
    reply = await say(h, user, "/publish")
    assert "Số hiệu" in reply["text"]
    assert "Trích yếu" in (await say(h, user, number))["text"]
    await say(h, user, SAMPLE_1208.title)
    await say(h, user, ISSUER)
    await say(h, user, "15/02/2019")
    await say(h, user, SAMPLE_1208.body)
    reply = await say(h, user, LINK)
    assert "Gửi đến" in reply["text"]
    return reply
