"""End to end through the sandbox: joining by deep link, /name, /link for groups and channels,
and group migration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.services.tree import import_units
from storage import queries
from storage.models import Chat, Member, Membership
from tests.kit.harness import Harness
from tests.kit.paths import SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")


async def _tree(h: Harness) -> None:
    async with h.db() as s:
        await import_units(s, UNITS)


async def _token(h: Harness, code: str) -> str:
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        return unit.join_token


async def _give_role(h: Harness, user: Any, code: str, role: str) -> None:
    """Sandbox users get their ids from the sandbox, so roles are stored for those ids here."""
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        member = await queries.member_by_telegram_id(s, user.id)
        if member is None:
            member = Member(telegram_id=user.id, full_name=user.first_name, language="vi")
            s.add(member)
            await s.flush()
        s.add(Membership(member_id=member.id, unit_id=unit.id, role=role))


async def _roles_of(h: Harness, user: Any) -> list[tuple[str, str]]:
    await h.settle()  # replies go out before the handler's transaction commits
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, user.id)
        if member is None:
            return []
        units = {u.id: u.code for u in (await queries.units_by_code(s)).values()}
        return [(units[m.unit_id], m.role) for m in await queries.memberships_of(s, member.id)]


async def _chat_row(h: Harness, telegram_id: int) -> tuple[str, str, str, bool] | None:
    await h.settle()
    async with h.db() as s:
        chat = await queries.chat_by_telegram_id(s, telegram_id)
        if chat is None:
            return None
        units = {u.id: u.code for u in (await queries.units_by_code(s)).values()}
        return chat.type, chat.title, units.get(chat.unit_id or 0, ""), chat.active


async def _edited(h: Harness, chat_id: int, message_id: int) -> dict[str, Any]:
    """The bot's message once it has been edited (the toast is answered before the edit)."""

    def current() -> dict[str, Any]:
        return next(m for m in h.bot_messages(chat_id) if m["message_id"] == message_id)

    await h.settle(lambda: bool(current()["edited"]))
    return current()


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


# -- joining ---------------------------------------------------------------------------------


async def test_joining_by_deep_link_shows_the_unit_and_its_list(harness: Harness) -> None:
    await _tree(harness)
    token = await _token(harness, "BP-DX-01")
    lan = harness.user("Lan", last_name="Nguyễn")

    [offer, phone] = await harness.send(lan, f"/start {token}", replies=2)
    assert offer["text"].startswith(
        "Đồng chí đã mở đường liên kết tham gia Chi bộ trạm y tế 1 (thuộc Thành ủy Đồng Xoài)."
    )
    # No roster imported: no names to pick, only asking to be added (or the phone button).
    [(ask_text, ask_data)] = _buttons(offer)
    assert ask_text.startswith("Tôi không có tên trong danh sách")
    assert len(ask_data.encode()) <= 64 and token not in ask_data
    assert phone["text"].startswith("Hoặc đồng chí gửi số điện thoại")
    assert await _roles_of(harness, lan) == []  # nothing before a secretary agrees
    async with harness.db() as s:
        member = await queries.member_by_telegram_id(s, lan.id)
        assert member is not None and (member.full_name, member.private_chat) == (
            "Lan Nguyễn",
            True,
        )


async def test_a_member_opening_the_link_again_is_told_so(harness: Harness) -> None:
    await _tree(harness)
    lan = harness.user("Lan")
    await _give_role(harness, lan, "BP-DX-01", "member")
    [again] = await harness.send(lan, f"/start {await _token(harness, 'BP-DX-01')}")
    assert again["text"] == (
        "Đồng chí đã tham gia Chi bộ trạm y tế 1 (thuộc Thành ủy Đồng Xoài) rồi, "
        "không cần làm gì thêm."
    )
    assert "reply_markup" not in again


async def test_a_bad_token_is_answered_clearly_in_both_languages(harness: Harness) -> None:
    await _tree(harness)
    lan, john = harness.user("Lan"), harness.user("John", language="en")
    [reply] = await harness.send(lan, "/start khongcoma123")
    assert reply["text"] == (
        "Đường liên kết tham gia này không đúng hoặc đã hết hạn. "
        "Xin nhờ bí thư đơn vị gửi lại đường liên kết hoặc mã QR mới."
    )
    [reply] = await harness.send(john, "/start nope")
    assert reply["text"].startswith("This join link is wrong or has expired.")
    assert await _roles_of(harness, lan) == []


async def test_a_regenerated_token_makes_the_old_button_stale(harness: Harness) -> None:
    await _tree(harness)
    lan = harness.user("Lan")
    [offer, _] = await harness.send(lan, f"/start {await _token(harness, 'BP-BL-02')}", replies=2)
    async with harness.db() as s:
        unit = await queries.unit_by_code(s, "BP-BL-02")
        assert unit is not None
        unit.join_token = "a-new-token-123"
    ask_data = _buttons(offer)[0][1]
    toast = await harness.press(lan, lan.id, offer["message_id"], ask_data)
    assert toast["text"] == "Đường liên kết đã hết hạn. Xin nhờ bí thư gửi đường liên kết mới."
    edited = await _edited(harness, lan.id, offer["message_id"])
    assert edited["text"].startswith("Đường liên kết tham gia này")
    assert await _roles_of(harness, lan) == []


async def test_forged_button_data_is_refused(harness: Harness) -> None:
    await _tree(harness)
    lan = harness.user("Lan")
    [offer, _] = await harness.send(lan, f"/start {await _token(harness, 'BP-BL-02')}", replies=2)
    query = harness.sandbox.press_button(
        harness.token, lan.id, lan.id, offer["message_id"], "cl:n:1:0000000000:1", forged=True
    )
    await harness.sandbox.wait_for(lambda: query in harness.sandbox.callback_answers)
    # The data is not one of the offer's buttons: refused before anything is read or edited.
    assert harness.sandbox.callback_answers[query]["text"] == "Nút này không còn hợp lệ."
    assert await _roles_of(harness, lan) == []
    still = next(m for m in harness.bot_messages(lan.id) if m["message_id"] == offer["message_id"])
    assert still["text"] == offer["text"] and not still["edited"]


async def test_start_without_payload_still_welcomes(harness: Harness) -> None:
    lan = harness.user("Lan")
    [reply] = await harness.send(lan, "/start")
    assert reply["text"].startswith("Xin chào Lan!")


# -- /name -----------------------------------------------------------------------------------


async def test_name_corrects_the_display_name(harness: Harness) -> None:
    lan = harness.user("lan", last_name="nt")
    [usage] = await harness.send(lan, "/name")
    assert usage["text"].startswith("Để sửa họ tên hiển thị, gõ /name")
    [done] = await harness.send(lan, "/name   Nguyễn   Thị Lan ")
    assert done["text"] == "Đã đổi họ tên hiển thị thành: Nguyễn Thị Lan"
    [too_long] = await harness.send(lan, "/name " + "a" * 101)
    assert too_long["text"] == "Họ tên dài quá 100 ký tự. Xin gõ ngắn hơn."
    await harness.settle()
    async with harness.db() as s:
        member = await queries.member_by_telegram_id(s, lan.id)
        assert member is not None and member.full_name == "Nguyễn Thị Lan"
    # A later /start keeps the corrected name.
    await harness.send(lan, "/start")
    await harness.settle()
    async with harness.db() as s:
        member = await queries.member_by_telegram_id(s, lan.id)
        assert member is not None and member.full_name == "Nguyễn Thị Lan"


# -- /link -----------------------------------------------------------------------------------


async def test_secretary_links_the_cell_group_and_a_member_is_refused(harness: Harness) -> None:
    await _tree(harness)
    yen, tuan = harness.user("Yến"), harness.user("Tuấn")
    await _give_role(harness, yen, "BP-DX-01", "secretary")
    await _give_role(harness, tuan, "BP-DX-01", "member")
    group = harness.group("Chi bộ trạm y tế 1", members=[tuan], admins=[yen], with_bot=True)

    # A member is refused as if the code did not exist: the unit and its secretary go unnamed.
    [refused] = await harness.send(tuan, "/link BP-DX-01", chat_id=group.id)
    assert refused["text"].startswith(
        'Không có đơn vị mã "BP-DX-01" mà đồng chí được gắn nhóm, kênh.'
    )
    assert "Chi bộ trạm y tế 1" not in refused["text"] and "Yến" not in refused["text"]
    assert await _chat_row(harness, group.id) is None

    [unknown] = await harness.send(yen, "/link BP-XX-99", chat_id=group.id)
    assert unknown["text"] == refused["text"].replace("BP-DX-01", "BP-XX-99")
    [usage] = await harness.send(yen, "/link", chat_id=group.id)
    assert usage["text"] == "Gõ /link và mã đơn vị, ví dụ: /link BP-DX-01"
    async with harness.db() as s:
        assert await s.scalar(select(func.count(Chat.id))) == 0

    [linked] = await harness.send(yen, "/link BP-DX-01", chat_id=group.id)
    assert linked["text"].startswith(
        "Đã gắn Chi bộ trạm y tế 1 với đơn vị Chi bộ trạm y tế 1. "
        "Chỉ thị gửi cho đơn vị sẽ được đăng ở đây."
    )
    token = await _token(harness, "BP-DX-01")
    assert f"https://t.me/chithi_bot?start={token}" in linked["text"]
    assert await _chat_row(harness, group.id) == (
        "supergroup",
        "Chi bộ trạm y tế 1",
        "BP-DX-01",
        True,
    )
    [same] = await harness.send(yen, "/link@chithi_bot BP-DX-01", chat_id=group.id)
    assert "đã được gắn với đơn vị Chi bộ trạm y tế 1 từ trước" in same["text"]


async def test_district_secretary_links_a_cell_below_and_moves_a_group(harness: Harness) -> None:
    await _tree(harness)
    trang, yen = harness.user("Trang"), harness.user("Yến")
    await _give_role(harness, trang, "BP-DX", "secretary")
    await _give_role(harness, yen, "BP-DX-01", "secretary")
    group = harness.group("Nhóm chi bộ", admins=[trang, yen], with_bot=True)

    [linked] = await harness.send(trang, "/link BP-DX-04", chat_id=group.id)
    assert linked["text"].startswith("Đã gắn Nhóm chi bộ với đơn vị Chi bộ khu phố 4.")
    # The cell secretary of BP-DX-01 may not take the group of another cell...
    [refused] = await harness.send(yen, "/link BP-DX-01", chat_id=group.id)
    assert refused["text"].startswith("Đồng chí không có quyền")
    assert (await _chat_row(harness, group.id) or ("",) * 3)[2] == "BP-DX-04"
    # ...but the district secretary may move it, and is told it moved.
    [moved] = await harness.send(trang, "/link BP-DX-01", chat_id=group.id)
    assert moved["text"].startswith(
        "Đã chuyển Nhóm chi bộ từ đơn vị Chi bộ khu phố 4 sang đơn vị Chi bộ trạm y tế 1."
    )
    assert (await _chat_row(harness, group.id) or ("",) * 3)[2] == "BP-DX-01"
    # Not above the district.
    [refused] = await harness.send(trang, "/link BP-BL", chat_id=group.id)
    assert refused["text"].startswith('Không có đơn vị mã "BP-BL" mà đồng chí được gắn nhóm, kênh.')
    assert "Thị ủy Bình Long" not in refused["text"]


async def test_config_admin_links_without_any_membership(sandbox: Any, sqlite_url: str) -> None:
    from tests.kit.harness import bot_on_sandbox, make_settings

    boss = sandbox.create_user(first_name="Boss")
    settings = make_settings(sqlite_url, bot={"admins": [boss.id]})
    async with bot_on_sandbox(sandbox, settings) as h:
        await _tree(h)
        group = h.group("Tỉnh ủy", admins=[boss], with_bot=True)
        [linked] = await h.send(boss, "/link BP", chat_id=group.id)
        assert linked["text"].startswith("Đã gắn Tỉnh ủy với đơn vị Tỉnh ủy Bình Phước.")


async def test_a_channel_is_linked_from_a_private_chat(harness: Harness) -> None:
    await _tree(harness)
    yen, tuan = harness.user("Yến"), harness.user("Tuấn")
    await _give_role(harness, yen, "BP-DX-01", "secretary")
    await _give_role(harness, tuan, "BP-DX-01", "secretary")
    channel = harness.channel("Tin Chi bộ 1", username="tin_chibo1", admins=[yen])
    hidden = harness.channel("Kênh khác", username="kenh_khac", admins=[yen], bot_status=None)

    [usage] = await harness.send(yen, "/link")
    assert "Để gắn một kênh" in usage["text"]
    [missing] = await harness.send(yen, "/link BP-DX-01 @kenh_khac")
    assert missing["text"].startswith("Chithi không thấy kênh @kenh_khac.")
    [not_admin] = await harness.send(tuan, "/link BP-DX-01 @tin_chibo1")
    assert not_admin["text"].startswith("Đồng chí không phải quản trị viên của kênh Tin Chi bộ 1")
    [bad] = await harness.send(yen, "/link BP-DX-01 tin chibo")
    assert bad[
        "text"
    ] == "Để gắn một nhóm với đơn vị: thêm Chithi vào nhóm, rồi gõ trong nhóm: " + (
        "/link MÃ_ĐƠN_VỊ (ví dụ /link BP-DX-01).\n\nĐể gắn một kênh: thêm Chithi làm quản trị viên "
        "của kênh, rồi gõ ở đây: /link MÃ_ĐƠN_VỊ @ten_kenh (hoặc mã số của kênh, dạng -100…)."
    )
    assert await _chat_row(harness, channel.id) is None and hidden.id != channel.id

    [linked] = await harness.send(yen, "/link BP-DX-01 @tin_chibo1")
    assert linked["text"].startswith("Đã gắn Tin Chi bộ 1 với đơn vị Chi bộ trạm y tế 1.")
    assert await _chat_row(harness, channel.id) == ("channel", "Tin Chi bộ 1", "BP-DX-01", True)
    [by_id] = await harness.send(yen, f"/link BP-DX-01 {channel.id}")
    assert "từ trước" in by_id["text"]


async def test_link_posted_in_a_channel_explains_the_private_route(harness: Harness) -> None:
    yen = harness.user("Yến")
    channel = harness.channel("Tin Chi bộ", admins=[yen])
    [hint] = await harness.send(yen, "/link BP-DX-01", chat_id=channel.id)
    assert hint["text"] == (
        f"Để gắn kênh này, hãy mở cuộc trò chuyện riêng với Chithi và gõ: /link MÃ_ĐƠN_VỊ {channel.id}"
    )


async def test_unlink_marks_the_chat_inactive(harness: Harness) -> None:
    await _tree(harness)
    yen, tuan = harness.user("Yến"), harness.user("Tuấn")
    await _give_role(harness, yen, "BP-DX-01", "secretary")
    group = harness.group("Chi bộ 1", members=[tuan], admins=[yen], with_bot=True)
    await harness.send(yen, "/link BP-DX-01", chat_id=group.id)
    [refused] = await harness.send(tuan, "/unlink", chat_id=group.id)
    assert refused["text"].startswith("Đồng chí không có quyền gỡ nhóm")
    [done] = await harness.send(yen, "/unlink", chat_id=group.id)
    assert done["text"].startswith("Đã gỡ Chi bộ 1 khỏi đơn vị Chi bộ trạm y tế 1.")
    assert await _chat_row(harness, group.id) == ("supergroup", "Chi bộ 1", "BP-DX-01", False)
    [again] = await harness.send(yen, "/unlink", chat_id=group.id)
    assert again["text"] == "Nhóm này chưa được gắn với đơn vị nào."


# -- migration -------------------------------------------------------------------------------


async def test_group_migration_moves_the_chat_to_the_supergroup_id(harness: Harness) -> None:
    await _tree(harness)
    yen = harness.user("Yến")
    await _give_role(harness, yen, "BP-DX-02", "secretary")
    group = harness.group("Chi bộ ấp 2", kind="group", admins=[yen], with_bot=True)
    await harness.send(yen, "/link BP-DX-02", chat_id=group.id)
    assert await _chat_row(harness, group.id) == ("group", "Chi bộ ấp 2", "BP-DX-02", True)

    new_id = harness.sandbox.migrate_to_supergroup(group.id)
    await harness.settle()
    assert await _chat_row(harness, group.id) is None
    assert await _chat_row(harness, new_id) == ("supergroup", "Chi bộ ấp 2", "BP-DX-02", True)
    async with harness.db() as s:
        assert await s.scalar(select(func.count(Chat.id))) == 1
