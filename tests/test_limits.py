"""Telegram's limits in Telegram's units (UTF-16 code units after entity parsing), a sandbox as
strict as Telegram, and a bot that refuses exactly where Telegram would."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.delivery.telegram_port import qr_png
from sandbox import SandboxServer
from tests.kit.broadcasting import button, compose, final_progress, next_messages, press_and_wait
from tests.kit.harness import Harness
from tests.kit.plain_bot import ptb_bot, started_user
from tests.kit.scene import build_scene

JSON = dict[str, Any]
EMOJI = "😀"  # outside the Basic Multilingual Plane: two UTF-16 code units


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def emoji_text(total: int, head: str = "📣 Họp chi bộ ") -> str:
    """A text of exactly ``total`` UTF-16 units, nearly all emoji."""
    room = total - units(head)
    return head + EMOJI * (room // 2) + "." * (room % 2)


def last_result(sandbox: SandboxServer, method: str) -> Any:
    [call] = [c for c in sandbox.calls if c.method == method][-1:]
    return call.result


# -- the sandbox: as strict as Telegram -------------------------------------------------------


@pytest.mark.botapi_raw  # over-limit requests on purpose
async def test_the_sandbox_refuses_4097_units_and_accepts_4096(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    at_limit = EMOJI * 2048  # 2,048 characters, 4,096 units
    assert units(at_limit) == 4096
    async with ptb_bot(sandbox, token) as bot:
        sent = await bot.send_message(user.id, at_limit)
        assert sent.text == at_limit
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await bot.send_message(user.id, at_limit + "a")
        # Counted after entity parsing: tags and &amp; are not characters of the message.
        await bot.send_message(user.id, f"<b>{EMOJI * 2047}</b>&amp;.", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await bot.send_message(user.id, f"<b>{EMOJI * 2048}</b>&amp;", parse_mode="HTML")
        # Editing says it Telegram's other way.
        with pytest.raises(BadRequest, match=r"^Message_too_long$"):
            await bot.edit_message_text(at_limit + "a", chat_id=user.id, message_id=sent.message_id)
        await bot.edit_message_text("x" + EMOJI * 2047 + "y", user.id, sent.message_id)
    assert [units(m["text"]) for m in sandbox.messages(user.id)] == [4096, 4096]


@pytest.mark.botapi_raw
async def test_captions_1024_units_callback_answers_200(sandbox: SandboxServer) -> None:
    png = qr_png("https://x.vn/a")
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        photo = await bot.send_photo(user.id, png, caption=EMOJI * 512)
        assert photo.caption == EMOJI * 512
        with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
            await bot.send_photo(user.id, png, caption=EMOJI * 512 + "a")
        with pytest.raises(BadRequest, match=r"^Media_caption_too_long$"):
            await bot.edit_message_caption(user.id, photo.message_id, caption=EMOJI * 513)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đã nhận", callback_data="ok")]])
        sent = await bot.send_message(user.id, "Số 12", reply_markup=keyboard)
    first = sandbox.press_button(token, user.id, user.id, sent.message_id, "ok")
    second = sandbox.press_button(token, user.id, user.id, sent.message_id, "ok")
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(BadRequest, match=r"^Message_too_long$"):
            await bot.answer_callback_query(first, EMOJI * 100 + "a")
        assert await bot.answer_callback_query(second, EMOJI * 100)
    assert sandbox.callback_answers[second]["text"] == EMOJI * 100


async def test_entities_telegram_detects_in_a_bot_text_in_utf16_units(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    text = (
        "👍 Xem https://chithi.vn/huong-dan, gõ /start@chithi_bot hoặc hỏi @ban_tuyen_giao "
        "#chỉ_thị12 và t.me/chithi_bot"
    )
    async with ptb_bot(sandbox, token) as bot:
        await bot.send_message(user.id, text)
    sent = last_result(sandbox, "sendMessage")
    assert sent["text"] == text
    # Offsets counted by hand: 👍 is two units, ỏ/ặ/ị/ỉ/õ one each (precomposed).
    assert sent["entities"] == [
        {"type": "url", "offset": 7, "length": 27},
        {"type": "bot_command", "offset": 39, "length": 17},
        {"type": "mention", "offset": 66, "length": 15},
        {"type": "hashtag", "offset": 82, "length": 10},
        {"type": "url", "offset": 96, "length": 15},
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("mở tg://resolve?domain=chithi_bot.", [("url", "tg://resolve?domain=chithi_bot")]),
        ("xem https://x.vn/a?b=(1)), rồi", [("url", "https://x.vn/a?b=(1)")]),
        ("v.v. TP.HCM Q.1 chithi.vn/abc", [("url", "chithi.vn/abc")]),
        ("thư lan.nguyen+a@chithi.vn!", [("email", "lan.nguyen+a@chithi.vn")]),
        ("gọi +84 (28) 3829-1234 ngay", [("phone_number", "+84 (28) 3829-1234")]),
        ("#2024 #năm_2024 #x#y", [("hashtag", "#năm_2024")]),
        ("@ab @gif @abcd @abcde", [("mention", "@gif"), ("mention", "@abcde")]),
        ("/start/x /a@bc /a@bcd", [("bot_command", "/a@bcd")]),
    ],
)
def test_detection_follows_tdlibs_rules(text: str, found: list[tuple[str, str]]) -> None:
    from sandbox.entities import detect_entities

    def covered(entity: JSON) -> str:
        raw = text.encode("utf-16-le")[
            2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])
        ]
        return raw.decode("utf-16-le")

    assert [(e["type"], covered(e)) for e in detect_entities(text)] == found


async def test_detected_entities_keep_out_of_code_and_links_not_formatting(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    html = (
        '<code>/start</code> <a href="https://x.vn">@someone_here</a> <b>#tin_moi</b> '
        "$USD a@b.com +84 912 345 678"
    )
    async with ptb_bot(sandbox, token) as bot:
        await bot.send_message(user.id, html, parse_mode="HTML")
    sent = last_result(sandbox, "sendMessage")
    assert sent["text"] == "/start @someone_here #tin_moi $USD a@b.com +84 912 345 678"
    assert sent["entities"] == [
        {"type": "code", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 7, "length": 13, "url": "https://x.vn"},
        {"type": "bold", "offset": 21, "length": 8},
        {"type": "hashtag", "offset": 21, "length": 8},
        {"type": "cashtag", "offset": 30, "length": 4},
        {"type": "email", "offset": 35, "length": 7},
        {"type": "phone_number", "offset": 43, "length": 15},
    ]


async def test_documented_html_tags_are_accepted(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    html = (
        '<tg-time unix="1647531900" format="wDT">22:45 ngày mai</tg-time> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> '
        "<blockquote expandable>Trích dẫn dài</blockquote>"
    )
    async with ptb_bot(sandbox, token) as bot:
        await bot.send_message(user.id, html, parse_mode="HTML")
    sent = last_result(sandbox, "sendMessage")
    assert sent["text"] == "22:45 ngày mai 👍 Trích dẫn dài"
    assert sent["entities"] == [
        {
            "type": "date_time",
            "offset": 0,
            "length": 14,
            "unix_time": 1647531900,
            "date_time_format": "wDT",
        },
        {
            "type": "custom_emoji",
            "offset": 15,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
        {"type": "expandable_blockquote", "offset": 18, "length": 13},
    ]


async def test_objects_carry_the_fields_documented_for_their_chat_type(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    chats = {kind: sandbox.create_chat(type=kind, title=kind) for kind in ("group", "supergroup")}
    chats["channel"] = sandbox.create_chat(type="channel", title="channel")
    for chat in chats.values():
        sandbox.add_bot_to_chat(chat.id, token, status="administrator", announce=False)
    bot_id = int(token.split(":")[0])
    got: dict[str, tuple[JSON, JSON]] = {}
    async with ptb_bot(sandbox, token) as bot:
        for kind, chat in chats.items():
            await bot.get_chat(chat.id)
            full = last_result(sandbox, "getChat")
            await bot.get_chat_member(chat.id, bot_id)
            got[kind] = (full, last_result(sandbox, "getChatMember"))
    assert "permissions" not in got["channel"][0]
    assert "permissions" in got["group"][0] and "permissions" in got["supergroup"][0]
    rights = {kind: set(member) for kind, (_full, member) in got.items()}
    assert "can_manage_topics" in rights["supergroup"]
    assert "can_manage_topics" not in rights["group"] | rights["channel"]
    assert {"can_post_messages", "can_edit_messages"} <= rights["channel"]
    assert "can_pin_messages" not in rights["channel"]
    assert "can_pin_messages" in rights["group"] & rights["supergroup"]


# -- the bot: refuses exactly where Telegram would ---------------------------------------------


async def test_an_emoji_broadcast_at_4096_units_goes_out_and_4097_is_refused(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    over = emoji_text(4097)
    assert len(over) < 2100  # far under 4,096 characters as len() counts them
    await h.send(admin, "/broadcast")
    [refusal] = await h.send(admin, over)
    assert refusal["text"] == ("Thông báo dài 4.097 ký tự, tối đa 4.096. Hãy rút gọn rồi gửi lại.")
    await h.send(admin, "/cancel")

    at_limit = emoji_text(4096)
    confirm = await compose(h, admin, at_limit, targets="BP-BL")
    await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    final = await final_progress(h, admin, confirm["message_id"], "✅")
    assert final == "✅ Hoàn tất: đã gửi 1 · lỗi 0"
    [post] = [m for m in h.bot_messages(scene.groups["BP-BL-01"].id) if m.get("text") == at_limit]
    assert units(post["text"]) == 4096


async def test_an_emoji_caption_at_1024_units_goes_out_and_1025_is_refused(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    png = qr_png("https://x.vn/a")
    await h.send(admin, "/broadcast")
    before = len(h.bot_messages(admin.id))
    h.sandbox.send_photo(h.token, admin.id, png, caption=emoji_text(1025))
    [refusal] = await next_messages(h, admin.id, before, 1)
    assert refusal["text"] == (
        "Chú thích dài 1.025 ký tự; với ảnh hoặc tệp tối đa 1.024. Hãy rút gọn rồi gửi lại."
    )
    await h.send(admin, "/cancel")

    caption = emoji_text(1024)
    confirm = await compose(h, admin, caption, targets="BP-BL", photo=png)
    await press_and_wait(h, admin, confirm, button(confirm, "✅ Gửi"))
    assert await final_progress(h, admin, confirm["message_id"], "✅") == (
        "✅ Hoàn tất: đã gửi 1 · lỗi 0"
    )
    [post] = [m for m in h.bot_messages(scene.groups["BP-BL-01"].id) if m.get("photo")]
    assert post["caption"] == caption and units(caption) == 1024


async def test_the_error_toast_is_cut_to_200_units(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler fails under a button press: the toast saying so is cut in Telegram's units
    (a 300-unit text cut at 200 code points would be refused, and the user told nothing)."""
    from bot.i18n import Texts
    from bot.services import broadcast

    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    original = Texts.__call__

    def texts(self: Texts, lang: str | None, key: str, **args: Any) -> str:
        return EMOJI * 150 if key == "error-internal" else original(self, lang, key, **args)

    async def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Texts, "__call__", texts)
    monkeypatch.setattr(broadcast, "target_chats", failing)
    await h.send(admin, "/broadcast")
    [prompt] = await h.send(admin, "Họp chi bộ lúc 8 giờ")
    toast = await h.press(admin, admin.id, prompt["message_id"], button(prompt, "BP — "))
    assert toast["text"] == EMOJI * 99 + "…"  # 199 units and the ellipsis
