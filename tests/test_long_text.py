"""Issue 13 item 3, end to end through the sandbox (flood limits on): a body longer than one
message is posted as its opening paragraphs plus the full text as a document (the attached
file, else a generated .txt named after the number), never as a wall of messages; a long
paste arriving in several messages is assembled in order until Xong. The TOML/CLI path gets
the same rule (one rule in render/publish)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.render import full_text_name
from bot.services.tg_text import tg_len
from storage.models import Directive
from tests.kit.harness import JSON, FakeClock, Harness, buttons_of
from tests.kit.lifecycle import limited_harness, no_flood
from tests.kit.paths import SAMPLE
from tests.kit.publishing import say, tap
from tests.kit.reminders import draft, publish_as, start_private
from tests.kit.scene import GROUPS, build_scene

NUMBER = "13-CV/BTGTU"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


def long_body(length: int = 13_000) -> str:
    """Numbered paragraphs of Vietnamese text, exactly ``length`` characters."""
    paragraphs: list[str] = []
    i = 0
    while len("\n".join(paragraphs)) < length:
        i += 1
        paragraphs.append(
            f"{i}. Đoạn {i}: cán bộ, đảng viên nghiêm túc học tập và làm theo tư tưởng, "
            "đạo đức, phong cách Hồ Chí Minh."
        )
    text = "\n".join(paragraphs)[:length]
    return text.rstrip(" .,:") + "."


def telegram_pieces(text: str, limit: int = 4096) -> list[str]:
    """A paste as Telegram clients send it: cut at the last line break within ``limit``, the
    break dropped."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        pieces.append(text[:cut])
        text = text[cut + 1 :]
    return [*pieces, text]


def sent_since(h: Harness, before: dict[int, int]) -> dict[int, list[JSON]]:
    return {chat: h.bot_messages(chat)[n:] for chat, n in before.items()}


async def send_file(h: Harness, user: Any, data: bytes, name: str, mime: str | None = None) -> JSON:
    before = len(h.bot_messages(user.id))
    h.sandbox.send_document(h.token, user.id, data, file_name=name, mime_type=mime)
    await h.settle(lambda: len(h.bot_messages(user.id)) > before)
    return h.bot_messages(user.id)[-1]


async def test_13000_chars_in_four_pastes_with_a_pdf_is_one_post_and_one_document_per_chat(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    admin = scene.users["admin"]
    body = long_body()
    pieces = telegram_pieces(body)
    assert len(body) == 13_000 and len(pieces) == 4

    await say(h, admin, "/publish")
    await say(h, admin, NUMBER)
    await say(h, admin, "V/v học tập chuyên đề năm 2027")
    await say(h, admin, "Ban Tuyên giáo Tỉnh ủy")
    reply = await tap(h, admin, "Hôm nay")
    assert "Nội dung" in reply["text"]
    for n, piece in enumerate(pieces, 1):
        reply = await say(h, admin, piece)
        assert f"Đã nhận {n} phần nội dung" in reply["text"]  # collected, not yet the body
        assert [b["text"] for b in buttons_of(reply)] == ["✔️ Xong", "✖️ Huỷ"]
    reply = await send_file(h, admin, PDF, "phu-luc.pdf", "application/pdf")
    assert "Đã nhận tệp <b>phu-luc.pdf</b>" in reply["text"] or "phu-luc.pdf" in reply["text"]
    assert "Đã nhận 4 phần nội dung" in reply["text"]  # still collecting the text
    reply = await tap(h, admin, "✔️ Xong")
    assert "Liên kết" in reply["text"]
    await tap(h, admin, "Bỏ qua")
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Có")
    await tap(h, admin, "Bỏ qua")
    await tap(h, admin, "Bỏ qua")
    before_preview = len(h.bot_messages(admin.id))
    await tap(h, admin, "Bỏ qua", replies=3)  # the preview: post, the PDF, the note
    preview, document, note = h.bot_messages(admin.id)[before_preview:]
    assert "Toàn văn ở tệp đính kèm" in preview["text"]
    assert document["document"]["file_name"] == "phu-luc.pdf"
    assert "Sẽ đăng vào 3 nhóm" in note["text"]

    chats = [scene.groups[code].id for code in GROUPS]
    before = {chat: len(h.bot_messages(chat)) for chat in chats}
    await tap(h, admin, "📤 Ban hành")
    await h.outbox_idle()

    for chat, new in sent_since(h, before).items():
        assert len(new) == 2, (chat, new)  # one post, one document: never a wall
        post, doc = new
        assert post["text"].startswith("📄 Công văn số 13-CV/BTGTU")
        assert tg_len(post["text"]) <= 4096
        assert "1. Đoạn 1: cán bộ" in post["text"]  # the opening paragraphs
        assert "Toàn văn ở tệp đính kèm" in post["text"]
        assert post["text"].endswith("Đã nhận 0/3 · Đã học 0/3") or "Đã nhận 0/" in post["text"]
        assert [b["text"] for b in buttons_of(post)] == ["✅ Đã nhận", "📖 Đã học tập"]
        assert doc["document"]["file_name"] == "phu-luc.pdf"
        assert doc["caption"] == NUMBER
        assert h.sandbox.files[doc["document"]["file_id"]].data == PDF  # the original file
    assert no_flood(h)

    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
    assert d.body == body  # the four pieces, in order, joined where they were cut
    [pdf] = d.attachments
    assert pdf["type"] == "document" and pdf["name"] == "phu-luc.pdf"
    assert pdf["size"] == len(PDF)


async def test_a_long_text_from_the_toml_path_without_a_file_gets_a_txt_named_after_the_number(
    h: Harness,
) -> None:
    """The CLI/TOML path (publish service) obeys the same rule; private copies get it too."""
    scene = await build_scene(h)
    await start_private(h, scene, "m1")
    body = long_body()
    chats = [scene.groups[code].id for code in GROUPS[:2]] + [scene.id("m1")]
    before = {chat: len(h.bot_messages(chat)) for chat in chats}
    directive_id = await publish_as(h, scene, draft("45-CV/HU", body=body))

    for _chat, new in sent_since(h, before).items():
        assert len(new) == 2
        post, doc = new
        assert "Toàn văn ở tệp đính kèm" in post["text"] and post.get("reply_markup")
        assert doc["document"]["file_name"] == "45-CV-HU.txt"
        content = h.sandbox.files[doc["document"]["file_id"]].data.decode("utf-8-sig")
        assert content.startswith("📄 Công văn số 45-CV/HU\nV/v học tập chuyên đề năm 2027")
        assert body in content
    assert no_flood(h)
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.body == body and d.attachments == []
    assert full_text_name(d) == "45-CV-HU.txt"


async def test_a_long_text_with_the_sample_pdf_from_the_toml_path_posts_the_pdf_only(
    h: Harness,
) -> None:
    """The attached file is the full text: no generated .txt next to it."""
    scene = await build_scene(h)
    chat = scene.groups["BP-DX-01"].id
    before = {chat: len(h.bot_messages(chat))}
    pdf = SAMPLE / "phu-luc-huong-dan.pdf"
    await publish_as(
        h,
        scene,
        draft("46-CV/HU", body=long_body(9000), attachments=[pdf], attachments_root=SAMPLE),
    )
    post, doc = sent_since(h, before)[chat]
    assert "Toàn văn ở tệp đính kèm" in post["text"]
    assert doc["document"]["file_name"] == "phu-luc-huong-dan.pdf"


async def test_a_short_body_is_posted_whole_as_before(h: Harness) -> None:
    scene = await build_scene(h)
    chat = scene.groups["BP-DX-01"].id
    before = {chat: len(h.bot_messages(chat))}
    await publish_as(h, scene, draft("47-CV/HU"))
    [post] = sent_since(h, before)[chat]
    assert "Toàn văn" not in post["text"]
    assert "Đề nghị các chi bộ tổ chức học tập chuyên đề." in post["text"]


async def test_a_paste_is_refused_when_the_pieces_exceed_the_body_limit_and_keeps_what_came(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, "48-CV/HU")
    await say(h, admin, "V/v thử")
    await say(h, admin, "Ban Tuyên giáo Tỉnh ủy")
    await tap(h, admin, "Hôm nay")
    piece = telegram_pieces(long_body(30_000))[0]
    for n in range(1, 5):
        reply = await say(h, admin, piece)
        assert f"Đã nhận {n} phần" in reply["text"]
    reply = await say(h, admin, piece)  # 5 x 4,000 > 20,000: refused, the 4 pieces kept
    assert "⚠️" in reply["text"] and "Đã nhận 4 phần" in reply["text"]
    reply = await say(h, admin, "xong")  # typed instead of pressed
    assert "Liên kết" in reply["text"]


async def test_recalling_a_long_directive_edits_its_one_post_once_and_it_stays_one_message(
    h: Harness,
) -> None:
    """A post published abridged is redrawn abridged (recall, amend): one edit per post, the
    full text file left as it is."""
    from bot.services import lifecycle
    from tests.kit.lifecycle import edits_per_message

    scene = await build_scene(h)
    chat = scene.groups["BP-DX-01"].id
    before = {chat: len(h.bot_messages(chat))}
    directive_id = await publish_as(h, scene, draft("49-CV/HU", body=long_body()))
    post, _doc = sent_since(h, before)[chat]
    since = len(h.sandbox.calls)
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None
        await lifecycle.recall(
            s, d, now=h.rt.now(), texts=h.rt.texts, tz=h.settings.locale.tz, actor="test"
        )
    await h.outbox_idle()
    edits = edits_per_message(h, since)
    assert edits[(chat, post["message_id"])] == 1
    assert set(edits.values()) == {1}
    [shown] = [m for m in h.bot_messages(chat) if m["message_id"] == post["message_id"]]
    assert "Văn bản đã thu hồi" in shown["text"] and "Toàn văn ở tệp đính kèm" in shown["text"]
    assert tg_len(shown["text"]) <= 4096 and not shown.get("reply_markup")
    assert no_flood(h)
