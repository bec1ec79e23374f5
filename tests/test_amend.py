"""/amend end to end, with the sandbox's flood limits on: a short dialogue, then every posted
message whose text changes is edited once through the outbox (a multi-part post: only the
parts that change), the counters line and the confirmations stay, members who had studied
are told in private, reminders follow a moved deadline; refusals change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.buttons import confirm_data
from storage.models import AuditEvent, Delivery, Directive, Reminder
from tests.kit.harness import FakeClock, Harness, buttons_of
from tests.kit.lifecycle import (
    NUMBER,
    button,
    confirmations,
    edits_per_message,
    limited_harness,
    message,
    no_flood,
    posted,
    settled_counters,
)
from tests.kit.reminders import draft, local, naive, publish_as, start_private
from tests.kit.scene import Scene, build_scene

MARK = "Văn bản đã sửa đổi ngày 10/01/2027"


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


async def _published(
    h: Harness, body: str = "Đề nghị các chi bộ tổ chức học tập."
) -> tuple[Scene, int]:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1")
    d = draft(NUMBER, body=body, study_by=naive("20/01/2027 17:00"))
    return scene, await publish_as(h, scene, d)


async def _menu_press(
    h: Harness, who: Any, menu: dict[str, Any], action: str, replies: int = 1
) -> list[dict[str, Any]]:
    chat = who.id
    before = len(h.bot_messages(chat))
    await h.press(who, chat, menu["message_id"], button(menu, f":{action}"))
    await h.settle(lambda: len(h.bot_messages(chat)) >= before + replies)
    return h.bot_messages(chat)[before:]


async def test_amending_the_text_edits_every_post_once_and_keeps_confirmations(h: Harness) -> None:
    scene, directive_id = await _published(h)
    group = scene.groups["BP-DX-01"].id
    rows = await posted(h, directive_id)
    post = next(r for r in rows if r.target_telegram_id == group)
    studied = confirm_data(directive_id, "studied")
    for key in ("m1", "m2"):
        await h.press(scene.users[key], group, post.message_id or 0, studied)
    await settled_counters(h, group, post.message_id or 0, "Đã học 2/")
    before_confirmations = await confirmations(h)
    since = len(h.sandbox.calls)

    admin = scene.users["admin"]
    [menu] = await h.send(admin, f"/amend {NUMBER}")
    assert menu["text"].startswith(f"✏️ Sửa đổi văn bản số {NUMBER}")
    [ask] = await _menu_press(h, admin, menu, "body")
    assert ask["text"].startswith("Xin gửi toàn bộ nội dung đã sửa")
    [menu] = await h.send(admin, "Đề nghị các chi bộ tổ chức học tập trước ngày 20/01/2027.")
    assert "Nội dung mới" in menu["text"]
    done = await _menu_press(h, admin, menu, "go")
    assert done[-1]["text"].startswith(
        f"✅ Đã sửa đổi văn bản {NUMBER}: 5 tin nhắn sẽ được sửa, 1 đồng chí"
    )
    await h.outbox_idle()

    rows = await posted(h, directive_id)
    sent = {(r.target_telegram_id, r.message_id or 0) for r in rows}
    assert len(sent) == 5  # two groups; private copies of sec_dx, sec_dx01 and m1
    edits = edits_per_message(h, since)
    assert {key: edits[key] for key in sent} == {key: 1 for key in sent}
    assert set(edits) - sent == {(admin.id, menu["message_id"])}  # the menu lost its buttons
    assert no_flood(h)
    for chat, message_id in sent:
        shown = message(h, chat, message_id)
        assert MARK in shown["text"] and "trước ngày 20/01/2027" in shown["text"]
        confirm = [b for b in buttons_of(shown) if b["callback_data"].startswith("c:")]
        assert len(confirm) == 2  # the buttons stay
        if chat == scene.id("sec_dx"):  # a manager's private copy keeps "Chuyển tiếp" too
            assert [b["callback_data"] for b in buttons_of(shown)][-1] == f"fwd:{directive_id}"
    assert "Đã nhận 2/4 · Đã học 2/4" in message(h, group, post.message_id or 0)["text"]
    assert await confirmations(h) == before_confirmations
    # m1 studied and has a private chat: told; m2 studied but never opened one: not.
    notes = [m["text"] for m in h.bot_messages(scene.id("m1")) if m["text"].startswith("✏️")]
    assert notes == [
        f"✏️ Văn bản số {NUMBER} (V/v học tập chuyên đề năm 2027) mà đồng chí đã học tập vừa được sửa đổi. Xin đồng chí xem lại bản đã sửa trong nhóm hoặc tin nhắn trước."
    ]
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.body.endswith("trước ngày 20/01/2027.")
        audit = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "amend"))).one()
        assert audit.actor == str(admin.id) and audit.detail["edits"] == 5


async def test_a_moved_deadline_edits_a_long_directive_s_one_post_once_and_moves_reminders(
    h: Harness,
) -> None:
    body = "\n".join(f"Đoạn {i}: " + "nội dung dài của văn bản " * 12 for i in range(30))
    scene, directive_id = await _published(h, body)
    rows = await posted(h, directive_id)
    group = scene.groups["BP-DX-02"].id
    # Issue 13: a long text is one post (its opening) plus the full text as a document.
    [post] = [r for r in rows if r.target_telegram_id == group]
    since = len(h.sandbox.calls)

    sec = scene.users["sec_dx"]  # secretary over every target
    [menu] = await h.send(sec, f"/amend {NUMBER}")
    await _menu_press(h, sec, menu, "study_by")
    [refused] = await h.send(sec, "mai")
    assert refused["text"].startswith("Chưa hiểu ngày giờ này.")  # and asked again
    [menu] = await h.send(sec, "25/01/2027 17:00")
    assert "Hạn học tập: 17:00" in menu["text"]
    await _menu_press(h, sec, menu, "go")
    await h.outbox_idle()

    edits = edits_per_message(h, since)
    only = post.message_id or 0
    assert edits[(group, only)] == 1  # the "amended" mark and the deadline, in one edit
    assert set(edits.values()) == {1} and no_flood(h)
    assert "25/01/2027" in message(h, group, only)["text"]
    assert MARK in message(h, group, only)["text"]
    assert "Toàn văn ở tệp đính kèm" in message(h, group, only)["text"]  # still abridged
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.study_by == local("25/01/2027 17:00")
        pending = (
            await s.scalars(
                select(Reminder).where(Reminder.deadline == "study_by", Reminder.state == "pending")
            )
        ).all()
        assert pending and {r.deadline_at for r in pending} == {local("25/01/2027 17:00")}


async def test_refusals_change_nothing(h: Harness) -> None:
    scene, directive_id = await _published(h)
    since_rows = len(await posted(h, directive_id))
    answers = [
        ("m1", f"/amend {NUMBER}", "Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách"),
        ("sec_dx01", f"/amend {NUMBER}", "Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách"),
        ("admin", "/amend 1-XX", "Không tìm thấy văn bản số 1-XX."),
        ("admin", "/amend", "Cách sửa đổi: /amend số-văn-bản"),
    ]
    for key, command, start in answers:
        [reply] = await h.send(scene.users[key], command)
        assert reply["text"].startswith(start), command
    admin = scene.users["admin"]
    [menu] = await h.send(admin, f"/amend {NUMBER}")
    done = await _menu_press(h, admin, menu, "go")  # nothing chosen
    assert "Chưa có gì để sửa đổi" in done[-1]["text"]
    await _menu_press(h, admin, done[-1], "links")
    [refused] = await h.send(admin, "trang | ftp://example.org/x")
    assert "ftp" in refused["text"]
    # A text needing more messages than were posted is refused: nothing half-edited.
    [cancelled] = await h.send(admin, "/cancel")
    assert cancelled["text"] == "Đã huỷ việc sửa đổi, văn bản giữ nguyên."
    [menu] = await h.send(admin, f"/amend {NUMBER}")
    await _menu_press(h, admin, menu, "body")
    [menu] = await h.send(admin, "Nội dung rất dài. " * 220)  # one message, but over one post
    done = await _menu_press(h, admin, menu, "go")
    refused = done[-1]["text"]
    assert refused.startswith("Chưa lưu được sửa đổi: Nội dung sửa đổi cần ")
    assert "nhưng văn bản chỉ được đăng thành 1 tin nhắn." in refused
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.body == "Đề nghị các chi bộ tổ chức học tập."
        edits = (await s.scalars(select(Delivery).where(Delivery.kind == "edit"))).all()
        assert edits == []
        assert (await s.scalars(select(AuditEvent).where(AuditEvent.action == "amend"))).all() == []
    assert len(await posted(h, directive_id)) == since_rows


async def test_a_corrected_link_marks_each_old_qr_code_once_and_posts_the_new_one(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "m1")
    old = {"label": "Trang cũ", "url": "https://cu.example.vn/chuyen-de"}
    d = draft(NUMBER, links=[old], study_by=naive("20/01/2027 17:00"))
    directive_id = await publish_as(h, scene, d)
    groups = [scene.groups[code].id for code in ("BP-DX-01", "BP-DX-02")]
    qr_before = {
        g: [m for m in h.bot_messages(g) if m.get("photo")] for g in groups
    }  # one QR image per group
    assert all(len(images) == 1 for images in qr_before.values())
    since = len(h.sandbox.calls)

    admin = scene.users["admin"]
    [menu] = await h.send(admin, f"/amend {NUMBER}")
    await _menu_press(h, admin, menu, "links")
    [menu] = await h.send(admin, "Trang mới | https://moi.example.vn/chuyen-de")
    done = await _menu_press(h, admin, menu, "go")
    # the two group posts, m1's private copy, and the two QR captions
    assert done[-1]["text"].startswith(f"✅ Đã sửa đổi văn bản {NUMBER}: 5 tin nhắn sẽ được sửa")
    await h.outbox_idle()

    captions = [
        (int(c.params["chat_id"]), int(c.params["message_id"]))
        for c in h.sandbox.calls[since:]
        if c.method == "editMessageCaption" and c.ok
    ]
    assert sorted(captions) == sorted((g, qr_before[g][0]["message_id"]) for g in groups)
    assert no_flood(h)
    for g in groups:
        [image] = qr_before[g]
        shown = message(h, g, image["message_id"])
        assert shown["caption"] == (
            "⚠️ Mã QR cũ (Trang cũ): liên kết đã sửa đổi ngày 10/01/2027, xin đừng dùng mã này."
        )
        images = [m for m in h.bot_messages(g) if m.get("photo")]
        assert len(images) == 2 and images[-1]["caption"] == "Mã QR: Trang mới"
        post = next(m for m in h.bot_messages(g) if m.get("reply_markup"))
        assert "moi.example.vn" in str(post.get("entities")) and MARK in post["text"]
    async with h.db() as s:
        qr_rows = (
            await s.scalars(
                select(Delivery).where(Delivery.directive_id == directive_id, Delivery.kind == "qr")
            )
        ).all()
        assert sorted(r.payload["url"] for r in qr_rows) == [
            old["url"],
            old["url"],
            "https://moi.example.vn/chuyen-de",
            "https://moi.example.vn/chuyen-de",
        ]
