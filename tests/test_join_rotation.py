"""Join links a secretary can withdraw (``/rotate_link``) and the unit's approval switch
(``/join_approval``), end to end through the sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.tree import import_units
from storage import queries
from storage.models import AuditEvent, Member, Membership
from tests.kit.harness import Harness, MakeHarness
from tests.kit.paths import SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
CELL = "BP-DX-01"
EXPIRED = (
    "Đường liên kết tham gia này không đúng hoặc đã hết hạn. Xin nhờ bí thư đơn vị gửi lại "
    "đường liên kết hoặc mã QR mới."
)


@pytest.fixture
async def h(make_harness: MakeHarness, db_url: str) -> AsyncIterator[Harness]:
    async with make_harness(db_url=db_url) as harness:
        yield harness


async def _setup(h: Harness) -> tuple[Any, Any]:
    """The tree; a secretary of the cell and a plain member of it (sandbox users)."""
    secretary, plain = h.user("Bí thư"), h.user("Đảng viên")
    async with h.db() as s:
        await import_units(s, UNITS)
    async with h.db() as s:
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None
        for user, role in ((secretary, "secretary"), (plain, "member")):
            member = Member(telegram_id=user.id, full_name=user.first_name, language="vi")
            s.add(member)
            await s.flush()
            s.add(Membership(member_id=member.id, unit_id=unit.id, role=role))
    return secretary, plain


async def _token(h: Harness, code: str = CELL) -> str:
    await h.settle()
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        return unit.join_token


async def test_rotating_the_link_refuses_the_old_token_and_the_new_one_works(h: Harness) -> None:
    secretary, _ = await _setup(h)
    old = await _token(h)
    joiner = h.user("Người", last_name="Mới")
    listing, _ = await h.send(joiner, f"/start {old}", replies=2)  # an offer opened before

    text, photo = await h.send(secretary, f"/rotate_link {CELL}", replies=2)
    new = await _token(h)
    assert new != old
    assert text["text"].startswith("Đã thay đường liên kết tham gia của Chi bộ trạm y tế 1.")
    assert text["text"].endswith(f"https://t.me/{h.rt.bot_username}?start={new}")
    assert photo["caption"] == "Mã QR mới để tham gia Chi bộ trạm y tế 1" and photo["photo"]
    async with h.db() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "join-link-rotated"))
        assert event is not None and event.actor == str(secretary.id)
        assert event.subject == f"unit:{CELL}"

    stranger = h.user("Người", last_name="Lạ")
    [refused] = await h.send(stranger, f"/start {old}")
    assert refused["text"] == EXPIRED
    fresh, _ = await h.send(stranger, f"/start {new}", replies=2)
    assert "Chi bộ trạm y tế 1" in fresh["text"]
    # A button of an offer made with the old link is stale too.
    ask = next(
        b["callback_data"]
        for row in listing["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("cl:a:")
    )
    toast = await h.press(joiner, joiner.id, listing["message_id"], ask)
    assert toast["text"] == "Đường liên kết đã hết hạn. Xin nhờ bí thư gửi đường liên kết mới."
    async with h.db() as s:
        assert (await s.scalars(select(AuditEvent.action))).all().count("claim-pending") == 0


async def test_only_a_manager_of_the_unit_may_rotate_or_switch_approval(h: Harness) -> None:
    secretary, plain = await _setup(h)
    old = await _token(h)
    for who, command in (
        (plain, f"/rotate_link {CELL}"),
        (plain, f"/join_approval {CELL} off"),
        (secretary, "/rotate_link BP-BL-01"),  # another district's cell
        (secretary, "/rotate_link NO-SUCH"),
    ):
        [answer] = await h.send(who, command)
        code = command.split()[1]
        assert answer["text"] == (
            f'Không có đơn vị mã "{code}" trong các đơn vị đồng chí phụ trách. '
            "Xin kiểm tra lại mã đơn vị."
        )
    assert await _token(h) == old
    async with h.db() as s:
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None and unit.join_approval is True
        assert (await s.scalars(select(AuditEvent))).all() == []


async def test_join_approval_usage_and_switching_back_on(h: Harness) -> None:
    secretary, _ = await _setup(h)
    for command in ("/join_approval", f"/join_approval {CELL}", f"/join_approval {CELL} maybe"):
        [usage] = await h.send(secretary, command)
        assert usage["text"].startswith("Gõ /join_approval, mã đơn vị")
    [usage] = await h.send(secretary, "/rotate_link")
    assert usage["text"].startswith("Gõ /rotate_link và mã đơn vị")
    await h.send(secretary, f"/join_approval {CELL} tắt")
    [on] = await h.send(secretary, f"/join_approval {CELL} BẬT")
    assert "phải chờ bí thư đồng ý" in on["text"]
    async with h.db() as s:
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None and unit.join_approval is True
        details = (
            await s.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "join-approval")
                .order_by(AuditEvent.id)
            )
        ).all()
        assert details == [{"from": True, "to": False}, {"from": False, "to": True}]
