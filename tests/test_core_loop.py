"""The core loop end to end through the sandbox: publish → one post per linked chat → presses
→ counters → /pending shows exactly who did not press, by unit."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.delivery.sender import OutboxSender
from bot.services.tree import import_members
from storage import queries
from storage.models import Confirmation, Delivery
from tests.kit.harness import Harness
from tests.kit.publishing import NUMBER, post_in, publish_sample
from tests.kit.scene import build_scene


def sender_of(h: Harness) -> OutboxSender:
    sender = h.rt.sender
    assert sender is not None
    return sender


async def test_publish_posts_once_per_linked_chat_with_buttons_and_qr(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    for code, group in scene.groups.items():
        messages = h.bot_messages(group.id)
        posts = [m for m in messages if m.get("text")]
        photos = [m for m in messages if m.get("photo")]
        assert len(posts) == 1, code
        assert len(photos) == 1 and "Trang Tự hào Bình Phước" in photos[0]["caption"]
        post = posts[0]
        assert post["text"].startswith("📄 Công văn số 1208-CV/BTGTU")
        assert "Hạn" in post["text"] or "Thời hạn" in post["text"]
        assert "17:00 Thứ Bảy, 20/02/2027" in post["text"]
        buttons = post["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["✅ Đã nhận", "📖 Đã học tập"]
        assert [b["callback_data"] for b in buttons] == [
            f"c:{directive_id}:r",
            f"c:{directive_id}:s",
        ]
    assert post_in(h, scene.groups["BP-DX-01"].id)["text"].endswith("Đã nhận 0/4 · Đã học 0/4")
    # no private copies: nobody has opened a private chat with the bot yet
    assert h.bot_messages(scene.id("m1")) == []
    async with h.db() as s:
        states = await s.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        assert dict(states.all()) == {"sent": 6}


async def test_members_with_a_private_chat_get_their_own_copy(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await h.send(scene.users["m1"], "/start")
    await publish_sample(h, scene)
    await h.settle(lambda: len(h.bot_messages(scene.id("m1"))) == 2)
    copy = h.bot_messages(scene.id("m1"))[1]
    assert copy["text"].startswith("📄 Công văn số 1208-CV/BTGTU")
    answer = await h.press(
        scene.users["m1"],
        scene.id("m1"),
        copy["message_id"],
        copy["reply_markup"]["inline_keyboard"][0][1]["callback_data"],
    )
    assert answer["text"] == "📖 Đã ghi nhận: đồng chí đã học tập văn bản 1208-CV/BTGTU. Cảm ơn!"
    async with h.db() as s:
        kinds = (await s.scalars(select(Confirmation.kind).order_by(Confirmation.kind))).all()
    assert kinds == ["received", "studied"]  # studied implies received


async def test_presses_are_recorded_once_and_counters_and_pending_follow(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    dx01 = scene.groups["BP-DX-01"].id
    post = post_in(h, dx01)
    r, s_ = f"c:{directive_id}:r", f"c:{directive_id}:s"

    answer = await h.press(scene.users["m1"], dx01, post["message_id"], r)
    assert answer["text"] == "✅ Đã ghi nhận: đồng chí đã nhận văn bản 1208-CV/BTGTU. Cảm ơn!"
    again = await h.press(scene.users["m1"], dx01, post["message_id"], r)
    assert again["text"] == "Đồng chí đã xác nhận đã nhận văn bản 1208-CV/BTGTU rồi."
    await h.press(scene.users["m2"], dx01, post["message_id"], s_)
    dx02 = scene.groups["BP-DX-02"].id
    await h.press(scene.users["m4"], dx02, post_in(h, dx02)["message_id"], r)

    await h.settle(
        lambda: (
            post_in(h, dx01)["text"].endswith("Đã nhận 2/4 · Đã học 1/4")
            and post_in(h, dx02)["text"].endswith("Đã nhận 1/2 · Đã học 0/2")
        )
    )
    async with h.db() as s:
        assert await s.scalar(select(func.count(Confirmation.id))) == 4  # m1 r, m2 r+s, m4 r

    # The district secretary sees their sub-tree only, by unit, with the missing names.
    [reply] = await h.send(scene.users["sec_dx"], f"/pending {NUMBER}")
    text = reply["text"]
    assert text.startswith("📋 Tình hình xác nhận — 1208-CV/BTGTU")
    assert "Toàn bộ: đã nhận 3/8 (38%) · đã học 1/8 (12%)" in text
    assert "Chi bộ trạm y tế 1 (BP-DX-01): nhận 2/4 · học 1/4" in text
    assert "Chưa nhận (2): Vũ Kim Mai, Đặng Thị Yến" in text
    assert "Đã nhận, chưa học tập (1): Phan Minh Tuấn" in text  # disjoint from "Chưa nhận"
    assert "Chi bộ ấp 2 (BP-DX-02): nhận 1/2 · học 0/2" in text
    assert "Chưa nhận (1): Dương Bích Lan" in text
    assert "BP-BL-01" not in text and "Trần Văn Bình" not in text
    assert "Hoàng Mỹ Trang" in text  # the secretary is a member of BP-DX and has not pressed


async def test_pending_is_for_secretaries(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await publish_sample(h, scene)
    [reply] = await h.send(scene.users["m1"], "/pending")
    assert reply["text"].startswith("Lệnh /pending dành cho bí thư và quản trị viên.")
    [reply] = await h.send(scene.users["sec_dx"], "/pending 9999-XX")
    assert reply["text"].startswith("Không tìm thấy văn bản số 9999-XX.")


async def test_forged_and_stale_presses_are_answered_and_record_nothing(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    dx01, bl01 = scene.groups["BP-DX-01"].id, scene.groups["BP-BL-01"].id
    post = post_in(h, dx01)
    m1 = scene.users["m1"]
    cases = {
        f"c:{directive_id + 7}:r": "Nút này không còn hợp lệ.",  # no such directive
        "c:abc:r": "Nút này không còn hợp lệ.",  # malformed
        "c:\u0000\u00ff:x": "Nút này không còn hợp lệ.",  # garbage bytes
        f"c:{directive_id}:z": "Nút này không còn hợp lệ.",  # unknown kind
    }
    for data, toast in cases.items():
        query_id = h.sandbox.press_button(
            h.token, m1.id, dx01, post["message_id"], data, forged=True
        )
        await h.sandbox.wait_for(lambda q=query_id: q in h.sandbox.callback_answers)
        assert h.sandbox.callback_answers[query_id]["text"] == toast, data
    # a real directive pressed on a message it was not sent as (another of the bot's messages)
    qr = next(m for m in h.bot_messages(dx01) if m.get("photo"))
    query_id = h.sandbox.press_button(
        h.token, m1.id, dx01, qr["message_id"], f"c:{directive_id}:r", forged=True
    )
    await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query_id]["text"] == (
        "Văn bản 1208-CV/BTGTU không được gửi vào cuộc trò chuyện này."
    )
    # a press in an unlinked group that never got the directive
    stray = h.group("Nhóm lạ")
    h.sandbox.add_chat_member(stray.id, m1.id)
    h.sandbox.add_bot_to_chat(stray.id, h.token, by_user_id=m1.id)
    [_bot_msg] = await h.send(m1, "/help", chat_id=stray.id)
    query_id = h.sandbox.press_button(
        h.token, m1.id, stray.id, _bot_msg["message_id"], f"c:{directive_id}:r", forged=True
    )
    await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
    assert "không được gửi vào cuộc trò chuyện này" in h.sandbox.callback_answers[query_id]["text"]
    # pressing another unit's post from outside is fine only where it was posted
    assert bl01 != dx01
    async with h.db() as s:
        assert await s.scalar(select(func.count(Confirmation.id))) == 0


async def test_unknown_presser_is_recorded_but_not_added_to_the_roster(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    dx01 = scene.groups["BP-DX-01"].id
    newcomer = h.user("Tâm", last_name="Hồ")
    h.sandbox.add_chat_member(dx01, newcomer.id)
    answer = await h.press(newcomer, dx01, post_in(h, dx01)["message_id"], f"c:{directive_id}:r")
    assert answer["text"].startswith("✅ Đã ghi nhận")
    assert f"xin mở @{h.rt.bot_username} và tìm tên mình" in answer["text"]
    assert len(answer["text"]) <= 200
    await h.settle()
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, newcomer.id)
        assert member is not None
        assert not await queries.memberships_of(s, member.id)  # the figures stay over the roster
        kinds = (
            await s.scalars(select(Confirmation.kind).where(Confirmation.member_id == member.id))
        ).all()
        assert kinds == ["received"]  # the proof is kept
    assert post_in(h, dx01)["text"].endswith("Đã nhận 0/4 · Đã học 0/4")


async def test_long_pending_list_is_paged_with_buttons(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    many = "telegram_id,full_name,username,unit_code,role,language\n" + "".join(
        f"{900000000 + i},Nguyễn Thị Người Thứ {i:03d},,BP-DX-04,member,vi\n" for i in range(400)
    )
    async with h.db() as s:
        await import_members(s, many)
    await publish_sample(h, scene)
    sec = scene.users["sec_dx"]
    [first] = await h.send(sec, f"/pending {NUMBER}")
    assert first["text"].endswith("Trang 1/2") or "Trang 1/" in first["text"]
    pages = int(first["text"].rsplit("/", 1)[1])
    assert len(first["text"]) <= 4096
    [[nxt]] = first["reply_markup"]["inline_keyboard"]
    assert nxt["text"] == "Trang sau ›"
    await h.press(sec, sec.id, first["message_id"], nxt["callback_data"])
    await h.settle(lambda: h.bot_messages(sec.id)[-1]["text"].endswith(f"Trang 2/{pages}"))
    second = h.bot_messages(sec.id)[-1]
    assert second["message_id"] == first["message_id"]  # edited in place, not a new message
    seen = "\n".join([first["text"], second["text"]])
    assert "Nguyễn Thị Người Thứ 000" in seen
    # a plain member replaying the page button in their own chat is refused
    m1 = scene.users["m1"]
    [mine] = await h.send(m1, "/help")
    query = h.sandbox.press_button(
        h.token, m1.id, m1.id, mine["message_id"], nxt["callback_data"], forged=True
    )
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query]["text"] == "Nút này không còn hợp lệ."
