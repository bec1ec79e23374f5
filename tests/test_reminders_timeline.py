"""One directive's whole timeline on an injected clock: publish → three reminders → deadline →
escalation; exactly the expected messages, to exactly the expected people, once each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.reminder_scope import member_scope, reminder_recipients, target_paths
from storage.models import Confirmation, Delivery, Reminder
from tests.kit.harness import Harness
from tests.kit.reminders import (
    Inbox,
    draft,
    fast_harness,
    local,
    naive,
    publish_as,
    shown,
    start_private,
    tick,
)
from tests.kit.scene import build_scene

NUMBER = "45-CV/HU"


@pytest.fixture
async def fast(sandbox: Any, sqlite_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, sqlite_url, clock) as h:
        yield h


DEADLINE = "20/01/2027 17:00"
SNOOZE = "🔕 Nhắc lại sau"


def reminder(left: str) -> str:
    return (
        f"⏰ Nhắc việc: đồng chí chưa xác nhận đã học tập Công văn số {NUMBER}.\n"
        "V/v học tập chuyên đề năm 2027\n"
        f"Hạn: 17:00 Thứ Tư, 20/01/2027 ({left}). "
        "Xin bấm «Đã học tập» bên dưới sau khi học xong."
    )


def summary(unit: str, pending: int, total: int, left: str, names: str) -> str:
    return (
        f"📋 {unit}: còn {pending}/{total} chưa học tập văn bản {NUMBER}. "
        f"Hạn: 17:00 Thứ Tư, 20/01/2027 ({left}).\nChưa xác nhận: {names}"
    )


async def test_full_timeline_of_one_directive(fast: Harness) -> None:
    h = fast
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1", "m2", "m4")
    inbox = Inbox(h, scene)
    directive_id = await publish_as(h, scene, draft(NUMBER, study_by=naive(DEADLINE)))
    copies = inbox.take()
    # private copies to everyone under BP-DX with a private chat; the publisher is elsewhere
    assert sorted(copies) == ["m1", "m2", "m4", "sec_dx", "sec_dx01"]
    async with h.db() as s:
        rows = (await s.scalars(select(Reminder).order_by(Reminder.due_at))).all()
        assert [(r.kind, r.offset_seconds, shown(r.due_at)) for r in rows] == [
            ("offset", 3 * 86400, "17/01/2027 17:00"),
            ("offset", 86400, "19/01/2027 17:00"),
            ("offset", 7200, "20/01/2027 15:00"),
            ("escalation", 0, "20/01/2027 17:00"),
        ]
    m2 = scene.users["m2"]
    copy = h.bot_messages(m2.id)[-1]
    await h.press(m2, m2.id, copy["message_id"], f"c:{directive_id}:s")

    # Nothing is due before the first offset.
    h.rt.clock.now = local("17/01/2027 16:59")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 0
    assert inbox.take() == {}

    # 3 days before: the pending members with a private chat, and the secretaries' summaries.
    h.rt.clock.now = local("17/01/2027 17:00")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 1
    assert inbox.take() == {
        "m1": [reminder("còn 3 ngày")],
        "m4": [reminder("còn 3 ngày")],
        "sec_dx": [
            summary("Thành ủy Đồng Xoài", 1, 1, "còn 3 ngày", "Hoàng Mỹ Trang"),
            reminder("còn 3 ngày"),
        ],
        "sec_dx01": [
            summary(
                "Chi bộ trạm y tế 1",
                3,
                4,
                "còn 3 ngày",
                "Vũ Kim Mai, Phan Minh Tuấn, Đặng Thị Yến",  # by given name (tên)
            ),
            reminder("còn 3 ngày"),
        ],
    }
    m1 = scene.users["m1"]
    sent = inbox.last("m1")
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [
        ["✅ Đã nhận", "📖 Đã học tập"],
        [SNOOZE],
    ]
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard for b in row)
    # Pressing "studied" on the reminder records the confirmation.
    answer = await h.press(m1, m1.id, sent["message_id"], f"c:{directive_id}:s")
    assert answer["text"] == f"📖 Đã ghi nhận: đồng chí đã học tập văn bản {NUMBER}. Cảm ơn!"
    async with h.db() as s:
        pressed = await s.scalar(
            select(func.count(Confirmation.id)).where(
                Confirmation.member_id == select_member(scene.id("m1")),
                Confirmation.kind == "studied",
            )
        )
    assert pressed == 1
    # A second tick at the same time sends nothing again.
    assert (await tick(h)).processed == 0
    assert inbox.take() == {}

    # 1 day before: m1 studied; the summaries shrink.
    h.rt.clock.now = local("19/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    assert inbox.take() == {
        "m4": [reminder("còn 1 ngày")],
        "sec_dx": [
            summary("Thành ủy Đồng Xoài", 1, 1, "còn 1 ngày", "Hoàng Mỹ Trang"),
            reminder("còn 1 ngày"),
        ],
        "sec_dx01": [
            summary("Chi bộ trạm y tế 1", 2, 4, "còn 1 ngày", "Vũ Kim Mai, Đặng Thị Yến"),
            reminder("còn 1 ngày"),
        ],
    }

    # 2 hours before.
    h.rt.clock.now = local("20/01/2027 15:00")  # type: ignore[attr-defined]
    await tick(h)
    assert inbox.take() == {
        "m4": [reminder("còn 2 giờ")],
        "sec_dx": [
            summary("Thành ủy Đồng Xoài", 1, 1, "còn 2 giờ", "Hoàng Mỹ Trang"),
            reminder("còn 2 giờ"),
        ],
        "sec_dx01": [
            summary("Chi bộ trạm y tế 1", 2, 4, "còn 2 giờ", "Vũ Kim Mai, Đặng Thị Yến"),
            reminder("còn 2 giờ"),
        ],
    }

    # The deadline passes: the parent unit's secretary gets the lagging child units, the
    # publisher the whole-tree figure; members get nothing more.
    h.rt.clock.now = local("20/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    assert inbox.take() == {
        "sec_dx": [
            f"🚨 Đã quá hạn học tập văn bản {NUMBER} (17:00 Thứ Tư, 20/01/2027). "
            "Các đơn vị trực thuộc Thành ủy Đồng Xoài chưa đạt 100% đã học tập:\n"
            "• Chi bộ trạm y tế 1 (BP-DX-01): 2/4 (50%)\n"
            "• Chi bộ ấp 2 (BP-DX-02): 0/2 (0%)\n"
            "• Chi bộ cơ quan UBND 3 (BP-DX-03): 0/1 (0%)"
        ],
        "admin": [
            f"📊 Hết hạn học tập văn bản {NUMBER} (17:00 Thứ Tư, 20/01/2027): "
            "toàn bộ 2/8 người đã học tập (25%). Số đơn vị chưa đạt 100%: 4."
        ],
    }

    # Later ticks, and the clock jumping back, repeat nothing.
    h.rt.clock.advance(days=30)  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 0
    h.rt.clock.now = local("17/01/2027 17:00")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 0
    assert inbox.take() == {}
    async with h.db() as s:
        states = (await s.scalars(select(Reminder.state))).all()
        assert states == ["done"] * 4
        kinds = await s.execute(
            select(Delivery.kind, func.count())
            .where(Delivery.kind.in_(("reminder", "summary", "escalation")))
            .group_by(Delivery.kind)
            .order_by(Delivery.kind)
        )
        assert kinds.all() == [("escalation", 2), ("reminder", 10), ("summary", 6)]


def select_member(telegram_id: int):  # type: ignore[no-untyped-def]
    from storage.models import Member

    return select(Member.id).where(Member.telegram_id == telegram_id).scalar_subquery()


async def test_snooze_mutes_the_directive_until_the_same_deadlines_next_reminder(
    fast: Harness,
) -> None:
    h = fast
    scene = await build_scene(h)
    await start_private(h, scene, "m1", "m4")
    inbox = Inbox(h, scene)
    directive_id = await publish_as(
        h,
        scene,
        draft(NUMBER, receive_by=naive("20/01/2027 17:00"), study_by=naive("21/01/2027 17:00")),
    )
    inbox.take()
    h.rt.clock.now = local("17/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    got = inbox.take()
    assert sorted(got) == ["m1", "m4"]
    assert got["m4"][0].startswith(
        f"⏰ Nhắc việc: đồng chí chưa xác nhận đã nhận Công văn số {NUMBER}."
    )
    m4, m1 = scene.users["m4"], scene.users["m1"]
    reminder_msg = inbox.last("m4")
    snooze = reminder_msg["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    answer = await h.press(m4, m4.id, reminder_msg["message_id"], snooze)
    assert answer["text"] == (
        f"🔕 Tạm thời không nhắc văn bản {NUMBER} nữa. "
        "Lần nhắc sau: 17:00 Thứ Ba, 19/01/2027. Hạn vẫn giữ nguyên."
    )
    # Forged or misplaced snoozes are refused: on the private copy, or another reminder's id.
    copy = h.bot_messages(m1.id)[-2]
    for message_id, data in (
        (copy["message_id"], snooze),
        (inbox.last("m1")["message_id"], "z:999"),
    ):
        query = h.sandbox.press_button(h.token, m1.id, m1.id, message_id, data, forged=True)
        await h.sandbox.wait_for(lambda q=query: q in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[query]["text"] == "Nút này không còn hợp lệ."

    # The study deadline's first reminder falls inside m4's snooze: m1 only. m4 still counts.
    h.rt.clock.now = local("18/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    got = inbox.take()
    assert list(got) == ["m1"]
    assert got["m1"][0].startswith("⏰ Nhắc việc: đồng chí chưa xác nhận đã học tập")
    async with h.db() as s:
        scope = await member_scope(s, directive_id, "study_by")
        paths = await target_paths(s, directive_id)
        recipients = reminder_recipients(paths, directive_id, "study_by", h.rt.now())
        reminded = set((await s.execute(recipients)).all())
    dx02 = next(u for u in scope.units.values() if u.code == "BP-DX-02")
    assert "Đỗ Xuân Hải" in dx02.pending  # still pending: the deadline does not move
    assert {telegram_id for _, telegram_id, _ in reminded} == {scene.id("m1")}

    # The receiving deadline's next reminder: the snooze is over.
    h.rt.clock.now = local("19/01/2027 17:00")  # type: ignore[attr-defined]
    await tick(h)
    got = inbox.take()
    assert sorted(got) == ["m1", "m4"]
    assert "(còn 1 ngày)" in got["m4"][0]


async def test_a_reminder_in_quiet_hours_goes_out_at_seven(fast: Harness) -> None:
    h = fast
    scene = await build_scene(h)
    await start_private(h, scene, "m1")
    inbox = Inbox(h, scene)
    await publish_as(h, scene, draft(NUMBER, study_by=naive("21/01/2027 08:00")))
    inbox.take()
    async with h.db() as s:
        rows = (await s.scalars(select(Reminder).order_by(Reminder.due_at))).all()
    assert [shown(r.due_at) for r in rows] == [
        "18/01/2027 08:00",
        "20/01/2027 08:00",
        "21/01/2027 07:00",  # 2 hours before would be 06:00, inside quiet hours
        "21/01/2027 08:00",
    ]
    for moment in ("18/01/2027 08:00", "20/01/2027 08:00"):
        h.rt.clock.now = local(moment)  # type: ignore[attr-defined]
        await tick(h)
    assert len(inbox.take()["m1"]) == 2
    h.rt.clock.now = local("21/01/2027 06:00")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 0
    h.rt.clock.now = local("21/01/2027 06:59")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 0
    assert inbox.take() == {}
    h.rt.clock.now = local("21/01/2027 07:00")  # type: ignore[attr-defined]
    assert (await tick(h)).processed == 1
    [text] = inbox.take()["m1"]
    assert "Hạn: 08:00 Thứ Năm, 21/01/2027 (còn 1 giờ)." in text


async def test_a_late_evening_deadline_is_reminded_before_quiet_hours(fast: Harness) -> None:
    """Reminders at 23:00 wait for 07:00; 2 hours before a 23:00 deadline is 21:00, quiet, and
    the morning would be too late, so it goes at 20:59 — and a tick a couple of minutes late
    still sends it rather than holding it for the morning after the deadline."""
    h = fast
    scene = await build_scene(h)
    await start_private(h, scene, "m1")
    inbox = Inbox(h, scene)
    await publish_as(h, scene, draft(NUMBER, study_by=naive("21/01/2027 23:00")))
    inbox.take()
    async with h.db() as s:
        rows = (await s.scalars(select(Reminder).order_by(Reminder.due_at))).all()
    assert [shown(r.due_at) for r in rows] == [
        "19/01/2027 07:00",
        "21/01/2027 07:00",
        "21/01/2027 20:59",
        "22/01/2027 07:00",  # the escalation waits for the morning too
    ]
    h.rt.clock.now = local("21/01/2027 21:02")  # type: ignore[attr-defined]
    result = await tick(h)
    assert (result.processed, result.skipped, result.postponed) == (1, 2, 0)
    [text] = inbox.take()["m1"]  # only the latest of the three due reminders
    assert "Hạn: 23:00 Thứ Năm, 21/01/2027 (còn 2 giờ)." in text
