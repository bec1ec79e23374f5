"""Secretaries edit their units' rosters from chat (/member_add, /member_rename, /member_move,
/member_remove), end to end through the sandbox, on SQLite and PostgreSQL: the replies, the
rows, the audit log, and refusals outside the asker's units."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage import queries
from storage.models import AuditEvent, Member, Membership
from tests.kit.harness import Harness, MakeHarness
from tests.kit.scene import Scene, build_scene


@pytest.fixture
async def h(make_harness: MakeHarness, db_url: str) -> AsyncIterator[Harness]:
    async with make_harness(db_url=db_url) as harness:
        yield harness


async def _say(h: Harness, user: object, text: str) -> str:
    [reply] = await h.send(user, text)
    return str(reply["text"])


async def _roster(h: Harness, code: str) -> list[tuple[str, str | None]]:
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        rows = await queries.roster_of_units(s, [unit.id])
        return sorted((m.full_name, m.phone) for m, _ms in rows)


async def _audit(h: Harness) -> list[tuple[str, str, dict[str, object]]]:
    async with h.db() as s:
        rows = (await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        return [(a.actor, a.action, a.detail) for a in rows if a.action.startswith("roster-")]


async def test_a_secretary_adds_renames_moves_and_removes_members_of_their_units(
    h: Harness,
) -> None:
    scene: Scene = await build_scene(h)
    sec = scene.users["sec_dx"]  # secretary of BP-DX: BP-DX-01 and BP-DX-02 are below it
    actor = str(scene.id("sec_dx"))

    reply = await _say(h, sec, "/member_add BP-DX-01 Nguyễn  Văn An 0912 345 678")
    assert reply == (
        "✅ Đã thêm đồng chí Nguyễn Văn An (số điện thoại 0912345678) vào danh sách Chi bộ trạm y tế 1."
    )
    assert ("Nguyễn Văn An", "0912345678") in await _roster(h, "BP-DX-01")
    async with h.db() as s:
        an = await s.scalar(select(Member).where(Member.full_name == "Nguyễn Văn An"))
        assert an is not None and an.telegram_id is None  # on the roster, not using the bot yet

    reply = await _say(h, sec, "/member_add BP-DX-01 Nguyễn Văn An +84 912345678")
    assert reply.startswith("Đồng chí Nguyễn Văn An đã có trong danh sách Chi bộ trạm y tế 1")
    reply = await _say(h, sec, "/member_add BP-DX-01 Trần Bình 0912 34")
    assert reply.startswith('Số điện thoại "0912 34" không đúng dạng số Việt Nam.')

    reply = await _say(h, sec, "/member_rename BP-DX-01 0912345678 | Nguyễn Văn Ân")
    assert (
        reply
        == "✅ Đã sửa họ tên trong danh sách Chi bộ trạm y tế 1: Nguyễn Văn An → Nguyễn Văn Ân."
    )
    reply = await _say(h, sec, "/member_rename BP-DX-01 Nguyễn Văn Ân")
    assert reply.startswith("Cách sửa họ tên: /member_rename")

    reply = await _say(h, sec, "/member_move BP-DX-01 BP-DX-02 nguyễn văn ân")
    assert reply == "✅ Đã chuyển đồng chí Nguyễn Văn Ân từ Chi bộ trạm y tế 1 sang Chi bộ ấp 2."
    assert ("Nguyễn Văn Ân", "0912345678") not in await _roster(h, "BP-DX-01")
    assert ("Nguyễn Văn Ân", "0912345678") in await _roster(h, "BP-DX-02")
    reply = await _say(h, sec, "/member_move BP-DX-01 BP-DX-02 Đặng Thị Yến")
    assert reply.startswith("Đồng chí Đặng Thị Yến đang giữ vai trò bí thư hoặc quản trị")

    # Phan Minh Tuấn (m1) confirmed something earlier: taking him off keeps that history.
    async with h.db() as s:
        tuan = await s.scalar(select(Member).where(Member.full_name == "Phan Minh Tuấn"))
        assert tuan is not None
    reply = await _say(h, sec, "/member_remove BP-DX-01 Phan Minh Tuấn")
    assert reply == (
        "✅ Đã đưa đồng chí Phan Minh Tuấn ra khỏi danh sách Chi bộ trạm y tế 1. "
        "Những xác nhận đồng chí đã có vẫn được giữ lại."
    )
    async with h.db() as s:
        assert await s.get(Member, tuan.id) is not None  # the person stays, the membership goes
        left = await s.scalars(select(Membership).where(Membership.member_id == tuan.id))
        assert left.all() == []
    reply = await _say(h, sec, "/member_remove BP-DX-01 Phan Minh Tuấn")
    assert reply.startswith(
        'Danh sách Chi bộ trạm y tế 1 không có ai tên, số điện thoại hay số thẻ "Phan'
    )

    assert [(a, action) for a, action, _d in await _audit(h)] == [
        (actor, "roster-add"),
        (actor, "roster-rename"),
        (actor, "roster-move"),
        (actor, "roster-remove"),
    ]
    audit = await _audit(h)
    assert audit[1][2] == {"unit": "BP-DX-01", "old": "Nguyễn Văn An", "new": "Nguyễn Văn Ân"}
    assert audit[2][2] == {"unit": "BP-DX-01", "target": "BP-DX-02"}


async def test_outside_their_units_a_secretary_gets_the_unknown_unit_answer(h: Harness) -> None:
    scene = await build_scene(h)
    cell_sec, member = scene.users["sec_dx01"], scene.users["m1"]
    before = await _roster(h, "BP-DX-02")
    unknown = 'Không có đơn vị mã "NOPE" trong các đơn vị đồng chí phụ trách.'
    not_theirs = 'Không có đơn vị mã "BP-DX-02" trong các đơn vị đồng chí phụ trách.'
    cases = [
        (cell_sec, "/member_add NOPE Người Lạ", unknown),
        (cell_sec, "/member_add BP-DX-02 Người Lạ", not_theirs),
        (cell_sec, "/member_rename BP-DX-02 Đỗ Xuân Hải | Đỗ Xuân Hài", not_theirs),
        (cell_sec, "/member_remove BP-DX-02 Đỗ Xuân Hải", not_theirs),
        (cell_sec, "/member_move BP-DX-01 BP-DX-02 Phan Minh Tuấn", not_theirs),  # the target
        (member, "/member_add BP-DX-01 Người Lạ", 'Không có đơn vị mã "BP-DX-01"'),
    ]
    for who, command, start in cases:
        assert (await _say(h, who, command)).startswith(start), command
    assert await _roster(h, "BP-DX-02") == before
    assert await _roster(h, "BP-DX-01") == sorted(
        [
            ("Đặng Thị Yến", None),
            ("Phan Minh Tuấn", None),
            ("Lý Thanh Dung", None),
            ("Vũ Kim Mai", None),
        ]
    )
    assert await _audit(h) == []


async def test_asked_in_a_group_the_answer_goes_to_the_private_chat(h: Harness) -> None:
    scene = await build_scene(h)
    sec, group = scene.users["sec_dx01"], scene.groups["BP-DX-01"]
    await h.send(sec, "/start")
    [in_group] = await h.send(sec, "/member_add BP-DX-01 Lê Thị Cúc", chat_id=group.id)
    assert "Lê Thị Cúc" not in in_group["text"]
    assert ("Lê Thị Cúc", None) in await _roster(h, "BP-DX-01")
