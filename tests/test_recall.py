"""/recall end to end, with the sandbox's flood limits on: a confirmation button first; then
every post says "đã thu hồi" and loses its buttons (each message edited once), reminders stop,
presses on the old posts record nothing, confirmations stay; refusals change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
    forged_press,
    limited_harness,
    message,
    no_flood,
    posted,
    settled_counters,
)
from tests.kit.reminders import draft, naive, publish_as, start_private
from tests.kit.scene import build_scene


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


async def test_recall_edits_every_post_once_and_stops_everything(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "m1")
    directive_id = await publish_as(
        h,
        scene,
        draft(NUMBER, study_by=naive("20/01/2027 17:00"), receive_by=naive("15/01/2027 17:00")),
    )
    group = scene.groups["BP-DX-01"].id
    post = next(r for r in await posted(h, directive_id) if r.target_telegram_id == group)
    await h.press(
        scene.users["m1"], group, post.message_id or 0, confirm_data(directive_id, "received")
    )
    await settled_counters(h, group, post.message_id or 0, "Đã nhận 1/")
    before = await confirmations(h)
    async with h.db() as s:
        assert (await s.scalars(select(Reminder).where(Reminder.state == "pending"))).all()

    refusals = [
        ("m1", f"/recall {NUMBER}", "Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách"),
        (
            "sec_dx01",
            f"/recall {NUMBER}",
            "Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách",
        ),
        ("admin", "/recall 1-XX", "Không tìm thấy văn bản số 1-XX."),
        ("admin", "/recall", "Cách thu hồi: /recall số-văn-bản"),
    ]
    for key, command, start in refusals:
        [reply] = await h.send(scene.users[key], command)
        assert reply["text"].startswith(start), command

    admin = scene.users["admin"]
    [ask] = await h.send(admin, f"/recall {NUMBER}")
    assert ask["text"].startswith(f"⛔ Thu hồi văn bản số {NUMBER}")
    await h.press(admin, admin.id, ask["message_id"], button(ask, ":x"))
    await h.settle(
        lambda: h.bot_messages(admin.id)[-1]["text"].startswith("Văn bản 45-CV/HU giữ nguyên")
    )
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.status == "published"
    since = len(h.sandbox.calls)

    [ask] = await h.send(admin, f"/recall {NUMBER}")
    await h.press(admin, admin.id, ask["message_id"], button(ask, ":go"))
    await h.settle(lambda: h.bot_messages(admin.id)[-1]["text"].startswith("⛔ Đã thu hồi"))
    await h.outbox_idle()

    rows = await posted(h, directive_id)
    sent = {(r.target_telegram_id, r.message_id or 0) for r in rows}
    edits = edits_per_message(h, since)
    assert {key: edits[key] for key in sent} == {key: 1 for key in sent}
    assert no_flood(h)
    for chat, message_id in sent:
        shown = message(h, chat, message_id)
        assert "Văn bản đã thu hồi ngày 10/01/2027" in shown["text"]
        assert buttons_of(shown) == []
    assert "Đã nhận 1/4" in message(h, group, post.message_id or 0)["text"]  # figures frozen
    assert await confirmations(h) == before
    async with h.db() as s:
        d = await s.get(Directive, directive_id)
        assert d is not None and d.status == "recalled"
        assert (await s.scalars(select(Reminder).where(Reminder.state == "pending"))).all() == []
        assert (await s.scalars(select(AuditEvent).where(AuditEvent.action == "recall"))).one()
        assert all(
            "buttons" not in r.payload
            for r in await s.scalars(select(Delivery).where(Delivery.kind == "post"))
        )

    toast = await forged_press(
        h, scene.users["m2"], group, post.message_id or 0, confirm_data(directive_id, "studied")
    )
    assert toast == f"Văn bản {NUMBER} đã thu hồi, không nhận xác nhận nữa."
    assert await confirmations(h) == before
    [again] = await h.send(admin, f"/recall {NUMBER}")
    assert again["text"] == f"Văn bản {NUMBER} đã thu hồi, không sửa đổi hay thu hồi được nữa."
    [amend] = await h.send(admin, f"/amend {NUMBER}")
    assert amend["text"] == again["text"]
    for command in ("/pending", "/status"):
        [report] = await h.send(admin, f"{command} {NUMBER}")
        assert "Văn bản đã thu hồi: số liệu dừng ở thời điểm thu hồi." in report["text"], command
