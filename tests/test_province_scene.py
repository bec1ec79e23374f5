"""The core loop as one story, every step through the sandbox with the real PTB client:
the sample tree is imported, secretaries link three unit groups with /link, members join by
deep link, the admin publishes 1208-CV/BTGTU from chat, each linked chat under the targets gets
exactly one post with the right buttons, members press, the counters move, and /pending shows
exactly the members who did not press, by unit."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import queries
from storage.models import Chat, Confirmation, Delivery, Membership
from tests.kit.harness import Harness
from tests.kit.publishing import answer_up_to_targets, post_in, say, tap
from tests.kit.scene import GROUPS, build_scene

NUMBER = "1208-CV/BTGTU"


async def test_province_scene_from_link_to_pending(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h, link=False)

    # 1. Three unit groups are linked with /link from inside each group: the district
    #    secretary links the two cells under Đồng Xoài, the admin the cell in Bình Long.
    sec, admin = scene.users["sec_dx"], scene.users["admin"]
    h.sandbox.add_chat_member(scene.groups["BP-BL-01"].id, admin.id)
    for code in GROUPS:
        who = sec if code.startswith("BP-DX") else admin
        [reply] = await h.send(who, f"/link {code}", chat_id=scene.groups[code].id)
        assert reply["text"].startswith("Đã gắn"), reply["text"]
    async with h.db() as s:
        linked = (await s.scalars(select(Chat.telegram_id).where(Chat.active.is_(True)))).all()
    assert sorted(linked) == sorted(g.id for g in scene.groups.values())

    # 2. The district secretary lets BP-DX-01 take joiners without approval; two newcomers not
    #    on its list open its deep link, ask to be added, and are on the list at once.
    [switched] = await h.send(sec, "/join_approval BP-DX-01 off")
    assert "Chi bộ trạm y tế 1" in switched["text"], switched["text"]
    async with h.db() as s:
        cell = await queries.unit_by_code(s, "BP-DX-01")
        assert cell is not None and cell.join_approval is False
        token, cell_id = cell.join_token, cell.id
    dx01 = scene.groups["BP-DX-01"].id
    newcomers = [h.user("Hạnh", last_name="Kiều Thị"), h.user("Khoa", last_name="Mạc Đăng")]
    for person in newcomers:
        [ask, *_] = await h.send(person, f"/start {token}")
        assert "Chi bộ trạm y tế 1" in ask["text"]
        [ask_button] = [
            b
            for row in ask["reply_markup"]["inline_keyboard"]
            for b in row
            if "xin được bổ sung" in b["text"]
        ]
        await h.press(person, person.id, ask["message_id"], ask_button["callback_data"])
        await h.settle()
        h.sandbox.add_chat_member(dx01, person.id)
    async with h.db() as s:
        members = await s.scalar(
            select(func.count(Membership.id)).where(Membership.unit_id == cell_id)
        )
    assert members == 6  # secretary, three imported members, two who joined

    # 3. The admin publishes 1208-CV/BTGTU from a private chat.
    await answer_up_to_targets(h, admin)
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Có")
    await say(h, admin, "20/02/2027 17:00")
    await say(h, admin, "01/03/2027 17:00")
    await tap(h, admin, "Bỏ qua", replies=3)
    note = h.bot_messages(admin.id)[-1]
    publish = note["reply_markup"]["inline_keyboard"][0][0]
    assert publish["text"] == "📤 Ban hành"
    await h.press(admin, admin.id, note["message_id"], publish["callback_data"])
    await h.outbox_idle()

    # 4. Exactly one post per linked chat, with the right buttons (and its QR code).
    async with h.db() as s:
        posts = await s.scalar(select(func.count(Delivery.id)).where(Delivery.kind == "post"))
    assert posts == 3
    for group in scene.groups.values():
        texts = [m for m in h.bot_messages(group.id) if m.get("reply_markup")]
        assert len(texts) == 1
        labels = [b["text"] for b in texts[0]["reply_markup"]["inline_keyboard"][0]]
        assert labels == ["✅ Đã nhận", "📖 Đã học tập"]
    # the newcomers opened a private chat with the bot, so they also got their own copy
    for person in newcomers:
        assert any(
            m.get("text", "").startswith("📄 Công văn số 1208-CV/BTGTU")
            for m in h.bot_messages(person.id)
        )

    # 5. Members press in the group; one newcomer presses on the private copy.
    post = post_in(h, dx01)
    received, studied = (b["callback_data"] for b in post["reply_markup"]["inline_keyboard"][0])
    await h.press(scene.users["m1"], dx01, post["message_id"], received)
    await h.press(newcomers[0], dx01, post["message_id"], studied)
    copy = next(m for m in h.bot_messages(newcomers[1].id) if m.get("reply_markup"))
    await h.press(newcomers[1], newcomers[1].id, copy["message_id"], received)
    dx02 = scene.groups["BP-DX-02"].id
    await h.press(scene.users["m4"], dx02, post_in(h, dx02)["message_id"], received)

    # 6. The counters follow (coalesced, edited in place).
    await h.settle(
        lambda: (
            post_in(h, dx01)["text"].endswith("Đã nhận 3/6 · Đã học 1/6")
            and post_in(h, dx02)["text"].endswith("Đã nhận 1/2 · Đã học 0/2")
        )
    )
    async with h.db() as s:
        assert await s.scalar(select(func.count(Confirmation.id))) == 5

    # 7. /pending from the district secretary: exactly who did not press, by unit.
    [reply] = await h.send(sec, f"/pending {NUMBER}")
    text = reply["text"]
    assert "Chi bộ trạm y tế 1 (BP-DX-01): nhận 3/6 · học 1/6" in text
    assert "Chưa nhận (3): Lý Thanh Dung, Vũ Kim Mai, Đặng Thị Yến" in text
    # names as Telegram gives them (given name first) until the member corrects it with /name
    assert "Đã nhận, chưa học tập (2): Khoa Mạc Đăng, Phan Minh Tuấn" in text
    assert "Chi bộ ấp 2 (BP-DX-02): nhận 1/2 · học 0/2" in text
    assert "Chưa nhận (1): Dương Bích Lan" in text
    assert "BP-BL-01" not in text  # outside the district secretary's sub-tree
