"""Issue 13 item 2, end to end through the sandbox (flood limits on): files sent during
/publish are kept by their Telegram file_id and posted with the directive, several as one
album (sendMediaGroup; photos and documents never mixed), sizes checked before publishing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import FloodSettings
from bot.delivery.pacing import Pacer
from bot.delivery.telegram_port import qr_png
from bot.services import directive_rules as rules
from storage.models import Delivery, Directive
from tests.kit.harness import JSON, FakeClock, Harness, buttons_of
from tests.kit.lifecycle import limited_harness, no_flood
from tests.kit.publishing import say, tap
from tests.kit.scene import GROUPS, Scene, build_scene

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


async def send_document(h: Harness, user: Any, data: bytes, name: str) -> JSON:
    before = len(h.bot_messages(user.id))
    h.sandbox.send_document(h.token, user.id, data, file_name=name)
    await h.settle(lambda: len(h.bot_messages(user.id)) > before)
    return h.bot_messages(user.id)[-1]


async def send_photo(h: Harness, user: Any, data: bytes) -> JSON:
    before = len(h.bot_messages(user.id))
    h.sandbox.send_photo(h.token, user.id, data)
    await h.settle(lambda: len(h.bot_messages(user.id)) > before)
    return h.bot_messages(user.id)[-1]


async def up_to_links(h: Harness, scene: Scene, number: str) -> Any:
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, number)
    await say(h, admin, "V/v học tập chuyên đề năm 2027")
    await say(h, admin, "Ban Tuyên giáo Tỉnh ủy")
    await tap(h, admin, "Hôm nay")
    await say(h, admin, "Đề nghị các chi bộ tổ chức học tập.")
    return admin


async def finish_and_publish(h: Harness, admin: Any, preview_messages: int) -> None:
    await tap(h, admin, "Bỏ qua")  # links
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Không")
    await tap(h, admin, "Bỏ qua")
    await tap(h, admin, "Bỏ qua", replies=preview_messages)
    await tap(h, admin, "📤 Ban hành")
    await h.outbox_idle()


async def test_three_files_arrive_as_one_album_after_the_post(h: Harness) -> None:
    scene = await build_scene(h)
    admin = await up_to_links(h, scene, "50-CV/BTGTU")
    names = ["ke-hoach.pdf", "phu-luc-1.docx", "phu-luc-2.pdf"]
    for n, name in enumerate(names, 1):
        reply = await send_document(h, admin, PDF + name.encode(), name)
        assert f"({n} tệp)" in reply["text"] and "Liên kết" in reply["text"]
    chats = [scene.groups[code].id for code in GROUPS]
    before = {chat: len(h.bot_messages(chat)) for chat in chats}
    await finish_and_publish(h, admin, preview_messages=5)  # post, 3 album items, note

    for chat in chats:
        post, *album = h.bot_messages(chat)[before[chat] :]
        assert buttons_of(post) and "Tệp đính kèm: 3" in post["text"]
        assert [m["document"]["file_name"] for m in album] == names
        assert len({m.get("media_group_id") for m in album}) == 1  # one album
        assert album[0]["media_group_id"] and album[0]["caption"] == "50-CV/BTGTU"
    groups_calls = [
        c for c in h.sandbox.calls if c.method == "sendMediaGroup" and c.token == h.token and c.ok
    ]
    assert len(groups_calls) == 1 + len(chats)  # the preview, then one call per chat
    assert no_flood(h)  # an album counted as three messages by the sender's pacing
    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
        albums = await s.scalar(
            select(func.count(Delivery.id)).where(Delivery.payload["method"].as_string() == "album")
        )
    assert [a["name"] for a in d.attachments] == names
    assert albums == len(chats)


async def test_photos_and_a_document_go_as_a_photo_album_and_a_document(h: Harness) -> None:
    scene = await build_scene(h)
    admin = await up_to_links(h, scene, "51-CV/BTGTU")
    await send_photo(h, admin, qr_png("https://example.org/1"))
    await send_photo(h, admin, qr_png("https://example.org/2"))
    await send_document(h, admin, PDF, "huong-dan.pdf")
    chat = scene.groups["BP-DX-01"].id
    before = len(h.bot_messages(chat))
    await finish_and_publish(h, admin, preview_messages=5)  # post, 2 photos, document, note
    post, photo1, photo2, doc = h.bot_messages(chat)[before:]
    assert buttons_of(post) and photo1["photo"] and photo2["photo"]
    assert photo1["media_group_id"] == photo2["media_group_id"]
    assert "media_group_id" not in doc and doc["document"]["file_name"] == "huong-dan.pdf"


async def test_a_text_file_at_the_body_step_is_the_full_text_and_a_summary_is_asked(
    h: Harness,
) -> None:
    """No download: the .txt is posted as the attachment; the body is a typed summary."""
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, "54-CV/BTGTU")
    await say(h, admin, "V/v học tập chuyên đề năm 2027")
    await say(h, admin, "Ban Tuyên giáo Tỉnh ủy")
    await tap(h, admin, "Hôm nay")
    full = "Toàn văn chỉ thị.\n" * 2000
    reply = await send_document(h, admin, full.encode(), "toan-van.txt")
    assert "toan-van.txt" in reply["text"] and "tóm tắt" in reply["text"]
    assert "Nội dung" in reply["text"]  # the body is still asked
    reply = await say(h, admin, "Tóm tắt: các chi bộ tổ chức học tập trong quý I.")
    assert "Liên kết" in reply["text"]
    chat = scene.groups["BP-DX-01"].id
    before = len(h.bot_messages(chat))
    await finish_and_publish(h, admin, preview_messages=3)  # post, the file, note
    post, doc = h.bot_messages(chat)[before:]
    assert "Tóm tắt: các chi bộ" in post["text"] and buttons_of(post)
    assert doc["document"]["file_name"] == "toan-van.txt"
    assert h.sandbox.files[doc["document"]["file_id"]].data == full.encode()


async def test_an_oversized_file_is_refused_in_the_dialogue_and_nothing_is_published(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    admin = await up_to_links(h, scene, "52-CV/BTGTU")
    big = b"%PDF" + b"\0" * (rules.DOCUMENT_MAX_BYTES + 1024 * 1024)
    reply = await send_document(h, admin, big, "ho-so-lon.pdf")
    assert reply["text"].startswith("⚠️ Tệp đính kèm ho-so-lon.pdf nặng 51 MB;")
    assert "tối đa 50 MB" in reply["text"]
    assert "Liên kết" in reply["text"]  # the same question again
    reply = await send_document(h, admin, b"MZ\x90", "cai-dat.exe")
    assert "không phải loại được đăng kèm" in reply["text"]
    chat = scene.groups["BP-DX-01"].id
    before = len(h.bot_messages(chat))
    await finish_and_publish(h, admin, preview_messages=2)  # post, note: no file
    [post] = h.bot_messages(chat)[before:]
    assert "Tệp đính kèm" not in post["text"]
    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
    assert d.attachments == []


async def test_a_refused_file_before_publishing_publishes_nothing(h: Harness) -> None:
    """Sizes are checked again when publishing: a stored entry over the limit (say, an old
    draft) refuses the whole directive, nothing written."""
    from bot.services.drafts import DraftError
    from bot.services.publish import publish
    from storage import queries
    from tests.kit.reminders import draft

    scene = await build_scene(h)
    big = {"file_id": "BQAC-x", "type": "document", "name": "x.pdf", "size": 60 * 2**20}
    async with h.db() as s:
        admin = await queries.member_by_telegram_id(s, scene.id("admin"))
        with pytest.raises(DraftError) as refused:
            await publish(
                s,
                draft("53-CV/HU", files=[big]),
                publisher=admin,
                config_admins=[],
                now=h.rt.now(),
                tz=h.settings.locale.tz,
                texts=h.rt.texts,
            )
    assert refused.value.key == "rule-attachment-too-big"
    async with h.db() as s:
        assert await s.scalar(select(func.count(Directive.id))) == 0
        assert await s.scalar(select(func.count(Delivery.id))) == 0


def test_an_album_counts_as_its_items_against_a_group_window() -> None:
    """Telegram counts each item of an album; so does the pacer: after an album of 3 in a
    group allowing 4 a minute, only one more message fits the minute."""
    now = [0.0]
    flood = FloodSettings.model_validate(
        {"global_per_second": 30, "per_chat_per_second": 1, "per_group_per_minute": 4}
    )
    pacer = Pacer(flood, clock=lambda: now[0])
    group = -100123
    assert pacer.ready_at(group, weight=3) == 0.0
    pacer.start(group, weight=3)
    pacer.finish(group, weight=3)
    now[0] = 1.5  # the per-chat second has passed; the group window holds 3 of 4
    assert pacer.ready_at(group) == 1.5
    assert pacer.ready_at(group, weight=2) == pytest.approx(60.0)
    pacer.start(group)
    pacer.finish(group)
    now[0] = 3.0
    assert pacer.ready_at(group) == pytest.approx(60.0)
