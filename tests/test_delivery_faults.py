"""When Telegram or the network misbehaves during a fan-out: errors are retried, gone chats
fail with their reason and the secretary is told, migrated groups are followed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Chat, Delivery, Member
from tests.kit.harness import Harness, MakeHarness
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import Scene, build_scene

TITLE = "V/v tăng cường tham gia tiếp cận, chia sẻ thông tin trên trang Tự hào Bình Phước"


@pytest.fixture
async def h(make_harness: MakeHarness) -> AsyncIterator[Harness]:
    async with make_harness(delivery={"retry_base_seconds": 0.05}) as harness:
        yield harness


def texts_in(h: Harness, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in h.bot_messages(chat_id)]


def posts_in(h: Harness, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in h.bot_messages(chat_id) if str(m.get("text", "")).startswith("📄")]


async def rows(h: Harness) -> list[Delivery]:
    async with h.db() as s:
        return list((await s.scalars(select(Delivery).order_by(Delivery.id))).all())


async def test_server_errors_and_dropped_connections_are_retried_once_each(h: Harness) -> None:
    scene = await build_scene(h)
    h.sandbox.fail_next("sendMessage", count=2, status=502)
    h.sandbox.fail_next("sendMessage", mode="drop")  # no answer at all: a network error
    h.sandbox.fail_next("sendPhoto", status=500)
    await publish_sample(h, scene)
    for group in scene.groups.values():
        assert len(posts_in(h, group.id)) == 1
        assert len([m for m in h.bot_messages(group.id) if m.get("photo")]) == 1
    errors = [c.error_code for c in h.sandbox.calls if c.method in ("sendMessage", "sendPhoto")]
    assert errors.count(502) == 2 and errors.count(500) == 1
    done = await rows(h)
    assert {r.state for r in done} == {"sent"}
    assert sum(r.attempts for r in done) == len(done) + 4  # four failed tries, all retried


async def test_an_answer_lost_after_telegram_posted_is_the_one_way_to_post_twice(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    h.sandbox.fail_next("sendMessage", mode="drop_after")  # posted, but we never hear of it
    await publish_sample(h, scene)
    counts = sorted(len(posts_in(h, g.id)) for g in scene.groups.values())
    assert counts == [1, 1, 2]  # the unavoidable duplicate, and only that one
    assert {r.state for r in await rows(h)} == {"sent"}


async def start(h: Harness, scene: Scene, *keys: str) -> None:
    for key in keys:
        await h.send(scene.users[key], "/start")


async def test_gone_chats_fail_with_their_reason_and_the_secretary_is_told_once(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    await start(h, scene, "sec_dx", "sec_dx01", "m1")
    dx01, dx02, bl01 = (scene.groups[c].id for c in ("BP-DX-01", "BP-DX-02", "BP-BL-01"))
    h.sandbox.kick_bot(h.token, dx01)
    h.sandbox.delete_chat(dx02)
    h.sandbox.block_bot(h.token, scene.id("m1"))
    await publish_sample(h, scene)

    done = await rows(h)
    by_target: dict[int, list[Delivery]] = {}
    for row in done:
        by_target.setdefault(row.target_telegram_id, []).append(row)
    reasons = {
        "kicked": by_target[dx01],
        "chat not found": by_target[dx02],
        "blocked": by_target[scene.id("m1")],
    }
    for reason, gone in reasons.items():
        assert {r.state for r in gone} == {"failed"}
        assert all(reason in (r.last_error or "").lower() for r in gone), reason
    assert len(posts_in(h, bl01)) == 1  # the others are unaffected
    async with h.db() as s:
        chats = {c.telegram_id: c for c in (await s.scalars(select(Chat))).all()}
        m1 = await s.scalar(select(Member).where(Member.telegram_id == scene.id("m1")))
    assert not chats[dx01].active and "kicked" in (chats[dx01].inactive_reason or "")
    assert not chats[dx02].active and chats[bl01].active
    assert m1 is not None and m1.blocked

    # BP-DX-01 has its own secretary; BP-DX-02 has none, so the district's is told.
    cell = [t for t in texts_in(h, scene.id("sec_dx01")) if t.startswith("⚠️")]
    assert sorted(cell) == sorted([
        f"⚠️ Chithi không gửi được văn bản số {NUMBER} ({TITLE}) vào nhóm «Nhóm BP-DX-01»: "
        "Chithi đã bị mời ra khỏi nhóm.\n"
        "Các tin sau cho nhóm này sẽ tạm dừng. Xin đồng chí kiểm tra lại nhóm, thêm lại Chithi "
        "vào nhóm nếu cần rồi gắn lại nhóm với đơn vị bằng lệnh /link.",
        f"⚠️ Chithi không gửi được bản riêng văn bản số {NUMBER} ({TITLE}) tới đồng chí "
        "Phan Minh Tuấn: người nhận đã chặn Chithi.\n"
        "Đồng chí ấy vẫn xem được văn bản trong nhóm của đơn vị. Nếu cần nhận tin riêng, xin "
        "nhắc đồng chí ấy mở lại Chithi và bấm «Bắt đầu».",
    ])  # fmt: skip
    district = [t for t in texts_in(h, scene.id("sec_dx")) if t.startswith("⚠️")]
    assert len(district) == 1
    assert "«Nhóm BP-DX-02»: cuộc trò chuyện không còn tồn tại" in district[0]
    notices = [r for r in done if r.kind == "notice"]
    assert len(notices) == 3 and {r.state for r in notices} == {"sent"}


async def test_a_group_that_became_a_supergroup_gets_the_post_at_its_new_id(h: Harness) -> None:
    scene = await build_scene(h)
    old = h.group("Nhóm cũ", kind="group")
    for key in ("m6",):
        h.sandbox.add_chat_member(old.id, scene.id(key))
    h.sandbox.add_bot_to_chat(old.id, h.token)
    async with h.db() as s:
        bl01 = await s.scalar(select(Chat).where(Chat.telegram_id == scene.groups["BP-BL-01"].id))
        assert bl01 is not None
        bl01.telegram_id, bl01.type = old.id, "group"  # the unit's chat is a basic group
    new_id = h.sandbox.migrate_to_supergroup(old.id)
    await publish_sample(h, scene)

    assert len(posts_in(h, new_id)) == 1
    assert [m for m in h.bot_messages(old.id) if m.get("text", "").startswith("📄")] == []
    async with h.db() as s:
        chat = await s.scalar(select(Chat).where(Chat.telegram_id == new_id))
        moved = (await s.scalars(select(Delivery).where(Delivery.chat_id == chat.id))).all()
    assert chat is not None and chat.type == "supergroup" and chat.active
    assert {(r.target_telegram_id, r.state) for r in moved} == {(new_id, "sent")}
