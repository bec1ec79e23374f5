"""The sandbox Bot API server, driven through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from sandbox import ApiError, FloodLimits, SandboxServer
from sandbox.html import parse_html
from sandbox.limits import FloodController, FloodStats, retry_after_value
from sandbox.markdown import parse_markdown_v2
from tests.kit.plain_bot import ptb_bot, started_user

MakeServer = Callable[..., Awaitable[SandboxServer]]
PNG_1000x500 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 1000, 500) + b"\x08\x02rest"
)
NO_LIMITS = FloodLimits(enabled=False)
# These tests send wrong requests on purpose; the sandbox's answers are still checked.
pytestmark = pytest.mark.botapi_raw


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    """One row of callback buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations (RetryAfter.retry_after) and skip its warnings."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def make_server() -> AsyncIterator[MakeServer]:
    """Start sandbox servers with given limits; all are stopped after the test."""
    servers: list[SandboxServer] = []

    async def make(limits: FloodLimits = NO_LIMITS, **kwargs: Any) -> SandboxServer:
        server = SandboxServer(limits=limits, **kwargs)
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()


@pytest.fixture
async def sandbox(make_server: MakeServer) -> SandboxServer:
    """A sandbox without flood limits."""
    return await make_server()


# -- updates: polling, application, webhook ------------------------------------------------


async def test_application_polling_handles_start_command_and_button_press(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    user = sandbox.create_user(first_name="Lan", language_code="vi")
    seen: list[tuple[Any, ...]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.append(("start", context.args))
        await update.message.reply_text(
            "Chào <b>Lan</b>", parse_mode="HTML", reply_markup=keyboard("c:12:r")
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        seen.append(("button", query.data, query.message.text))
        await query.answer("Đã ghi nhận")
        await query.edit_message_text("Đã xác nhận")

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0)
        sandbox.send_text(token, user.id, "/start abc")
        await sandbox.wait_for(lambda: len(sandbox.messages(user.id)) == 1)
        sent = sandbox.messages(user.id)[0]
        assert sent["text"] == "Chào Lan"
        query_id = sandbox.press_button(token, user.id, user.id, sent["message_id"], "c:12:r")
        await sandbox.wait_for(lambda: sandbox.messages(user.id)[0]["text"] == "Đã xác nhận")
        await app.updater.stop()
        await app.stop()
    assert seen == [("start", ["abc"]), ("button", "c:12:r", "Chào Lan")]
    assert sandbox.callback_answers[query_id] == {
        "text": "Đã ghi nhận",
        "show_alert": False,
        "url": None,
        "cache_time": 0,
    }
    edited = sandbox.messages(user.id)[0]
    assert edited["edited"] and "reply_markup" not in edited  # edit without markup drops it
    assert sandbox.pending_updates(token) == []  # PTB confirmed everything on shutdown


async def test_long_polling_returns_as_soon_as_an_update_is_queued(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    user = sandbox.create_user()
    async with ptb_bot(sandbox, token) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await sandbox.wait_for(lambda: sandbox.stats.requests["getUpdates"] == 1)
        assert not poll.done()
        sandbox.send_text(token, user.id, "xin chào")
        updates = await asyncio.wait_for(poll, timeout=10)  # guard only; 30 s if broken
    assert [u.message.text for u in updates if u.message] == ["xin chào"]


async def test_get_updates_offset_confirms_and_limit_caps(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = sandbox.create_user()
    for n in range(5):
        sandbox.send_text(token, user.id, f"m{n}")
    async with ptb_bot(sandbox, token) as bot:
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first if u.message] == ["m0", "m1"]
        assert first[1].update_id == first[0].update_id + 1
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest if u.message] == ["m2", "m3", "m4"]
        last = await bot.get_updates(offset=-1)
        assert [u.message.text for u in last if u.message] == ["m4"]
        assert len(sandbox.pending_updates(token)) == 1


async def test_allowed_updates_filters_new_updates(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = sandbox.create_user()
    async with ptb_bot(sandbox, token) as bot:
        await bot.get_updates(allowed_updates=["callback_query"])
        sandbox.send_text(token, user.id, "ignored")
        sent = await bot.send_message(user.id, "pick", reply_markup=keyboard("a"))
        sandbox.press_button(token, user.id, user.id, sent.message_id, "a")
        updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == ["a"]
    assert all(u.message is None for u in updates)


async def test_second_get_updates_terminates_the_first_with_conflict(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    async with ptb_bot(sandbox, token) as first, ptb_bot(sandbox, token) as second:
        older = asyncio.create_task(first.get_updates(timeout=20))
        await sandbox.wait_for(lambda: sandbox.stats.requests["getUpdates"] == 1)
        newer = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
            await asyncio.wait_for(older, timeout=10)
        assert await newer == ()


async def test_webhook_posts_updates_with_secret_and_blocks_get_updates(
    sandbox: SandboxServer,
) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    token = sandbox.create_bot()
    user = sandbox.create_user()
    try:
        async with ptb_bot(sandbox, token) as bot:
            assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t")
            sandbox.send_text(token, user.id, "/start via-hook")
            await sandbox.wait_for(lambda: len(received) == 1)
            update = Update.de_json(received[0][0], bot)
            assert update.message is not None and update.message.text == "/start via-hook"
            assert received[0][1] == "s3cr3t"
            info = await bot.get_webhook_info()
            assert info.url.endswith("/hook") and info.pending_update_count == 0
            with pytest.raises(Conflict, match=r"(?i)webhook is active"):
                await bot.get_updates()
            assert await bot.delete_webhook()
            sandbox.send_text(token, user.id, "polled again")
            assert [u.message.text for u in await bot.get_updates() if u.message] == [
                "polled again"
            ]
    finally:
        await runner.cleanup()


# -- flood limits -----------------------------------------------------------------------


async def test_per_chat_limit_raises_retry_after_and_consumes_no_quota(
    make_server: MakeServer,
) -> None:
    server = await make_server(FloodLimits(time_scale=2))  # 1 message per 0.5 s per chat
    token = server.create_bot()
    user = started_user(server, token)
    async with ptb_bot(server, token) as bot:
        await bot.send_message(user.id, "một")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "hai")
        wait = caught.value.retry_after
        assert isinstance(wait, dtm.timedelta) and 0 < wait.total_seconds() <= 0.5
        assert server.stats.flood_by_reason["per_chat"] == 1
        assert [m["text"] for m in server.messages(user.id)] == ["một"]
        await asyncio.sleep(wait.total_seconds())
        await bot.send_message(user.id, "hai")
    assert [m["text"] for m in server.messages(user.id)] == ["một", "hai"]
    assert [c.error_code for c in server.calls_for(user.id)] == [None, 429, None]


async def test_group_limit_allows_twenty_messages_per_minute(make_server: MakeServer) -> None:
    # time_scale=60: the minute window lasts 1 s; the per-chat limit is switched off.
    limits = FloodLimits(per_chat_per_second=0, per_group_per_minute=20, time_scale=60)
    server = await make_server(limits)
    token = server.create_bot()
    admin = started_user(server, token)
    group = server.create_chat(type="group", title="Chi bộ ấp 2")
    server.add_chat_member(group.id, admin.id, status="creator")
    server.add_bot_to_chat(group.id, token, by_user_id=admin.id)
    async with ptb_bot(server, token) as bot:
        for n in range(20):
            await bot.send_message(group.id, f"#{n}")
        with pytest.raises(RetryAfter):
            await bot.send_message(group.id, "#20")
        await bot.send_message(admin.id, "private chats are not group-limited")
    assert len(server.messages(group.id)) == 20
    assert server.stats.flood_by_reason == {"per_group": 1}


async def test_global_limit_counts_album_items_and_rejects_over_thirty_per_second(
    make_server: MakeServer,
) -> None:
    server = await make_server(FloodLimits(per_chat_per_second=0))
    token = server.create_bot()
    users = [started_user(server, token, f"u{n}") for n in range(28)]
    async with ptb_bot(server, token) as bot:
        album = [InputMediaPhoto(PNG_1000x500, filename=f"{n}.png") for n in range(3)]
        await bot.send_media_group(users[0].id, album)  # 3 of the 30
        for user in users[1:]:
            await bot.send_message(user.id, "tin")  # 27 more: 30 in total
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(users[0].id, "one too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)  # whole seconds at real speed
    assert server.stats.flood_by_reason == {"global": 1}
    assert len(server.all_sent_messages(token)) == 30


async def test_edits_count_against_per_chat_limit_only(make_server: MakeServer) -> None:
    server = await make_server(FloodLimits(global_per_second=1, time_scale=2))
    token = server.create_bot()
    user = started_user(server, token)
    async with ptb_bot(server, token) as bot:
        sent = await bot.send_message(user.id, "v1")
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("v2", chat_id=user.id, message_id=sent.message_id)
    assert server.stats.flood_by_reason == {"per_chat": 1}


# -- validation errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<b>unclosed", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_malformed_html_is_bad_request(
    sandbox: SandboxServer, html: str, detail: str
) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
            await bot.send_message(user.id, html, parse_mode="HTML")
    assert detail.lower() in caught.value.message.lower()
    assert sandbox.messages(user.id) == []


async def test_allowed_html_becomes_text_and_utf16_entities(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    html = (
        '👍 <b>Chỉ thị <i>số 12</i></b> &amp; <a href="https://example.org">xem</a> '
        "<tg-spoiler>bí mật</tg-spoiler> <blockquote>trích</blockquote> <code>x&lt;y</code>"
    )
    async with ptb_bot(sandbox, token) as bot:
        sent = await bot.send_message(user.id, html, parse_mode="HTML")
    assert sent.text == "👍 Chỉ thị số 12 & xem bí mật trích x<y"
    parsed = {e.type: sent.parse_entity(e) for e in sent.entities}
    assert parsed == {
        "bold": "Chỉ thị số 12",
        "italic": "số 12",
        "text_link": "xem",
        "spoiler": "bí mật",
        "blockquote": "trích",
        "code": "x<y",
    }
    assert sent.entities[0].offset == 3  # the emoji is two UTF-16 units


async def test_text_length_limits(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(user.id, "ấ" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(user.id, "<b> </b>", parse_mode="HTML")
        await bot.send_message(user.id, "<b>" + "ấ" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_photo(user.id, PNG_1000x500, caption="c" * 1025)


async def test_callback_data_longer_than_64_bytes_is_bad_request(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        await bot.send_message(user.id, "ok", reply_markup=keyboard("đ" * 32))  # 64 bytes
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(user.id, "too long", reply_markup=keyboard("đ" * 33))
        url_button = InlineKeyboardMarkup([[InlineKeyboardButton("web", url="https://x.org")]])
        await bot.send_message(user.id, "url", reply_markup=url_button)
    assert len(sandbox.messages(user.id)) == 2


async def test_edit_message_text_not_modified_and_missing_message(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        sent = await bot.send_message(
            user.id, "<b>v1</b>", parse_mode="HTML", reply_markup=keyboard("a")
        )
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "<b>v1</b>",
                chat_id=user.id,
                message_id=sent.message_id,
                parse_mode="HTML",
                reply_markup=keyboard("a"),
            )
        await bot.edit_message_text(
            "v1", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard("a")
        )
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_reply_markup(
                user.id, sent.message_id, reply_markup=keyboard("a")
            )
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=user.id, message_id=999)
        await bot.delete_message(user.id, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("v3", chat_id=user.id, message_id=sent.message_id)
    assert sandbox.messages(user.id) == []
    assert sandbox.all_sent_messages(token)[0]["deleted"] is True


async def test_markdown_v2_reserved_character_is_bad_request(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
            await bot.send_message(user.id, "*Số 12*. Xong", parse_mode="MarkdownV2")
        sent = await bot.send_message(user.id, "*Số 12*\\. Xong", parse_mode="MarkdownV2")
    assert sent.text == "Số 12. Xong" and sent.entities[0].type == "bold"


# -- chat state errors -----------------------------------------------------------------------


async def test_migrated_group_raises_chat_migrated_with_new_chat_id(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    admin = sandbox.create_user()
    group = sandbox.create_chat(type="group", title="Chi bộ")
    sandbox.add_chat_member(group.id, admin.id, status="creator")
    sandbox.add_bot_to_chat(group.id, token, by_user_id=admin.id, announce=False)
    new_id = sandbox.migrate_to_supergroup(group.id)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(ChatMigrated) as caught:
            await bot.send_message(group.id, "hello")
        assert caught.value.new_chat_id == new_id
        await bot.send_message(new_id, "hello supergroup")
        updates = await bot.get_updates()
    service = [u.message for u in updates if u.message]
    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in service] == [
        (group.id, new_id, None),
        (new_id, None, group.id),
    ]
    assert str(new_id).startswith("-100")


async def test_blocked_user_raises_forbidden_until_they_write_again(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    sandbox.block_bot(token, user.id)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(user.id, "still there?")
        sandbox.send_text(token, user.id, "/start")
        await bot.send_message(user.id, "welcome back")
        kinds = [
            u.my_chat_member.new_chat_member.status
            for u in await bot.get_updates()
            if u.my_chat_member
        ]
    assert kinds == ["kicked", "member"]


async def test_bot_cannot_initiate_private_conversation(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    stranger = sandbox.create_user()
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation"):
            await bot.send_message(stranger.id, "hi")


async def test_kicked_bot_and_deleted_chat_errors(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    group = sandbox.create_chat(type="supergroup", title="SG")
    other = sandbox.create_chat(type="group", title="G")
    sandbox.add_bot_to_chat(group.id, token)
    sandbox.add_bot_to_chat(other.id, token)
    sandbox.kick_bot(token, group.id)
    sandbox.delete_chat(other.id)
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the supergroup chat"):
            await bot.send_message(group.id, "x")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(other.id, "x")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(-123, "x")


# -- fault injection ------------------------------------------------------------------------


async def test_injected_500_raises_network_error_then_recovers(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    sandbox.fail_next(method="sendMessage", count=2, status=500)
    async with ptb_bot(sandbox, token) as bot:
        for _ in range(2):
            with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
                await bot.send_message(user.id, "x")
        await bot.send_message(user.id, "x")
    assert [c.error_code for c in sandbox.calls_for(user.id)] == [500, 500, None]
    assert len(sandbox.messages(user.id)) == 1


async def test_dropped_connection_raises_network_error(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    sandbox.fail_next(method="sendMessage", mode="drop")
    sandbox.fail_next(method="sendMessage", mode="drop_after")
    async with ptb_bot(sandbox, token) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "lost request")
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "lost answer")
        await bot.send_message(user.id, "lost answer")  # a naive retry duplicates it
    assert [m["text"] for m in sandbox.all_sent_messages(token)] == ["lost answer"] * 2


# -- files --------------------------------------------------------------------------------------


async def test_photo_and_document_upload_round_trip(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    pdf = b"%PDF-1.4 chi thi so 12"
    async with ptb_bot(sandbox, token) as bot:
        photo_msg = await bot.send_photo(
            user.id, PNG_1000x500, caption="<i>ảnh</i>", parse_mode="HTML"
        )
        largest = photo_msg.photo[-1]
        assert (largest.width, largest.height) == (1000, 500) and photo_msg.caption == "ảnh"
        photo_file = await bot.get_file(largest.file_id)
        assert bytes(await photo_file.download_as_bytearray()) == PNG_1000x500
        doc_msg = await bot.send_document(user.id, InputFile(pdf, filename="chi-thi-12.pdf"))
        doc = doc_msg.document
        assert doc is not None
        assert (doc.file_name, doc.mime_type, doc.file_size) == (
            "chi-thi-12.pdf",
            "application/pdf",
            len(pdf),
        )
        doc_file = await bot.get_file(doc.file_id)
        assert bytes(await doc_file.download_as_bytearray()) == pdf
        again = await bot.send_document(user.id, doc.file_id)
        assert again.document is not None and again.document.file_unique_id == doc.file_unique_id
        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.send_photo(user.id, "no-such-file-id")
    assert sandbox.calls_for(user.id)[1].params["document"] == "chi-thi-12.pdf"


async def test_user_sent_document_can_be_downloaded_by_the_bot(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = sandbox.create_user()
    sandbox.send_document(token, user.id, b"proof", file_name="proof.txt", caption="đã học")
    async with ptb_bot(sandbox, token) as bot:
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.document is not None
        file = await update.message.document.get_file()
        assert bytes(await file.download_as_bytearray()) == b"proof"


async def test_media_group_returns_one_message_per_item(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        photos = [InputMediaPhoto(PNG_1000x500, caption=f"p{n}") for n in range(3)]
        album = await bot.send_media_group(user.id, photos)
        assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
        assert [m.caption for m in album] == ["p0", "p1", "p2"]
        docs = [InputMediaDocument(b"d", filename="a.txt") for _ in range(11)]
        with pytest.raises(BadRequest, match=r"(?i)too many messages to send as an album"):
            await bot.send_media_group(user.id, docs)
        mixed: list[InputMediaPhoto | InputMediaDocument] = [
            photos[0],
            InputMediaDocument(b"d", filename="a.txt"),
        ]
        with pytest.raises(BadRequest, match=r"(?i)document can't be mixed"):
            await bot.send_media_group(user.id, mixed)
    assert len(sandbox.messages(user.id)) == 3


# -- callbacks, chats, commands ------------------------------------------------------------


async def test_button_press_carries_current_message_and_answers_only_once(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        await bot.get_updates()
        sent = await bot.send_message(user.id, "chọn", reply_markup=keyboard("a"))
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
        with pytest.raises(ValueError, match=r"(?i)no button"):
            sandbox.press_button(token, user.id, user.id, sent.message_id, "a")
        forged = sandbox.press_button(
            token, user.id, user.id, sent.message_id, "x" * 70, forged=True
        )
        query_id = sandbox.press_button(token, user.id, user.id, sent.message_id, "b")
        updates = await bot.get_updates(offset=-2)
        query = updates[-1].callback_query
        assert query is not None and query.id == query_id and isinstance(query.message, Message)
        assert query.message.reply_markup == keyboard("b")
        assert await bot.answer_callback_query(query_id, text="ok", show_alert=True)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("123")
        with pytest.raises(BadRequest):
            await bot.answer_callback_query(forged, text="t" * 201)
    assert sandbox.callback_answers[query_id]["show_alert"] is True


async def test_get_chat_and_members_parse_in_ptb(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    owner, admin, member = (sandbox.create_user(n) for n in ("Owner", "Admin", "Member"))
    group = sandbox.create_chat(type="supergroup", title="Chi bộ ấp 2")
    sandbox.add_chat_member(group.id, owner.id, status="creator")
    sandbox.add_chat_member(group.id, admin.id, status="administrator")
    sandbox.add_chat_member(group.id, member.id)
    sandbox.add_bot_to_chat(group.id, token, status="administrator")
    async with ptb_bot(sandbox, token) as bot:
        info = await bot.get_chat(group.id)
        assert (info.title, info.type, info.max_reaction_count) == ("Chi bộ ấp 2", "supergroup", 11)
        statuses = {
            u: (await bot.get_chat_member(group.id, u)).status
            for u in (owner.id, admin.id, member.id, bot.id, sandbox.create_user().id)
        }
        assert list(statuses.values()) == [
            "creator",
            "administrator",
            "member",
            "administrator",
            "left",
        ]
        admins = await bot.get_chat_administrators(group.id)
        assert admins[0].user.id == owner.id and len(admins) == 3
        sent = await bot.send_message(group.id, "ghim")
        assert await bot.pin_chat_message(group.id, sent.message_id)
        assert (await bot.get_chat(group.id)).pinned_message == sent
        assert sandbox.messages(group.id)[0]["pinned"] is True
        me = await bot.get_chat_member(group.id, bot.id)
        assert me.can_be_edited is False  # type: ignore[attr-defined]


async def test_channel_posts_have_sender_chat_and_no_from(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    channel = sandbox.create_chat(type="channel", title="Thông báo", username="thongbao")
    sandbox.add_bot_to_chat(channel.id, token, status="administrator")
    async with ptb_bot(sandbox, token) as bot:
        post = await bot.send_message("@thongbao", "tin mới")
    assert post.from_user is None and post.sender_chat is not None
    assert post.sender_chat.id == channel.id and post.chat.type == "channel"


async def test_group_privacy_delivers_commands_but_not_chatter(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot(username="chithi_bot")
    user = sandbox.create_user()
    group = sandbox.create_chat(type="group", title="G")
    sandbox.add_chat_member(group.id, user.id)
    sandbox.add_bot_to_chat(group.id, token, announce=False)
    sandbox.send_text(token, user.id, "just chatting", chat_id=group.id)
    sandbox.send_text(token, user.id, "/pending@other_bot", chat_id=group.id)
    sandbox.send_text(token, user.id, "👍 /pending@chithi_bot 12", chat_id=group.id)
    async with ptb_bot(sandbox, token) as bot:
        updates = [u for u in await bot.get_updates() if u.message]
    (message,) = [u.message for u in updates if u.message]
    assert message is not None and message.text == "👍 /pending@chithi_bot 12"
    (entity,) = message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 3, 19)
    assert message.parse_entity(entity) == "/pending@chithi_bot"


async def test_my_commands_round_trip_per_scope_and_language(sandbox: SandboxServer) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    token = sandbox.create_bot()
    async with ptb_bot(sandbox, token) as bot:
        assert await bot.set_my_commands([BotCommand("start", "Bắt đầu")], language_code="vi")
        groups = BotCommandScopeAllGroupChats()
        assert await bot.set_my_commands([BotCommand("pending", "Chờ")], scope=groups)
        assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start"]
        assert [c.command for c in await bot.get_my_commands(scope=groups)] == ["pending"]
        assert await bot.get_my_commands() == ()
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        assert await bot.delete_my_commands(language_code="vi")
        assert await bot.get_my_commands(language_code="vi") == ()


async def test_my_commands_for_one_chat_need_a_chat_the_bot_can_reach(
    sandbox: SandboxServer,
) -> None:
    from telegram import BotCommand, BotCommandScopeChat
    from telegram.error import Forbidden

    token = sandbox.create_bot()
    lan, hoa = sandbox.create_user(first_name="Lan"), sandbox.create_user(first_name="Hoa")
    sandbox.send_text(token, lan.id, "/start")
    async with ptb_bot(sandbox, token) as bot:
        mine = BotCommandScopeChat(lan.id)
        assert await bot.set_my_commands([BotCommand("mydata", "Dữ liệu")], scope=mine)
        assert [c.command for c in await bot.get_my_commands(scope=mine)] == ["mydata"]
        assert await bot.get_my_commands() == ()  # the default scope is another menu
        with pytest.raises(Forbidden):  # never started the bot
            await bot.set_my_commands([BotCommand("start", "x")], scope=BotCommandScopeChat(hoa.id))
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.set_my_commands([BotCommand("start", "x")], scope=BotCommandScopeChat(42))
        assert await bot.delete_my_commands(scope=mine)
        assert await bot.get_my_commands(scope=mine) == ()


# -- raw wire format, recording, helpers ----------------------------------------------------


async def test_raw_wire_format_json_and_form_bodies(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.base_url}123:nope/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{sandbox.base_url}{token}/noSuchMethod") as resp:
            assert (resp.status, (await resp.json())["description"]) == (404, "Not Found")
        body = {"chat_id": user.id, "text": "json", "reply_markup": '{"inline_keyboard": []}'}
        async with http.post(f"{sandbox.base_url}{token}/sendMessage", json=body) as resp:
            assert resp.status == 200 and (await resp.json())["result"]["text"] == "json"
        form = {"chat_id": str(user.id), "text": "123"}
        async with http.post(f"{sandbox.base_url}{token}/SENDMESSAGE", data=form) as resp:
            assert (await resp.json())["result"]["text"] == "123"  # strings stay strings
        async with http.get(f"{sandbox.base_url}{token}/getMe") as resp:
            assert (await resp.json())["result"]["is_bot"] is True
    call = sandbox.calls_for(user.id)[-1]
    assert (call.method, call.ok, call.chat_id, call.token) == ("SENDMESSAGE", True, user.id, token)
    assert sandbox.stats.requests["getMe"] == 1 and sandbox.stats.errors[401] == 1


async def test_wait_for_times_out_with_a_helpful_message(sandbox: SandboxServer) -> None:
    sandbox.create_bot(username="waiting_bot")
    with pytest.raises(TimeoutError, match=r"(?i)never true.*waiting_bot"):
        await sandbox.wait_for(lambda: False, timeout=0.1, message="never true")


def test_parsers_match_telegram_offsets() -> None:
    text, entities = parse_html('  <b>a&#128077;</b> <pre><code class="language-py">x</code></pre>')
    assert text == "a👍 x"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "pre", "offset": 4, "length": 1, "language": "py"},
    ]
    text, entities = parse_markdown_v2("__u__ ||s|| [l](https://x.org) `c\\`` ~t~")
    assert text == "u s l c` t"
    assert [e["type"] for e in entities] == [
        "underline",
        "spoiler",
        "text_link",
        "code",
        "strikethrough",
    ]


def test_sliding_windows_with_a_fake_clock() -> None:
    now = [0.0]
    stats = FloodStats()
    limits = FloodLimits(global_per_second=0, per_chat_per_second=0, per_group_per_minute=20)
    flood = FloodController(limits, clock=lambda: now[0], stats=stats)
    for second in range(20):
        now[0] = float(second)
        flood.acquire(1, -5, is_group=True)
    now[0] = 30.0
    with pytest.raises(ApiError) as caught:
        flood.acquire(1, -5, is_group=True)
    assert caught.value.parameters == {"retry_after": 30}  # until the t=0 message leaves
    flood.acquire(1, -6, is_group=True)  # another group has its own window
    now[0] = 60.0
    flood.acquire(1, -5, is_group=True)  # the t=0 message left the window
    with pytest.raises(ApiError):
        flood.acquire(1, -5, is_group=True, cost=2)  # an album needs room for every item
    assert (stats.total, stats.by_reason) == (2, {"per_group": 2})
    assert retry_after_value(0.0004, time_scale=10) == 0.001
    assert retry_after_value(0.25, time_scale=1) == 1


async def test_copy_and_forward_message(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    channel = sandbox.create_chat(type="channel", title="Kênh")
    sandbox.add_bot_to_chat(channel.id, token, status="administrator")
    async with ptb_bot(sandbox, token) as bot:
        post = await bot.send_message(channel.id, "<b>Chỉ thị 12</b>", parse_mode="HTML")
        copied = await bot.copy_message(user.id, channel.id, post.message_id)
        forwarded = await bot.forward_message(user.id, channel.id, post.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
            await bot.copy_message(user.id, channel.id, 999)
    texts = [(m["message_id"], m["text"]) for m in sandbox.messages(user.id)]
    assert texts == [(copied.message_id, "Chỉ thị 12"), (forwarded.message_id, "Chỉ thị 12")]
    assert forwarded.forward_origin is not None and forwarded.forward_origin.type == "channel"


async def test_webhook_retries_after_a_failing_endpoint(sandbox: SandboxServer) -> None:
    answers = [500, 200]
    received: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    token = sandbox.create_bot()
    user = sandbox.create_user()
    try:
        async with ptb_bot(sandbox, token) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
            sandbox.send_text(token, user.id, "hello")
            await sandbox.wait_for(lambda: len(received) == 2)
            await sandbox.wait_for(lambda: not sandbox.pending_updates(token))
            info = await bot.get_webhook_info()
    finally:
        await runner.cleanup()
    assert received[0] == received[1]  # the same update, redelivered
    assert info.last_error_message is not None and "500" in info.last_error_message


async def test_control_api_drives_a_standalone_sandbox(sandbox: SandboxServer) -> None:
    token = sandbox.create_bot()
    async with aiohttp.ClientSession(base_url=sandbox.url) as http:
        async with http.post("/_sandbox/users", json={"first_name": "Lan"}) as resp:
            user_id = (await resp.json())["result"]["id"]
        text = {"token": token, "user_id": user_id, "text": "/start"}
        async with http.post("/_sandbox/send_text", json=text) as resp:
            assert (await resp.json())["result"]["entities"][0]["type"] == "bot_command"
        async with http.post("/_sandbox/send_text", json={"token": token}) as resp:
            assert resp.status == 400
        async with ptb_bot(sandbox, token) as bot:
            await bot.send_message(user_id, "chào")
        async with http.get("/_sandbox/calls", params={"chat_id": str(user_id)}) as resp:
            assert [c["method"] for c in (await resp.json())["result"]] == ["sendMessage"]
        async with http.get("/_sandbox/messages", params={"chat_id": str(user_id)}) as resp:
            assert [m["text"] for m in (await resp.json())["result"]] == ["chào"]


async def test_a_bot_can_be_registered_under_a_token_written_beforehand(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.create_bot(username="cfg_bot", token="5550001:from-the-config-file")
    async with ptb_bot(sandbox, token) as bot:
        assert bot.id == 5550001 and bot.username == "cfg_bot"
    for bad in ("5550001:from-the-config-file", "not-a-token", "5550001:"):
        with pytest.raises(ValueError):
            sandbox.create_bot(token=bad)
