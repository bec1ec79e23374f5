"""The broadcast and status services on SQLite and PostgreSQL, without Telegram: what is
written, how progress is counted, what a stop takes out, what the guard refuses, what
**Gửi lại** queues again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.broadcast_worker import ProgressUpdater
from bot.delivery.broadcast_guard import SkipStoppedBroadcasts
from bot.i18n import Texts
from bot.services import broadcast, outbox, status
from bot.services.broadcast import Announcement, BroadcastError
from bot.services.ports import Rejected, RetryLater
from bot.services.tree import import_members, import_units
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import Broadcast, Chat, Delivery, Directive, Member
from tests.kit.paths import SAMPLE

NOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)
CHATS = {"BP-DX-01": -1001, "BP-DX-02": -1002, "BP-BL-01": -1003, "BP-DX-03": -1004}


async def setup_tree(sessions: SessionFactory) -> None:
    members = "telegram_id,full_name,username,unit_code,role,language\n"
    members += "11,Lê Ngọc Nhung,,BP-BTG,admin,vi\n12,Hoàng Mỹ Trang,,BP-DX,secretary,vi\n"
    async with transaction(sessions) as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with transaction(sessions) as s:
        await import_members(s, members)
        for code, telegram_id in CHATS.items():
            unit = await queries.unit_by_code(s, code)
            assert unit is not None
            s.add(
                Chat(
                    telegram_id=telegram_id,
                    type="supergroup",
                    title=f"Nhóm {code}",
                    unit_id=unit.id,
                    active=code != "BP-DX-03",  # an unlinked chat gets nothing
                )
            )


async def member(s: Any, telegram_id: int) -> Member:
    found = await queries.member_by_telegram_id(s, telegram_id)
    assert found is not None
    return found


async def start(
    sessions: SessionFactory, ann: Announcement, codes: list[str], by: int | None = 11
) -> int:
    async with transaction(sessions) as s:
        units = await broadcast.resolve_targets(s, codes)
        creator = await member(s, by) if by else None
        row, _ = await broadcast.create(s, ann, units, creator=creator, config_admins=[], now=NOW)
        return row.id


async def test_one_escaped_announcement_per_active_chat(sessions: SessionFactory) -> None:
    await setup_tree(sessions)
    broadcast_id = await start(
        sessions, Announcement("Họp <b>lúc</b> 8 giờ & đúng giờ", pin=True), ["BP-DX", "BP-DX-01"]
    )
    async with transaction(sessions) as s:
        rows = (await s.scalars(select(Delivery).order_by(Delivery.target_telegram_id))).all()
        assert [r.target_telegram_id for r in rows] == [-1002, -1001]  # each chat once
        assert {r.kind for r in rows} == {"announcement"}
        assert rows[0].payload == {
            "method": "message",
            "text": "Họp &lt;b&gt;lúc&lt;/b&gt; 8 giờ &amp; đúng giờ",
            "pin": True,
            "broadcast": broadcast_id,
        }
        assert not rows[0].payload_has_counters
    photo = Announcement("Lịch trực", "photo", file_id="AgAC123")
    photo_id = await start(sessions, photo, ["BP-BL"])
    async with transaction(sessions) as s:
        [row] = (await s.scalars(select(Delivery).where(Delivery.broadcast_id == photo_id))).all()
        assert row.payload == {
            "method": "photo",
            "file_id": "AgAC123",
            "caption": "Lịch trực",
            "broadcast": photo_id,
        }


@pytest.mark.parametrize(
    ("ann", "codes", "by", "key"),
    [
        (Announcement("x"), ["BP"], 12, "broadcast-not-admin"),
        (Announcement("   "), ["BP"], 11, "broadcast-empty"),
        (Announcement("x" * 4097), ["BP"], 11, "broadcast-too-long"),
        (Announcement("x" * 1025, "photo", file_id="f"), ["BP"], 11, "broadcast-caption-too-long"),
        (Announcement("x"), ["BP-XX"], 11, "broadcast-unknown-target"),
        (Announcement("x"), ["BP-DX-03"], 11, "broadcast-no-chats"),
        (Announcement("x"), [" "], 11, "broadcast-no-targets"),
    ],
)
async def test_refusals_write_nothing(
    sessions: SessionFactory, ann: Announcement, codes: list[str], by: int, key: str
) -> None:
    await setup_tree(sessions)
    with pytest.raises(BroadcastError) as caught:
        await start(sessions, ann, codes, by)
    assert caught.value.key == key
    async with transaction(sessions) as s:
        assert (await s.scalars(select(Broadcast))).all() == []
        assert (await s.scalars(select(Delivery))).all() == []


class FakePort:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.edits: list[tuple[int, int, str]] = []
        self.fail_edits: list[Exception] = []

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        self.sent.append(target)
        return len(self.sent)

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        if self.fail_edits:
            raise self.fail_edits.pop(0)
        self.edits.append((target, message_id, payload["text"]))


async def test_stop_progress_guard_and_closing(sessions: SessionFactory) -> None:
    await setup_tree(sessions)
    broadcast_id = await start(sessions, Announcement("Tạm dừng"), ["BP"])
    async with transaction(sessions) as s:
        row = await s.get(Broadcast, broadcast_id)
        assert row is not None
        row.progress_chat_id, row.progress_message_id = 11, 500
        rows = (await s.scalars(select(Delivery).order_by(Delivery.id))).all()
        await outbox.mark_sent(s, rows[0].id, 77, NOW)
        # A sender is posting the second row right now.
        await s.execute(
            update(Delivery)
            .where(Delivery.id == rows[1].id)
            .values(state=outbox.SENDING, claimed_by="w", claimed_at=NOW)
        )
        in_flight = rows[1].id
        payloads = {r.id: dict(r.payload) for r in rows}
    port = FakePort()
    updater = ProgressUpdater(sessions, port, Texts())
    assert await updater.tick() == 0
    assert port.edits == [(11, 500, "📣 Đang gửi thông báo…\nĐã gửi 1/3 · lỗi 0")]
    assert await updater.tick() == 0 and len(port.edits) == 1  # unchanged: no edit

    async with transaction(sessions) as s:
        intruder = await member(s, 12)
        refused = await broadcast.stop(s, broadcast_id, by=intruder, config_admins=[], now=NOW)
        assert refused.status == "not-allowed"
        outcome = await broadcast.stop(s, broadcast_id, by=None, config_admins=[], now=NOW)
        assert outcome == broadcast.StopOutcome("stopped", 1)  # the queued one
        counts = await broadcast.progress(s, broadcast_id)
    assert counts == broadcast.Progress(total=3, sent=1, failed=0, cancelled=1, pending=1)
    # The claimed row reaches the guard: refused, nothing posted; other payloads pass.
    guard = SkipStoppedBroadcasts(port, sessions)
    with pytest.raises(Rejected):
        await guard.send(-1, payloads[in_flight])
    assert await guard.send(-5, {"method": "message", "text": "chỉ thị"}) == 1
    assert port.sent == [-5]
    async with transaction(sessions) as s:
        await outbox.mark_failed(s, in_flight, broadcast.CANCELLED)  # as the sender does
    port.fail_edits.append(RetryLater(1.0))
    assert await updater.tick() == 0  # the final line could not be shown yet: stays open
    assert await updater.tick() == 1
    assert port.edits[-1][2] == "⏹ Đã dừng: đã gửi 1 · lỗi 0 · huỷ 2"
    async with transaction(sessions) as s:
        assert (await s.get(Broadcast, broadcast_id)).status == broadcast.STOPPED  # type: ignore[union-attr]
        again = await broadcast.stop(s, broadcast_id, by=None, config_admins=[], now=NOW)
    assert again.status == "already"


async def test_resend_queues_active_or_transient_failures_under_the_roots(
    sessions: SessionFactory,
) -> None:
    await setup_tree(sessions)
    async with transaction(sessions) as s:
        directive = Directive(number="1-CV/X", title="t", issuer="i")
        s.add(directive)
        await s.flush()
        chats = {c.title: c for c in (await s.scalars(select(Chat))).all()}
        items = [
            outbox.Outgoing(
                f"k{i}",
                "post",
                chats[f"Nhóm {code}"].telegram_id,
                {"method": "message", "text": "x", "counters": "0/1"},
                directive_id=directive.id,
                chat_id=chats[f"Nhóm {code}"].id,
            )
            for i, code in enumerate(["BP-DX-01", "BP-DX-02", "BP-BL-01", "BP-DX-03"])
        ]
        await outbox.enqueue(s, items)
        rows = {r.target_telegram_id: r for r in (await s.scalars(select(Delivery))).all()}
        await outbox.mark_failed(s, rows[-1001].id, "Timed out")  # active chat
        await outbox.mark_failed(s, rows[-1002].id, "Forbidden: bot was kicked")
        await outbox.mark_failed(s, rows[-1003].id, "Forbidden: bot was kicked")
        await outbox.mark_failed(s, rows[-1004].id, "Timed out")  # inactive, transient
        chats["Nhóm BP-DX-02"].active = False
        directive_id = directive.id
    async with transaction(sessions) as s:
        roots = [await queries.unit_by_code(s, "BP-DX")]
        done = await status.requeue_failed(s, directive_id, roots)  # type: ignore[arg-type]
    assert done == status.Requeued(messages=2, chats=2, skipped_chats=1)
    async with transaction(sessions) as s:
        states = {
            r.target_telegram_id: (r.state, r.attempts, r.counters_dirty)
            for r in (await s.scalars(select(Delivery))).all()
        }
    assert states == {
        -1001: ("queued", 0, True),
        -1002: ("failed", 1, False),  # the bot is gone: wait for /link
        -1003: ("failed", 1, False),  # outside the roots
        -1004: ("queued", 0, True),
    }


def test_progress_numbers_are_written_the_vietnamese_way() -> None:
    from bot.services.broadcast_text import progress_payload

    t = Texts().for_lang("vi")
    p = broadcast.Progress(total=1032, sent=640, failed=3, cancelled=0, pending=389)
    payload = progress_payload(t, p, broadcast.SENDING, 42)
    assert payload["text"] == "📣 Đang gửi thông báo…\nĐã gửi 640/1.032 · lỗi 3"
    assert payload["buttons"] == [[{"text": "⏹ Dừng", "data": "bs:42"}]]
    done = broadcast.Progress(total=1032, sent=1029, failed=3, cancelled=0, pending=0)
    final = progress_payload(t, done, broadcast.SENDING, 42)
    assert final == {"text": "✅ Hoàn tất: đã gửi 1.029 · lỗi 3"}
    english = progress_payload(Texts().for_lang("en"), p, broadcast.SENDING, 42)
    assert english["text"].endswith("Sent 640/1,032 · failed 3")
