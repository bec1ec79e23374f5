"""/publish in a private chat, end to end through the sandbox: the admin answers every step for
1208-CV/BTGTU, sees the preview, confirms; every linked group gets one post and one QR code;
presses, counters and /pending follow. And every way the dialogue refuses or stops."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.services import directive_rules as rules
from bot.services.drafts import read_directive_file
from bot.services.tg_text import tg_len
from storage.models import Confirmation, Delivery, Directive
from tests.kit.harness import FakeClock, Harness
from tests.kit.paths import SAMPLE
from tests.kit.publishing import (
    ISSUER,
    LINK,
    NUMBER,
    SAMPLE_1208,
    answer_up_to_targets,
    buttons_of,
    last_keyboard,
    post_in,
    publish_sample,
    say,
    tap,
)
from tests.kit.scene import build_scene


async def directive_count(h: Harness) -> int:
    async with h.db() as s:
        return int(await s.scalar(select(func.count(Directive.id))) or 0)


def without_counters(text: str) -> str:
    return text.rsplit("\n\n", 1)[0]


async def test_admin_publishes_1208_from_chat_and_groups_get_it_once(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]

    reply = await say(h, admin, "/publish")
    assert reply["text"].startswith("📝 Ban hành văn bản mới")
    assert [b["text"] for b in buttons_of(reply)] == ["✖️ Huỷ"]
    reply = await say(h, admin, NUMBER)
    assert "Trích yếu" in reply["text"]
    reply = await say(h, admin, SAMPLE_1208.title)
    # the publisher's own unit is offered as the issuer, one tap away
    assert [b["text"] for b in buttons_of(reply)] == ["Ban Tuyên giáo Tỉnh ủy", "✖️ Huỷ"]
    reply = await say(h, admin, ISSUER)
    assert [b["text"] for b in buttons_of(reply)] == ["Hôm nay", "✖️ Huỷ"]
    await say(h, admin, "15/02/2019")
    await say(h, admin, SAMPLE_1208.body)
    reply = await say(h, admin, LINK)
    assert [b["text"] for b in buttons_of(reply)] == ["BP — Tỉnh ủy Bình Phước", "✖️ Huỷ"]
    reply = await tap(h, admin, "BP — ")
    assert "học tập" in reply["text"]
    assert h.bot_messages(admin.id)[-2]["text"].endswith("➡️ BP")  # the tapped question
    assert "reply_markup" not in h.bot_messages(admin.id)[-2]
    reply = await tap(h, admin, "Có")
    assert "Hạn xác nhận đã nhận" in reply["text"]
    await say(h, admin, "20/02/2027 17:00")
    reply = await say(h, admin, "01/03/2027 17:00")
    assert "Hạn báo cáo" in reply["text"]
    await tap(h, admin, "Bỏ qua", replies=3)  # post, QR code, note

    preview, qr, note = h.bot_messages(admin.id)[-3:]
    assert preview["text"].startswith("📄 Công văn số 1208-CV/BTGTU")
    assert preview["text"].endswith("Đã nhận 0/10 · Đã học 0/10")
    inert = buttons_of(preview)
    assert [b["text"] for b in inert] == ["✅ Đã nhận", "📖 Đã học tập"]
    assert [b["callback_data"] for b in inert] == ["pv:r", "pv:s"]
    assert qr["caption"] == "Mã QR: Trang Tự hào Bình Phước" and qr.get("photo")
    assert "Sẽ đăng vào 3 nhóm và gửi riêng 0 bản" in note["text"]
    assert "BP (Tỉnh ủy Bình Phước)" in note["text"]
    assert [b["text"] for b in buttons_of(note)] == [
        "📤 Ban hành",
        "✖️ Huỷ",
        "⏰ Hẹn giờ",
        "♻️ Thay thế văn bản cũ",
        "📝 Câu hỏi kiểm tra",
    ]

    # the preview's buttons record nothing
    toast = await h.press(admin, admin.id, preview["message_id"], "pv:r")
    assert toast["text"] == "Đây là bản xem trước: bấm nút này không ghi nhận gì."
    assert await directive_count(h) == 0

    before = len(h.bot_messages(admin.id))
    answer = await h.press(
        admin, admin.id, note["message_id"], buttons_of(note)[0]["callback_data"]
    )
    assert answer["text"] == "Đã ban hành."
    await h.settle(lambda: len(h.bot_messages(admin.id)) > before)
    done = h.bot_messages(admin.id)[-1]["text"]
    assert done.startswith("✅ Đã ban hành 1208-CV/BTGTU: 3 nhóm, 0 bản gửi riêng.")

    # a second tap on Ban hành (racing the keyboard's removal) publishes nothing more
    assert "reply_markup" not in h.bot_messages(admin.id)[-2]
    query_id = h.sandbox.press_button(
        h.token,
        admin.id,
        admin.id,
        note["message_id"],
        buttons_of(note)[0]["callback_data"],
        forged=True,
    )
    await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query_id]["text"] == "Nút này không còn dùng được."

    await h.outbox_idle()
    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
        states = dict(
            (await s.execute(select(Delivery.state, func.count()).group_by(Delivery.state))).all()
        )
    # stored exactly as the TOML sample describes it
    assert (d.number, d.kind, d.title, d.issuer) == (NUMBER, "CV", SAMPLE_1208.title, ISSUER)
    assert d.issued_on == date(2019, 2, 15) and d.body == SAMPLE_1208.body.strip()
    assert d.links == [{"label": "Trang Tự hào Bình Phước", "url": SAMPLE_1208.links[0]["url"]}]
    assert d.requires_study is True and d.report_by is None
    assert d.receive_by == datetime(2027, 2, 20, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam
    assert d.study_by == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    assert states == {"sent": 6}

    for code, group in scene.groups.items():
        messages = h.bot_messages(group.id)
        posts = [m for m in messages if m.get("text")]
        photos = [m for m in messages if m.get("photo")]
        assert len(posts) == 1 and len(photos) == 1, code
        assert without_counters(posts[0]["text"]) == without_counters(preview["text"])
        assert photos[0]["caption"] == qr["caption"]
        assert [b["text"] for b in buttons_of(posts[0])] == ["✅ Đã nhận", "📖 Đã học tập"]
        assert [b["callback_data"] for b in buttons_of(posts[0])] == [
            f"c:{d.id}:r",
            f"c:{d.id}:s",
        ]

    dx01, dx02 = scene.groups["BP-DX-01"].id, scene.groups["BP-DX-02"].id
    await h.press(scene.users["m1"], dx01, post_in(h, dx01)["message_id"], f"c:{d.id}:r")
    await h.press(scene.users["m2"], dx01, post_in(h, dx01)["message_id"], f"c:{d.id}:s")
    await h.press(scene.users["m4"], dx02, post_in(h, dx02)["message_id"], f"c:{d.id}:r")
    await h.settle(
        lambda: (
            post_in(h, dx01)["text"].endswith("Đã nhận 2/4 · Đã học 1/4")
            and post_in(h, dx02)["text"].endswith("Đã nhận 1/2 · Đã học 0/2")
        )
    )
    [report] = await h.send(scene.users["sec_dx"], f"/pending {NUMBER}")
    text = report["text"]
    assert "Chi bộ trạm y tế 1 (BP-DX-01): nhận 2/4 · học 1/4" in text
    assert "Chưa nhận (2): Vũ Kim Mai, Đặng Thị Yến" in text
    assert "Đã nhận, chưa học tập (1): Phan Minh Tuấn" in text
    assert "Chi bộ ấp 2 (BP-DX-02): nhận 1/2 · học 0/2" in text
    assert "Chưa nhận (1): Dương Bích Lan" in text
    assert "BP-BL-01" not in text


async def test_cancel_mid_way_writes_nothing(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, NUMBER)
    await say(h, admin, SAMPLE_1208.title)
    reply = await say(h, admin, "/cancel")
    assert reply["text"] == "Đã huỷ. Không có gì được lưu hay gửi đi."
    # the dialogue is over: text is no answer any more, /cancel has nothing to cancel
    reply = await say(h, admin, "/cancel")
    assert reply["text"] == "Hiện không có thao tác nào đang làm dở để huỷ."
    # the Huỷ button at a later step, and a stale button of the cancelled dialogue
    await answer_up_to_targets(h, admin)
    old = last_keyboard(h, admin)
    reply = await tap(h, admin, "✖️ Huỷ", replies=1)
    assert reply["text"] == "Đã huỷ. Không có gì được lưu hay gửi đi."
    await say(h, admin, "/publish")
    # a button of the cancelled dialogue (pressed from a stale client) does nothing now
    query_id = h.sandbox.press_button(
        h.token,
        admin.id,
        admin.id,
        old["message_id"],
        buttons_of(old)[0]["callback_data"],
        forged=True,
    )
    await h.sandbox.wait_for(lambda: query_id in h.sandbox.callback_answers)
    toast = h.sandbox.callback_answers[query_id]
    assert toast["text"] == "Nút này không còn dùng được."
    assert await directive_count(h) == 0
    async with h.db() as s:
        assert await s.scalar(select(func.count(Delivery.id))) == 0


async def test_bad_dates_are_asked_again_and_past_deadlines_refused(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, NUMBER)
    await say(h, admin, SAMPLE_1208.title)
    await say(h, admin, ISSUER)
    reply = await say(h, admin, "15 tháng 2")
    assert reply["text"].startswith("⚠️ Chưa hiểu ngày này. Hãy gõ theo dạng ngày/tháng/năm")
    assert "Ngày ban hành" in reply["text"]  # the same question again
    reply = await say(h, admin, "31/02/2019")
    assert reply["text"].startswith("⚠️ Chưa hiểu ngày này")
    reply = await tap(h, admin, "Hôm nay")
    assert "Nội dung" in reply["text"]
    await say(h, admin, SAMPLE_1208.body)
    reply = await say(h, admin, "Trang | http//sai")
    assert reply["text"].startswith('⚠️ Dòng "Trang | http//sai" chưa đúng.')
    reply = await tap(h, admin, "Bỏ qua")
    assert "BP — Tỉnh ủy Bình Phước" in [b["text"] for b in buttons_of(reply)]
    await say(h, admin, "BP")
    await tap(h, admin, "Không")  # no study: the study deadline is not asked
    reply = await say(h, admin, "20/02/2027 25:00")
    assert reply["text"].startswith(
        "⚠️ Chưa hiểu ngày giờ này. Hãy gõ theo dạng ngày/tháng/năm giờ:phút, ví dụ 17/01/2027 17:00."
    )
    assert "Hạn xác nhận đã nhận" in reply["text"]
    reply = await say(h, admin, "01/01/2027 17:00")
    assert reply["text"].startswith(
        "⚠️ Hạn xác nhận đã nhận (01/01/2027 17:00) đã qua rồi. Hãy nhập một thời điểm trong tương lai."
    )
    reply = await say(h, admin, "20/02/2027")  # a date alone: 17:00
    assert "Hạn báo cáo" in reply["text"]
    await say(h, admin, "bỏ qua", replies=2)  # preview (no links: no QR) and the note
    preview = h.bot_messages(admin.id)[-2]
    assert "Ngày ban hành: 10/01/2027" in preview["text"]
    assert "17:00 Thứ Bảy, 20/02/2027" in preview["text"]
    assert [b["text"] for b in buttons_of(preview)] == ["✅ Đã nhận"]
    # the deadline passes while the preview waits: Ban hành refuses and asks for it again
    clock.advance(days=45)
    reply = await tap(h, admin, "📤 Ban hành")
    assert reply["text"].startswith(
        "Chưa ban hành: ⚠️ Hạn xác nhận đã nhận (20/02/2027 17:00) đã qua rồi."
    )
    assert "Hạn xác nhận đã nhận? Gõ ngày giờ" in reply["text"]
    assert await directive_count(h) == 0
    await say(h, admin, "20/03/2027 17:00", replies=2)  # the others are kept: straight back
    assert "17:00 Thứ Bảy, 20/03/2027" in h.bot_messages(admin.id)[-2]["text"]


async def test_plain_member_is_refused_politely(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    reply = await say(h, scene.users["plain"], "/publish")
    assert reply["text"].startswith(
        "Xin lỗi, chức năng ban hành văn bản chỉ dành cho quản trị viên và bí thư."
    )
    stranger = h.user("Khách")
    reply = await say(h, stranger, "/publish")
    assert reply["text"].startswith("Xin lỗi")
    # in a group the command points to the private chat
    [reply] = await h.send(scene.users["sec_dx"], "/publish", chat_id=scene.groups["BP-DX-01"].id)
    assert (
        reply["text"]
        == "Hãy nhắn /publish cho tôi trong cuộc trò chuyện riêng để ban hành văn bản."
    )


async def test_secretary_cannot_target_outside_their_subtree(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    sec = scene.users["sec_dx"]
    reply = await answer_up_to_targets(h, sec, number="12-CV/TU")
    assert [b["text"] for b in buttons_of(reply)] == ["BP-DX — Thành ủy Đồng Xoài", "✖️ Huỷ"]
    reply = await say(h, sec, "BP-DX-01, BP-BL")
    assert reply["text"].startswith(
        '⚠️ Đồng chí chỉ được gửi đến các đơn vị mình phụ trách; "BP-BL" nằm ngoài.'
    )
    reply = await say(h, sec, "BP")
    assert '"BP" nằm ngoài' in reply["text"]
    # a code that does not exist gets the same answer: no probing which codes exist
    reply = await say(h, sec, "XYZ")
    assert reply["text"].startswith(
        '⚠️ Đồng chí chỉ được gửi đến các đơn vị mình phụ trách; "XYZ" nằm ngoài.'
    )
    # another command in the middle is answered, then the dialogue reminds where it is
    await h.send(sec, "/pending", replies=2)
    pending, reminder = h.bot_messages(sec.id)[-2:]
    assert pending["text"].startswith("Chưa có văn bản nào")
    assert reminder["text"].startswith("✏️ Đồng chí vẫn đang soạn văn bản để ban hành.")
    assert "Gửi đến" in reminder["text"]
    reply = await say(h, sec, "bp-dx-01 bp-dx-02")  # codes in any case
    assert "học tập" in reply["text"]
    await tap(h, sec, "Có")
    await say(h, sec, "bỏ qua")
    await say(h, sec, "bỏ qua")
    await say(h, sec, "bỏ qua", replies=3)
    note = h.bot_messages(sec.id)[-1]
    assert "Sẽ đăng vào 2 nhóm" in note["text"]
    await tap(h, sec, "📤 Ban hành")
    assert h.bot_messages(sec.id)[-1]["text"].startswith("✅ Đã ban hành 12-CV/TU: 2 nhóm")
    await h.outbox_idle()
    assert len([m for m in h.bot_messages(scene.groups["BP-DX-01"].id) if m.get("text")]) == 1
    assert h.bot_messages(scene.groups["BP-BL-01"].id) == []


async def test_duplicate_number_is_refused_at_the_issuer_and_at_confirmation(
    harness: Harness,
) -> None:
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await publish_sample(h, scene)
    await say(h, admin, "/publish")
    await say(h, admin, NUMBER)
    await say(h, admin, SAMPLE_1208.title)
    reply = await say(h, admin, ISSUER)
    assert reply["text"].startswith(
        "⚠️ Văn bản số 1208-CV/BTGTU của Ban Tuyên giáo Tỉnh ủy Bình Phước đã được ban hành rồi."
    )
    assert "Số hiệu" in reply["text"]  # asked again; the issuer is kept
    reply = await say(h, admin, "1208-CV/BTGTU")
    assert "đã được ban hành rồi" in reply["text"]
    reply = await say(h, admin, "1209-CV/BTGTU")
    assert "Ngày ban hành" in reply["text"]
    await tap(h, admin, "Hôm nay")
    await say(h, admin, "Nội dung ngắn")
    await tap(h, admin, "Bỏ qua")
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Không")
    await tap(h, admin, "Bỏ qua")
    await tap(h, admin, "Bỏ qua", replies=2)
    # someone publishes the same number from the CLI meanwhile
    [draft] = [d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == NUMBER]
    draft.number = "1209-CV/BTGTU"
    from bot.services.publish import publish

    async with h.db() as s:
        await publish(
            s,
            draft,
            publisher=None,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
        )
    reply = await tap(h, admin, "📤 Ban hành")
    assert reply["text"].startswith("Chưa ban hành: ⚠️ Văn bản số 1209-CV/BTGTU")
    assert "Số hiệu" in reply["text"]
    assert await directive_count(h) == 2
    reply = await say(h, admin, "1210-CV/BTGTU", replies=2)  # straight back to the preview
    assert "📤 Ban hành" in [b["text"] for b in buttons_of(reply)]
    async with h.db() as s:
        assert await s.scalar(select(func.count(Confirmation.id))) == 0


@pytest.mark.timeout(120)
async def test_a_header_full_of_escaped_characters_gets_a_correct_preview_and_others_answers(
    harness: Harness,
) -> None:
    """Issue 9 item 1: a title and an issuer at their limits, all '"', '&' and '<', made the
    preview's splitting loop for ever: nobody else got an answer. Now the preview comes, every
    part fits Telegram's limit, the whole text is there, and the bot keeps answering."""
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    title = ('"&<' * 200)[: rules.TITLE_MAX]
    issuer = ('&"<' * 100)[: rules.ISSUER_MAX]
    body = 'Cán bộ & đảng viên <học tập> "nghiêm túc". ' * 80
    await say(h, admin, "/publish")
    await say(h, admin, "77-CV/TU")
    await say(h, admin, title)
    await say(h, admin, issuer)
    await tap(h, admin, "Hôm nay")
    await say(h, admin, body)
    await say(h, admin, "bỏ qua")
    await tap(h, admin, "BP — ")
    await tap(h, admin, "Không")
    await say(h, admin, "bỏ qua")
    before = len(h.bot_messages(admin.id))
    h.sandbox.send_text(h.token, admin.id, "bỏ qua")  # the report deadline: then the preview
    reply = await say(h, scene.users["m1"], "/start")  # someone else, meanwhile
    assert reply["text"]
    await h.settle(lambda: "Sẽ đăng vào" in h.bot_messages(admin.id)[-1].get("text", ""))
    # Issue 13: a text over one message is its opening plus the full text as a document.
    post, document = h.bot_messages(admin.id)[before:-1]
    assert tg_len(post["text"]) <= 4096  # the sandbox took it too
    shown = "".join(post["text"].split())
    for text in (title, issuer):
        assert "".join(text.split()) in shown
    assert "Toàn văn ở tệp đính kèm" in post["text"]
    full = h.sandbox.files[document["document"]["file_id"]].data.decode("utf-8-sig")
    for text in (title, issuer, body.strip()):
        assert text in full
    # and it can be published as previewed
    await tap(h, admin, "📤 Ban hành")
    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
    assert (d.title, d.issuer) == (title, issuer)


async def test_the_dialogue_refuses_what_the_file_refuses(harness: Harness) -> None:
    """One rule set: a javascript: link and an over-long title are refused at their step with a
    message naming the field, and the same question is asked again."""
    h = harness
    scene = await build_scene(h)
    admin = scene.users["admin"]
    await say(h, admin, "/publish")
    await say(h, admin, "78-CV/TU")
    reply = await say(h, admin, "Tiêu đề " * 75)
    assert reply["text"].startswith(
        "⚠️ Trích yếu (title) dài quá (599 ký tự); tối đa 512 ký tự. Hãy rút gọn."
    )
    assert "Trích yếu (tiêu đề) của văn bản?" in reply["text"]
    await say(h, admin, SAMPLE_1208.title)
    await say(h, admin, ISSUER)
    await tap(h, admin, "Hôm nay")
    await say(h, admin, SAMPLE_1208.body)
    reply = await say(h, admin, "Trang | javascript:alert(document.cookie)")
    assert reply["text"].startswith(
        '⚠️ Liên kết "javascript:alert(document.cookie)" không được phép: chỉ nhận địa chỉ web '
        "bắt đầu bằng http:// hoặc https://."
    )
    assert "Liên kết kèm theo?" in reply["text"]
    reply = await say(h, admin, "Trang | https://facebook.com@evil.example/")
    assert "tên đăng nhập hoặc mật khẩu" in reply["text"]
    reply = await say(h, admin, LINK)
    assert "Gửi đến" in reply["text"]
    assert await directive_count(h) == 0


async def test_a_private_copy_does_not_promise_qr_codes_it_does_not_get(
    harness: Harness,
) -> None:
    """Issue 9 item 12: groups get the QR images after the post, private copies do not; the
    private copy said "mã QR ở bên dưới" all the same."""
    h = harness
    scene = await build_scene(h)
    await h.send(scene.users["m1"], "/start")
    await publish_sample(h, scene)
    await h.settle(lambda: len(h.bot_messages(scene.id("m1"))) == 2)
    private = h.bot_messages(scene.id("m1"))
    assert not any(m.get("photo") for m in private)
    copy = private[1]["text"]
    assert "🔗 Liên kết:\n• Trang Tự hào Bình Phước" in copy
    assert "QR" not in copy
    group = h.bot_messages(scene.groups["BP-DX-01"].id)
    assert "QR" in post_in(h, scene.groups["BP-DX-01"].id)["text"]
    assert [m.get("caption") for m in group if m.get("photo")] == ["Mã QR: Trang Tự hào Bình Phước"]
