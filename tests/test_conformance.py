"""The Bot API 10.1 specification as a judge: the checker itself, and the hook (tests/conftest.py
``botapi_log``) that applies it to every request and answer of every test."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import SandboxServer
from tests.kit.botapi_spec import SPEC_PATH, CallLog, load_spec
from tests.kit.harness import Harness
from tests.kit.plain_bot import ptb_bot, started_user

JSON = dict[str, Any]
USER = {"id": 100000001, "is_bot": False, "first_name": "Lan"}
GROUP = {"id": -4100000001, "type": "group", "title": "Chi bộ"}
CHANNEL = {"id": -1002100000001, "type": "channel", "title": "Bản tin"}
SUPERGROUP = {"id": -1002100000002, "type": "supergroup", "title": "Đảng bộ"}


def admin_rights(**extra: bool) -> JSON:
    rights = [
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ]
    return {"status": "administrator", "user": USER, **dict.fromkeys(rights, False), **extra}


# -- the specification and the checker -------------------------------------------------------


def test_the_copy_is_the_published_specification_with_its_licence() -> None:
    spec = load_spec()
    assert spec.version == "Bot API 10.1"
    assert len(spec.methods) == 180 and len(spec.types) == 359
    readme = (SPEC_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert "MIT" in readme and "Paul Larsen" in readme and "telegram-bot-api-spec" in readme


def test_a_request_conforms_or_says_exactly_what_is_wrong() -> None:
    spec = load_spec()
    good = {
        "chat_id": -1002100000002,
        "text": "<b>Số 12</b> &amp; 👍",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Đã nhận", "callback_data": "c:1"}]]},
    }
    assert spec.check_request("sendMessage", good) == []
    assert spec.check_request("sendMessage", {**good, "colour": "red"}) == [
        "sendMessage: unknown parameter colour"
    ]
    assert spec.check_request("sendMessage", {"chat_id": 1}) == [
        "sendMessage: required parameter text missing"
    ]
    assert spec.check_request("sendMessage", {**good, "disable_notification": "yes"}) == [
        "sendMessage.disable_notification: expected Boolean, got 'yes'"
    ]
    assert spec.check_request("sendMesage", good) == ["sendMesage: no such method in Bot API 10.1"]
    bad_button = {"inline_keyboard": [[{"text": "x", "callback_data": "đ" * 33}]]}
    assert spec.check_request("sendMessage", {**good, "reply_markup": bad_button}) == [
        "sendMessage.reply_markup.inline_keyboard[0][0].callback_data: "
        "66 bytes outside the documented 1-64"
    ]


def test_lengths_are_utf16_units_after_entity_parsing() -> None:
    spec = load_spec()
    # 2048 emoji are 4096 UTF-16 units; the tags and the entity do not count.
    at_limit = "<b>" + "😀" * 2048 + "</b>"
    assert (
        spec.check_request("sendMessage", {"chat_id": 1, "text": at_limit, "parse_mode": "HTML"})
        == []
    )
    over = "😀" * 2048 + "&amp;"
    assert spec.check_request(
        "sendMessage", {"chat_id": 1, "text": over, "parse_mode": "HTML"}
    ) == ["sendMessage.text: 4097 characters outside the documented 1-4096"]
    caption = {"chat_id": 1, "photo": "AgAC", "caption": "😀" * 512 + "x"}
    assert spec.check_request("sendPhoto", caption) == [
        "sendPhoto.caption: 1025 characters outside the documented 0-1024"
    ]
    answer = {"callback_query_id": "1", "text": "😀" * 101}
    assert spec.check_request("answerCallbackQuery", answer) == [
        "answerCallbackQuery.text: 202 characters outside the documented 0-200"
    ]


def test_an_answer_conforms_or_says_exactly_what_is_wrong() -> None:
    spec = load_spec()
    message = {"message_id": 1, "date": 1, "chat": GROUP, "from": USER, "text": "x"}
    assert spec.check_result("sendMessage", message) == []
    assert spec.check_result("sendMessage", {**message, "colour": "red"}) == [
        "sendMessage().colour: not a field of Message"
    ]
    bold = {"type": "bolder", "offset": 0, "length": 1}
    assert spec.check_result("sendMessage", {**message, "entities": [bold]}) == [
        "sendMessage().entities[0].type: 'bolder' is none of blockquote, bold, bot_command, "
        "cashtag, code, custom_emoji, date_time, email, expandable_blockquote, hashtag, italic, "
        "mention, phone_number, pre, spoiler, strikethrough, text_link, text_mention, underline, "
        "url"
    ]
    assert spec.check_result("sendMessage", {**message, "date": "today"}) == [
        "sendMessage().date: expected Integer, got 'today'"
    ]
    no_chat = {k: v for k, v in message.items() if k != "chat"}
    assert spec.check_result("sendMessage", no_chat) == [
        "sendMessage(): Message lacks required field chat"
    ]
    assert spec.check_result("getMe", {**USER, "can_join_groups": True}) == []
    assert spec.check_result(
        "sendMessage", {**message, "from": {**USER, "can_join_groups": True}}
    ) == ["sendMessage().from.can_join_groups: returned only in getMe"]


def test_fields_documented_for_some_chat_types_only() -> None:
    spec = load_spec()
    full = {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(
            ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
             "gifts_from_channels"],
            False,
        ),
    }  # fmt: skip
    permissions = {"permissions": {"can_send_messages": True}}
    assert spec.check_result("getChat", {**GROUP, **full, **permissions}) == []
    assert spec.check_result("getChat", {**CHANNEL, **full, **permissions}) == [
        "getChat().permissions: only in group/supergroup chats, this is a channel"
    ]
    topics = admin_rights(can_manage_topics=True)
    assert spec.check_result("getChatMember", topics, chat_type="supergroup") == []
    assert spec.check_result("getChatMember", topics, chat_type="group") == [
        "getChatMember().can_manage_topics: only in supergroup chats, this is a group"
    ]
    # In an update the chat travels with the member.
    update = {
        "update_id": 1,
        "my_chat_member": {
            "chat": CHANNEL,
            "from": USER,
            "date": 1,
            "old_chat_member": {"status": "left", "user": USER},
            "new_chat_member": admin_rights(can_post_messages=True, can_pin_messages=True),
        },
    }
    assert spec.check_result("getUpdates", [update]) == [
        "getUpdates()[0].my_chat_member.new_chat_member.can_pin_messages: "
        "only in group/supergroup chats, this is a channel"
    ]
    # The kind of member is chosen by its status: "left" has no rights.
    wrong_kind = {"status": "left", "user": USER, "can_manage_chat": True}
    assert spec.check_result("getChatMember", wrong_kind, chat_type="group") == [
        "getChatMember().can_manage_chat: not a field of ChatMemberLeft"
    ]


# -- the hook on every test --------------------------------------------------------------------


async def test_a_wrong_request_field_fails_the_test(
    sandbox: SandboxServer, botapi_log: CallLog
) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        await bot.send_message(user.id, "chào", api_kwargs={"colour": "red"})
    assert botapi_log.problems() == ["request sendMessage: unknown parameter colour"]
    botapi_log.seen.clear()  # seen and reported: this test expects the violation


async def test_a_wrong_answer_field_fails_the_test(
    sandbox: SandboxServer, botapi_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sandbox import api_chats
    from sandbox.objects import chat_full_info

    def with_colour(*args: Any) -> JSON:
        return {**chat_full_info(*args), "colour": "red"}

    monkeypatch.setattr(api_chats, "chat_full_info", with_colour)
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        await bot.get_chat(user.id)
    assert botapi_log.problems() == ["answer getChat().colour: not a field of ChatFullInfo"]
    botapi_log.seen.clear()


async def test_the_hook_sees_every_call_of_a_conversation_with_the_bot(
    harness: Harness, botapi_log: CallLog
) -> None:
    h = harness
    lan = h.user("Lan")
    await h.send(lan, "/start")
    methods = {call.method for _server, call in botapi_log.seen}
    assert {"getMe", "setMyCommands", "getUpdates", "sendMessage"} <= methods
    assert botapi_log.requests  # the bot's own requests are checked, not only the answers
    assert botapi_log.problems() == []
