"""Scheduled publishing: ``publish_at`` in the TOML file or "Hẹn giờ" in /publish stores the
directive as ``scheduled``; the schedule tick publishes it once at its time, also after a
restart in between (injected clock); /scheduled lists them with a Cancel button each; a past
time is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bot.services.drafts import read_directive_file
from bot.services.scheduled import run_due
from storage.db import create_engine, session_factory
from storage.models import AuditEvent, Delivery, Directive, Member, Membership, Reminder
from tests.kit.harness import FakeClock, Harness, buttons_of
from tests.kit.publishing import answer_up_to_targets, last_keyboard, say, tap
from tests.kit.reminders import (
    bot_process,
    fast_settings,
    local,
    publish_as,
    start_private,
)
from tests.kit.scene import GROUPS, Scene, build_scene

NUMBER = "77-CV/HU"
TOML = """
[[directive]]
number = "77-CV/HU"
title = "V/v học tập chuyên đề năm 2027"
issuer = "Thành ủy Đồng Xoài"
targets = ["BP-DX"]
body = "Đề nghị các chi bộ tổ chức học tập chuyên đề."
publish_at = 2027-01-12T08:00:00
study_by = 2027-01-20T17:00:00
"""


def posts(h: Harness, scene: Scene, code: str) -> list[dict[str, Any]]:
    return [m for m in h.bot_messages(scene.groups[code].id) if m.get("reply_markup")]


async def directive_row(h: Harness) -> Directive | None:
    async with h.db() as s:
        return (await s.scalars(select(Directive).where(Directive.number == NUMBER))).first()


async def count(h: Harness, model: Any) -> int:
    async with h.db() as s:
        return int(await s.scalar(select(func.count(model.id))) or 0)


def ticker(h: Harness) -> Any:
    found = h.rt.scheduled
    assert found is not None
    return found


async def test_a_scheduled_directive_is_published_once_at_its_time_after_a_restart(
    sandbox: Any, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "d.toml").write_text(TOML, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    settings = fast_settings(db_url)
    async with bot_process(sandbox, settings, clock) as h:
        scene = await build_scene(h)
        await start_private(h, scene, "m1", "admin")
        await publish_as(h, scene, draft)
        stored = await directive_row(h)
        assert stored is not None and stored.status == "scheduled"
        assert stored.publish_at == local("12/01/2027 08:00")
        # stored, not posted: no post, no private copy, no reminder yet
        assert await count(h, Delivery) == 0 and await count(h, Reminder) == 0
        assert all(posts(h, scene, code) == [] for code in GROUPS)
        reply = await say(h, scene.users["admin"], "/scheduled")
        assert reply["text"] == (
            "⏰ Văn bản chờ ban hành theo giờ hẹn (1):\n"
            f"• {NUMBER} — V/v học tập chuyên đề năm 2027 — lúc 12/01/2027 08:00"
        )
        assert [b["text"] for b in buttons_of(reply)] == [f"Huỷ {NUMBER}"]
        clock.now = local("12/01/2027 07:59")  # a minute early: nothing yet
        assert (await ticker(h).tick()).published == 0
        token = h.token
    # Down over the publishing time; the start-up tick publishes it, nobody calls it.
    clock.now = local("12/01/2027 08:30")
    async with bot_process(sandbox, settings, clock, token) as h:
        await h.sandbox.wait_for(lambda: all(posts(h, scene, c) for c in ("BP-DX-01", "BP-DX-02")))
        await h.outbox_idle()
        assert (await ticker(h).tick()).published == 0
        assert len(posts(h, scene, "BP-DX-01")) == 1 and len(posts(h, scene, "BP-DX-02")) == 1
        assert posts(h, scene, "BP-BL-01") == []  # not a target
        assert posts(h, scene, "BP-DX-01")[0]["text"].startswith(f"📄 Công văn số {NUMBER}")
        private = [m for m in h.bot_messages(scene.id("m1")) if NUMBER in m.get("text", "")]
        assert len(private) == 1
        stored = await directive_row(h)
        assert stored is not None and stored.status == "published"
        assert stored.published_at == local("12/01/2027 08:30")
        assert await count(h, Reminder) > 0  # planned at release
        async with h.db() as s:
            keys = (await s.scalars(select(Delivery.dedupe_key))).all()
        assert len(keys) == len(set(keys))
        reply = await say(h, scene.users["admin"], "/scheduled")
        assert reply["text"] == "Không có văn bản nào đang chờ ban hành theo giờ hẹn."
    # Another restart later repeats nothing.
    clock.now = local("12/01/2027 10:00")
    async with bot_process(sandbox, settings, clock, token) as h:
        assert (await ticker(h).tick()).published == 0
        assert len(posts(h, scene, "BP-DX-01")) == 1
        async with h.db() as s:
            assert (
                await s.scalar(
                    select(func.count(AuditEvent.id)).where(AuditEvent.action == "publish")
                )
                == 1
            )


async def test_two_processes_release_a_due_directive_once(
    sandbox: Any, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "d.toml").write_text(TOML, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    settings = fast_settings(db_url)
    async with bot_process(sandbox, settings, clock) as h:
        scene = await build_scene(h)
        await publish_as(h, scene, draft)
        due = local("12/01/2027 08:00")
        engines = [create_engine(db_url), create_engine(db_url)]
        try:
            results = await asyncio.gather(
                *(run_due(session_factory(e), due, settings, h.rt.texts) for e in engines)
            )
        finally:
            for e in engines:
                await e.dispose()
        assert sum(r.published for r in results) == 1
        async with h.db() as s:
            posted = await s.scalar(select(func.count(Delivery.id)).where(Delivery.kind == "post"))
        assert posted == 2  # BP-DX-01 and BP-DX-02, once each


async def test_schedule_from_the_dialogue_refuses_a_past_time_and_can_be_cancelled(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await answer_up_to_targets(h, admin, number=NUMBER)
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Có")
    await say(h, admin, "20/02/2027 17:00")
    await say(h, admin, "01/03/2027 17:00")
    await tap(h, admin, "Bỏ qua", replies=3)  # post, QR code, note
    note = last_keyboard(h, admin)
    assert [b["text"] for b in buttons_of(note)] == [
        "📤 Ban hành",
        "✖️ Huỷ",
        "⏰ Hẹn giờ",
        "♻️ Thay thế văn bản cũ",
        "📝 Câu hỏi kiểm tra",
    ]
    reply = await tap(h, admin, "⏰ Hẹn giờ")
    assert reply["text"].startswith("Đồng chí muốn ban hành lúc nào?")

    # 08:00 local now: a past time, one after a deadline, one too far ahead are refused
    reply = await say(h, admin, "10/01/2027 07:30")
    assert "đã qua" in reply["text"] and "Đồng chí muốn ban hành lúc nào?" in reply["text"]
    reply = await say(h, admin, "21/02/2027 08:00")
    assert "phải trước hạn xác nhận đã nhận" in reply["text"]
    reply = await say(h, admin, "10/06/2027 08:00")
    assert "xa quá" in reply["text"]
    reply = await say(h, admin, "không phải ngày")
    assert "Đồng chí muốn ban hành lúc nào?" in reply["text"]
    assert await directive_row(h) is None

    reply = await say(h, admin, "11/01/2027 09:00")
    assert reply["text"] == (
        f"⏰ Đã hẹn giờ ban hành văn bản {NUMBER} lúc 11/01/2027 09:00. "
        "Xem hoặc huỷ bằng lệnh /scheduled."
    )
    stored = await directive_row(h)
    assert stored is not None and stored.status == "scheduled"
    assert stored.publish_at == local("11/01/2027 09:00")
    assert await count(h, Delivery) == 0

    # a plain member sees none; the admin sees it with its Cancel button
    reply = await say(h, scene.users["m1"], "/scheduled")
    assert reply["text"] == "Không có văn bản nào đang chờ ban hành theo giờ hẹn."
    listing = await say(h, admin, "/scheduled")
    [cancel] = buttons_of(listing)
    # a forged button (another id on this message) is refused and cancels nothing
    query_id = h.sandbox.press_button(
        h.token, admin.id, admin.id, listing["message_id"], "sq:x:999", forged=True
    )
    await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query_id]["text"].startswith("Nút này không còn dùng")
    assert await directive_row(h) is not None

    toast = await h.press(admin, admin.id, listing["message_id"], cancel["callback_data"])
    assert toast["text"] == f"Đã huỷ hẹn giờ văn bản {NUMBER}."
    await h.settle()
    assert await directive_row(h) is None
    edited = next(m for m in h.bot_messages(admin.id) if m["message_id"] == listing["message_id"])
    assert edited["text"] == "Không có văn bản nào đang chờ ban hành theo giờ hẹn."
    async with h.db() as s:
        actions = (await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions == ["schedule", "schedule-cancel"]

    # its time comes: nothing is published
    clock.now = local("11/01/2027 09:05")
    assert (await ticker(h).tick()).published == 0
    await h.settle()
    assert await count(h, Delivery) == 0
    assert all(posts(h, scene, code) == [] for code in GROUPS)


async def test_a_publisher_who_lost_the_right_meanwhile_publishes_nothing(
    harness: Harness, clock: FakeClock, tmp_path: Path
) -> None:
    h = harness
    (tmp_path / "d.toml").write_text(TOML, encoding="utf-8")
    [draft] = read_directive_file(tmp_path / "d.toml")
    scene = await build_scene(h)
    await publish_as(h, scene, draft, who="sec_dx")
    async with h.db() as s:
        sec = await s.scalar(select(Member.id).where(Member.telegram_id == scene.id("sec_dx")))
        await s.execute(update(Membership).where(Membership.member_id == sec).values(role="member"))
    clock.now = local("12/01/2027 08:00")
    result = await ticker(h).tick()
    assert (result.published, result.failed) == (0, 1)
    stored = await directive_row(h)
    assert stored is not None and stored.status == "failed"
    assert await count(h, Delivery) == 0
    async with h.db() as s:
        actions = (await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions[-1] == "schedule-failed"
    assert (await ticker(h).tick()).failed == 0  # not tried again
