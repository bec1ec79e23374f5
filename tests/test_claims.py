"""Claiming roster entries through a unit's join link, end to end through the sandbox (on SQLite
and PostgreSQL): by phone, by name with the secretary's one tap, asking to be added; refusals
(a contact of someone else, an entry already taken, a forged decision); the claim race; merging
the row the bot had made for someone into the entry they claim."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import claims
from bot.services.claims import ClaimStatus, DecideStatus
from bot.services.people import TelegramPerson
from bot.services.phones import normalise_phone
from bot.services.tree import import_units
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import (
    AuditEvent,
    Claim,
    Confirmation,
    DialogueDraft,
    Directive,
    Member,
    Membership,
    Unit,
)
from tests.kit.harness import Harness, MakeHarness
from tests.kit.paths import SAMPLE
from tests.kit.roles_scene import menu

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
CELL = "BP-DX-01"
DUC_PHONE = "0912 345 678"
ROSTER = [
    ("Nguyễn Văn Đức", "0912345678"),
    ("Trần Thị Lan", None),
    ("Lê Văn An", None),
    # ten more whose given names fall between Đức and Lan in Vietnamese order (by given name)
    *[
        (f"Phạm Văn {given}", None)
        for given in ("Em", "Giang", "Hà", "Hải", "Hiếu", "Hòa", "Hùng", "Huy", "Khang", "Khoa")
    ],
]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def h(make_harness: MakeHarness, db_url: str) -> AsyncIterator[Harness]:
    """A running bot on SQLite and on PostgreSQL."""
    async with make_harness(db_url=db_url) as harness:
        yield harness


async def _roster(s: Any, code: str = CELL) -> dict[str, int]:
    """The unit's list as the secretary's import leaves it: entries without Telegram ids."""
    unit = await queries.unit_by_code(s, code)
    assert unit is not None
    ids = {}
    for name, phone in ROSTER:
        member = Member(full_name=name, phone=phone, language="vi")
        s.add(member)
        await s.flush()
        s.add(Membership(member_id=member.id, unit_id=unit.id, role="member"))
        ids[name] = member.id
    await s.flush()
    return ids


async def _setup(h: Harness) -> tuple[Any, str, dict[str, int]]:
    """The tree, the cell's roster and its secretary (a sandbox user); returns the secretary,
    the cell's join token and the roster's ids."""
    secretary = h.user("Bí thư", last_name="Hoàng")
    async with h.db() as s:
        await import_units(s, UNITS)
    async with h.db() as s:
        ids = await _roster(s)
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None
        sec = Member(telegram_id=secretary.id, full_name="Hoàng Bí Thư", language="vi")
        s.add(sec)
        await s.flush()
        s.add(Membership(member_id=sec.id, unit_id=unit.id, role="secretary"))
        token = unit.join_token
    await h.send(secretary, "/start")  # the bot may write to them from now on
    return secretary, token, ids


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def _data(message: dict[str, Any], text: str) -> str:
    return next(d for t, d in _buttons(message) if t == text)


async def _entry(h: Harness, member_id: int) -> Member:
    await h.settle()
    async with h.db() as s:
        member = await s.get(Member, member_id)
        assert member is not None
        return member


async def _claims(h: Harness) -> list[tuple[str, str, int | None]]:
    await h.settle()
    async with h.db() as s:
        rows = (await s.scalars(select(Claim).order_by(Claim.id))).all()
        return [(c.how, c.state, c.member_id) for c in rows]


async def _edited(h: Harness, chat_id: int, message_id: int) -> dict[str, Any]:
    def current() -> dict[str, Any]:
        return next(m for m in h.bot_messages(chat_id) if m["message_id"] == message_id)

    await h.settle(lambda: bool(current()["edited"]))
    return current()


async def _open(h: Harness, user: Any, token: str) -> dict[str, Any]:
    """``/start <token>``: the list, then the phone button; returns the list message."""
    listing, phone = await h.send(user, f"/start {token}", replies=2)
    assert "Gửi số điện thoại" in phone["text"] or "số điện thoại" in phone["text"]
    return listing


# -- by phone ---------------------------------------------------------------------------------


async def test_phone_claim_is_approved_at_once(h: Harness) -> None:
    _, token, ids = await _setup(h)
    duc = h.user("Đức", last_name="Nguyễn", phone="+84912345678")
    listing = await _open(h, duc, token)
    assert "Chi bộ trạm y tế 1" in listing["text"]
    keyboard = h.sandbox.reply_keyboards[(duc.id, h.app.bot.id)]
    [[button]] = keyboard["keyboard"]
    assert button["request_contact"] is True

    [answer] = await h.driver.share_contact(duc)
    assert answer["text"].startswith("Chào mừng đồng chí! Đồng chí là Nguyễn Văn Đức")
    entry = await _entry(h, ids["Nguyễn Văn Đức"])
    assert (entry.telegram_id, entry.private_chat) == (duc.id, True)
    assert await _claims(h) == [("phone", "approved", ids["Nguyễn Văn Đức"])]
    async with h.db() as s:
        # the row the bot made when the link was opened merged into the entry
        assert await s.scalar(select(func.count()).where(Member.telegram_id == duc.id)) == 1
        assert await s.scalar(select(func.count(DialogueDraft.telegram_id))) == 0
        actions = (await s.scalars(select(AuditEvent.action))).all()
        assert "claim-approved" in actions


async def test_a_contact_of_someone_else_is_refused(h: Harness) -> None:
    _, token, ids = await _setup(h)
    mallory = h.user("Mallory", phone="+84 900 000 000")
    await _open(h, mallory, token)
    victim = h.user("Đức", phone=DUC_PHONE)
    before = len(h.bot_messages(mallory.id))
    h.sandbox.send_contact(h.token, mallory.id, DUC_PHONE, "Đức", contact_user_id=victim.id)
    await h.settle(lambda: len(h.bot_messages(mallory.id)) > before)
    refusal = h.bot_messages(mallory.id)[-1]
    assert refusal["text"].startswith("Chỉ nhận số điện thoại của chính đồng chí")
    # a contact card with no Telegram account behind it is refused alike
    h.sandbox.send_contact(h.token, mallory.id, DUC_PHONE, "Đức")
    await h.settle(lambda: len(h.bot_messages(mallory.id)) > before + 1)
    assert h.bot_messages(mallory.id)[-1]["text"] == refusal["text"]
    assert (await _entry(h, ids["Nguyễn Văn Đức"])).telegram_id is None
    assert await _claims(h) == []


async def test_a_phone_number_not_on_the_list_claims_nothing(h: Harness) -> None:
    _, token, _ = await _setup(h)
    other = h.user("Khác", phone="0987 654 321")
    await _open(h, other, token)
    [answer] = await h.driver.share_contact(other)
    assert "không có trong danh sách" in answer["text"]
    assert await _claims(h) == []


# -- by name, the list and its filter ---------------------------------------------------------


async def test_the_list_is_paged_and_filtered_without_accents(h: Harness) -> None:
    _, token, _ = await _setup(h)
    lan = h.user("Lan")
    listing = await _open(h, lan, token)
    names = [t for t, d in _buttons(listing) if d.startswith("cl:n:")]
    assert len(names) == 8 and names[:2] == ["Lê Văn An", "Nguyễn Văn Đức"]
    assert "Trang 1/2" in listing["text"]
    await h.press(lan, lan.id, listing["message_id"], _data(listing, "Trang sau ›"))
    second = await _edited(h, lan.id, listing["message_id"])
    assert "Trang 2/2" in second["text"]
    assert [t for t, d in _buttons(second) if d.startswith("cl:n:")][-1] == "Trần Thị Lan"

    [found] = await h.send(lan, "duc")
    assert [t for t, d in _buttons(found) if d.startswith("cl:n:")] == ["Nguyễn Văn Đức"]
    assert 'Các tên có "duc": 1' in found["text"]
    async with h.db() as s:  # the open offer is in the database, so a restart keeps it
        draft = await s.get(DialogueDraft, lan.id)
        assert draft is not None and (draft.kind, draft.state["query"]) == ("claim", "duc")


async def test_name_claim_is_approved_by_the_secretary_with_one_tap(h: Harness) -> None:
    secretary, token, ids = await _setup(h)
    lan = h.user("Lan", last_name="Trần", username="lan_tran")
    await _open(h, lan, token)
    [found] = await h.send(lan, "tran thi")
    before = len(h.bot_messages(secretary.id))
    await h.press(lan, lan.id, found["message_id"], _data(found, "Trần Thị Lan"))
    pending = await _edited(h, lan.id, found["message_id"])
    assert "Bí thư đơn vị sẽ xác nhận" in pending["text"]
    await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)
    ask = h.bot_messages(secretary.id)[-1]
    assert ask["text"] == (
        "Lan Trần (@lan_tran) cho biết mình là Trần Thị Lan trong danh sách "
        "Chi bộ trạm y tế 1. Có đúng không?"
    )
    assert (await _entry(h, ids["Trần Thị Lan"])).telegram_id is None
    assert await _claims(h) == [("name", "pending", ids["Trần Thị Lan"])]

    told = len(h.bot_messages(lan.id))
    toast = await h.press(secretary, secretary.id, ask["message_id"], _data(ask, "✅ Đồng ý"))
    assert toast["text"] == "Đã đồng ý."
    decided = await _edited(h, secretary.id, ask["message_id"])
    assert decided["text"].startswith("Đã đồng ý: Lan Trần là Trần Thị Lan")
    await h.settle(lambda: len(h.bot_messages(lan.id)) > told)
    assert h.bot_messages(lan.id)[-1]["text"].startswith("Bí thư đã xác nhận")
    entry = await _entry(h, ids["Trần Thị Lan"])
    assert entry.telegram_id == lan.id
    assert await _claims(h) == [("name", "approved", ids["Trần Thị Lan"])]
    async with h.db() as s:
        claim = await s.scalar(select(Claim))
        sec = await queries.member_by_telegram_id(s, secretary.id)
        assert claim is not None and sec is not None and claim.decided_by == sec.id


async def test_name_claim_declined(h: Harness) -> None:
    secretary, token, ids = await _setup(h)
    lan = h.user("Lan")
    listing = await _open(h, lan, token)
    before = len(h.bot_messages(secretary.id))
    await h.press(lan, lan.id, listing["message_id"], _data(listing, "Lê Văn An"))
    await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)
    ask = h.bot_messages(secretary.id)[-1]
    told = len(h.bot_messages(lan.id))
    toast = await h.press(secretary, secretary.id, ask["message_id"], _data(ask, "✖️ Từ chối"))
    assert toast["text"] == "Đã từ chối."
    await h.settle(lambda: len(h.bot_messages(lan.id)) > told)
    assert h.bot_messages(lan.id)[-1]["text"].startswith("Bí thư chưa xác nhận")
    assert (await _entry(h, ids["Lê Văn An"])).telegram_id is None
    assert await _claims(h) == [("name", "declined", ids["Lê Văn An"])]
    # the buttons are gone; another secretary's copy (the same data) decides nothing more
    async with h.db() as s:
        again = await claims.decide(s, secretary.id, _data(ask, "✅ Đồng ý"), NOW, [])
        assert again.status is DecideStatus.DECIDED
    assert await _claims(h) == [("name", "declined", ids["Lê Văn An"])]


async def test_a_stranger_asks_to_be_added_and_is_declined(h: Harness) -> None:
    secretary, token, _ = await _setup(h)
    stranger = h.user("Người", last_name="Lạ")
    listing = await _open(h, stranger, token)
    before = len(h.bot_messages(secretary.id))
    ask_button = "Tôi không có tên trong danh sách — xin được bổ sung"
    await h.press(stranger, stranger.id, listing["message_id"], _data(listing, ask_button))
    waiting = await _edited(h, stranger.id, listing["message_id"])
    assert waiting["text"].startswith("Đề nghị bổ sung vào")
    await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)
    ask = h.bot_messages(secretary.id)[-1]
    assert "Người Lạ không có tên trong danh sách" in ask["text"]
    assert await _claims(h) == [("ask", "pending", None)]
    told = len(h.bot_messages(stranger.id))
    await h.press(secretary, secretary.id, ask["message_id"], _data(ask, "✖️ Từ chối"))
    await h.settle(lambda: len(h.bot_messages(stranger.id)) > told)
    assert h.bot_messages(stranger.id)[-1]["text"].startswith("Bí thư chưa bổ sung đồng chí")
    assert await _claims(h) == [("ask", "declined", None)]
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, stranger.id)
        assert member is not None and not await queries.memberships_of(s, member.id)


async def test_a_stranger_asks_and_is_added(h: Harness) -> None:
    secretary, token, _ = await _setup(h)
    stranger = h.user("Người", last_name="Mới")
    listing = await _open(h, stranger, token)
    before = len(h.bot_messages(secretary.id))
    ask_button = "Tôi không có tên trong danh sách — xin được bổ sung"
    await h.press(stranger, stranger.id, listing["message_id"], _data(listing, ask_button))
    await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)
    ask = h.bot_messages(secretary.id)[-1]
    await h.press(secretary, secretary.id, ask["message_id"], _data(ask, "✅ Đồng ý"))
    await h.settle()
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, stranger.id)
        unit = await queries.unit_by_code(s, CELL)
        assert member is not None and unit is not None and member.full_name == "Người Mới"
        assert [(m.unit_id, m.role) for m in await queries.memberships_of(s, member.id)] == [
            (unit.id, "member")
        ]
    assert await _claims(h) == [("ask", "approved", member.id)]


async def test_an_entry_already_claimed_is_refused(h: Harness) -> None:
    _, token, ids = await _setup(h)
    late = h.user("Muộn")
    listing = await _open(h, late, token)  # the list still shows Đức
    duc = h.user("Đức", phone=DUC_PHONE)
    await _open(h, duc, token)
    await h.driver.share_contact(duc)
    toast = await h.press(late, late.id, listing["message_id"], _data(listing, "Nguyễn Văn Đức"))
    assert toast["show_alert"] and toast["text"].startswith("Tên Nguyễn Văn Đức đã có người khác")
    refreshed = await _edited(h, late.id, listing["message_id"])
    assert "Nguyễn Văn Đức" not in [t for t, _ in _buttons(refreshed)]
    assert (await _entry(h, ids["Nguyễn Văn Đức"])).telegram_id == duc.id
    assert await _claims(h) == [("phone", "approved", ids["Nguyễn Văn Đức"])]


async def test_two_people_tap_one_name_at_once_one_wins_the_other_is_told(h: Harness) -> None:
    secretary, token, ids = await _setup(h)
    await h.send(secretary, f"/join_approval {CELL} off")  # a name claim is approved at once
    first, second = h.user("Lan", last_name="Trần"), h.user("Lan", last_name="Giả")
    listings = {}
    for user in (first, second):
        await _open(h, user, token)
        [listings[user.id]] = await h.send(user, "lan")  # the name, typed to filter the list
    # Both press "Trần Thị Lan" before either is answered.
    pressed = {
        user.id: h.sandbox.press_button(
            h.token,
            user.id,
            user.id,
            listings[user.id]["message_id"],
            _data(listings[user.id], "Trần Thị Lan"),
        )
        for user in (first, second)
    }
    answers = h.sandbox.callback_answers
    await h.sandbox.wait_for(lambda: all(q in answers for q in pressed.values()))
    await h.settle()
    entry = await _entry(h, ids["Trần Thị Lan"])
    assert entry.telegram_id in (first.id, second.id)
    winner, loser = (first, second) if entry.telegram_id == first.id else (second, first)
    # The winner: welcomed in the list's message. The other: an alert naming the taken
    # entry, and the list again without it.
    assert not answers[pressed[winner.id]].get("text")
    welcomed = await _edited(h, winner.id, listings[winner.id]["message_id"])
    assert welcomed["text"].startswith("Chào mừng đồng chí! Đồng chí là Trần Thị Lan")
    told = answers[pressed[loser.id]]
    assert told["show_alert"] is True
    assert told["text"].startswith("Tên Trần Thị Lan đã có người khác nhận. Nếu đây là tên")
    refreshed = await _edited(h, loser.id, listings[loser.id]["message_id"])
    assert "Trần Thị Lan" not in [t for t, _ in _buttons(refreshed)]
    assert await _claims(h) == [("name", "approved", ids["Trần Thị Lan"])]
    async with h.db() as s:
        held = await s.scalar(select(func.count()).where(Member.telegram_id == loser.id))
        on_lists = await s.scalar(
            select(func.count(Membership.id))
            .join(Member, Member.id == Membership.member_id)
            .where(Member.telegram_id == loser.id)
        )
        assert held in (0, 1) and on_lists == 0  # known to the bot, on nobody's list


async def test_two_waiting_claims_of_one_name_the_second_approval_is_refused_clearly(
    h: Harness,
) -> None:
    secretary, token, ids = await _setup(h)
    first, second = h.user("Lan", last_name="Trần"), h.user("Lan", last_name="Giả")
    asks = []
    for user in (first, second):
        await _open(h, user, token)
        [listing] = await h.send(user, "tran thi lan")
        before = len(h.bot_messages(secretary.id))
        await h.press(user, user.id, listing["message_id"], _data(listing, "Trần Thị Lan"))
        await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)  # noqa: B023
        asks.append(h.bot_messages(secretary.id)[-1])
    assert await _claims(h) == [("name", "pending", ids["Trần Thị Lan"])] * 2
    # The secretary approves both requests, one right after the other.
    told = {user.id: len(h.bot_messages(user.id)) for user in (first, second)}
    presses = [
        h.sandbox.press_button(
            h.token, secretary.id, secretary.id, ask["message_id"], _data(ask, "✅ Đồng ý")
        )
        for ask in asks
    ]
    answers = h.sandbox.callback_answers
    await h.sandbox.wait_for(lambda: all(q in answers for q in presses))
    await h.settle()
    entry = await _entry(h, ids["Trần Thị Lan"])
    winner, loser = (first, second) if entry.telegram_id == first.id else (second, first)
    assert entry.telegram_id == winner.id
    toasts = sorted(str(answers[q]["text"]) for q in presses)
    assert toasts == ["Tên này đã có người khác nhận.", "Đã đồng ý."]
    # The secretary's message of the refused request says why; its claimant is told.
    texts = [
        next(m for m in h.bot_messages(secretary.id) if m["message_id"] == a["message_id"])["text"]
        for a in asks
    ]
    assert sorted(t.split(":")[0].split(" của")[0] for t in texts) == [
        "Tên Trần Thị Lan",
        "Đã đồng ý",
    ]
    refused = next(t for t in texts if t.startswith("Tên Trần Thị Lan"))
    assert refused.endswith("đã có người khác nhận; đề nghị của Lan Giả bị từ chối.") or (
        refused.endswith("đã có người khác nhận; đề nghị của Lan Trần bị từ chối.")
    )
    await h.settle(lambda: all(len(h.bot_messages(u.id)) > told[u.id] for u in (first, second)))
    assert h.bot_messages(winner.id)[-1]["text"].startswith("Bí thư đã xác nhận")
    assert h.bot_messages(loser.id)[-1]["text"] == (
        "Tên Trần Thị Lan của Chi bộ trạm y tế 1 đã có người khác nhận. "
        "Xin đồng chí trao đổi với bí thư."
    )
    assert sorted(await _claims(h)) == [
        ("name", "approved", ids["Trần Thị Lan"]),
        ("name", "declined", ids["Trần Thị Lan"]),
    ]


async def test_nobody_holds_two_entries(h: Harness) -> None:
    _, token, ids = await _setup(h)
    duc = h.user("Đức", phone=DUC_PHONE)
    listing = await _open(h, duc, token)
    await h.driver.share_contact(duc)
    toast = await h.press(duc, duc.id, listing["message_id"], _data(listing, "Lê Văn An"))
    assert toast["show_alert"] and "mỗi người chỉ một tên" in toast["text"]
    assert (await _entry(h, ids["Lê Văn An"])).telegram_id is None


async def test_with_approval_off_a_name_claim_is_approved_at_once(h: Harness) -> None:
    secretary, token, ids = await _setup(h)
    [done] = await h.send(secretary, f"/join_approval {CELL} off")
    assert "không cần chờ đồng ý" in done["text"]
    async with h.db() as s:
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None and unit.join_approval is False
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "join-approval"))
        assert event is not None and event.detail == {"from": True, "to": False}
    lan = h.user("Lan")
    listing = await _open(h, lan, token)
    before = len(h.bot_messages(secretary.id))
    await h.press(lan, lan.id, listing["message_id"], _data(listing, "Lê Văn An"))
    approved = await _edited(h, lan.id, listing["message_id"])
    assert approved["text"].startswith("Chào mừng đồng chí! Đồng chí là Lê Văn An")
    assert (await _entry(h, ids["Lê Văn An"])).telegram_id == lan.id
    assert len(h.bot_messages(secretary.id)) == before  # nobody had to be asked


async def test_a_forged_approval_by_a_non_secretary_is_refused(h: Harness) -> None:
    _, token, ids = await _setup(h)
    lan = h.user("Lan")
    listing = await _open(h, lan, token)
    await h.press(lan, lan.id, listing["message_id"], _data(listing, "Lê Văn An"))
    await h.settle()
    async with h.db() as s:
        claim = await s.scalar(select(Claim))
        assert claim is not None
        data = claims.decide_data(claim, True)
    # Lan approves her own claim with forged data under her own message.
    query_id = h.sandbox.press_button(
        h.token, lan.id, lan.id, listing["message_id"], data, forged=True
    )
    await h.settle(lambda: query_id in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query_id]["text"] == "Nút này không còn hợp lệ."
    assert await _claims(h) == [("name", "pending", ids["Lê Văn An"])]
    # Past the button check, the service refuses whoever may not decide for the unit.
    async with h.db() as s:
        refused = await claims.decide(s, lan.id, data, NOW, [])
        assert refused.status is DecideStatus.REFUSED
    assert await _claims(h) == [("name", "pending", ids["Lê Văn An"])]


# -- the service: races and merging ----------------------------------------------------------


def _person(telegram_id: int, name: str) -> TelegramPerson:
    return TelegramPerson(
        telegram_id=telegram_id, full_name=name, username=None, language_code="vi"
    )


async def _service_setup(sessions: SessionFactory, approval: bool) -> tuple[int, dict[str, int]]:
    async with transaction(sessions) as s:
        await import_units(s, UNITS)
    async with transaction(sessions) as s:
        ids = await _roster(s)
        unit = await queries.unit_by_code(s, CELL)
        assert unit is not None
        unit.join_approval = approval
        return unit.id, ids


async def test_two_claimants_one_entry_exactly_one_wins(sessions: SessionFactory) -> None:
    unit_id, ids = await _service_setup(sessions, approval=False)
    entry = ids["Trần Thị Lan"]

    async def claim(telegram_id: int) -> ClaimStatus:
        async with transaction(sessions) as s:
            unit = await s.get(Unit, unit_id)
            assert unit is not None
            outcome = await claims.claim_by_name(s, _person(telegram_id, "X"), unit, entry, NOW)
            await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
            return outcome.status

    results = await asyncio.gather(claim(501), claim(502))
    assert sorted(results) == [ClaimStatus.APPROVED, ClaimStatus.TAKEN]
    winner = 501 if results[0] is ClaimStatus.APPROVED else 502
    async with sessions() as s:
        member = await s.get(Member, entry)
        assert member is not None and member.telegram_id == winner
        approved = await s.scalar(select(func.count(Claim.id)).where(Claim.state == "approved"))
        assert approved == 1


async def test_two_phones_race_for_one_entry(sessions: SessionFactory) -> None:
    unit_id, ids = await _service_setup(sessions, approval=True)

    async def claim(telegram_id: int) -> ClaimStatus:
        async with transaction(sessions) as s:
            unit = await s.get(Unit, unit_id)
            assert unit is not None
            person = _person(telegram_id, "X")
            outcome = await claims.claim_by_phone(s, person, unit, DUC_PHONE, NOW)
            await asyncio.sleep(0.05)
            return outcome.status

    results = await asyncio.gather(claim(601), claim(602))
    assert sorted(results) == [ClaimStatus.APPROVED, ClaimStatus.TAKEN]
    async with sessions() as s:
        member = await s.get(Member, ids["Nguyễn Văn Đức"])
        assert member is not None and member.telegram_id in (601, 602)


async def test_a_telegram_only_member_is_merged_into_the_entry_they_claim(
    sessions: SessionFactory,
) -> None:
    unit_id, ids = await _service_setup(sessions, approval=False)
    entry = ids["Lê Văn An"]
    async with transaction(sessions) as s:
        # Known to the bot before claiming: pressed in a group, a member of the cell's group
        # from the old enrolment, and studied a directive there.
        adhoc = Member(telegram_id=777, full_name="An Telegram", username="an_tg", language="en")
        directive = Directive(number="1-CT/TU", title="Chỉ thị", issuer="Tỉnh ủy")
        s.add_all([adhoc, directive])
        await s.flush()
        s.add(Membership(member_id=adhoc.id, unit_id=unit_id, role="secretary"))
        s.add(Confirmation(directive_id=directive.id, member_id=adhoc.id, kind="received", at=NOW))
        s.add(Confirmation(directive_id=directive.id, member_id=adhoc.id, kind="studied", at=NOW))
        # The entry had "received" recorded at a meeting already: it stays, once.
        s.add(
            Confirmation(
                directive_id=directive.id, member_id=entry, kind="received", at=NOW, how="meeting"
            )
        )
        adhoc_id = adhoc.id
    async with transaction(sessions) as s:
        unit = await s.get(Unit, unit_id)
        assert unit is not None
        outcome = await claims.claim_by_name(s, _person(777, "An Telegram"), unit, entry, NOW)
        assert outcome.status is ClaimStatus.APPROVED
    async with sessions() as s:
        assert await s.get(Member, adhoc_id) is None
        member = await s.get(Member, entry)
        assert member is not None
        assert (member.telegram_id, member.full_name, member.username, member.language) == (
            777,
            "Lê Văn An",
            "an_tg",
            "en",
        )
        roles = [(m.unit_id, m.role) for m in await queries.memberships_of(s, entry)]
        assert roles == [(unit_id, "secretary")]  # one membership, the stronger role
        confirmations = (
            await s.execute(
                select(Confirmation.kind, Confirmation.how)
                .where(Confirmation.member_id == entry)
                .order_by(Confirmation.kind)
            )
        ).all()
        assert [tuple(c) for c in confirmations] == [("received", "meeting"), ("studied", "press")]


async def test_phone_numbers_are_normalised() -> None:
    for raw in ("0912 345 678", "+84 912345678", "84912345678", "0912.345.678"):
        assert normalise_phone(raw) == "0912345678"
    for raw in ("", "abc", "12345", "+1 202 555 0100"):
        assert normalise_phone(raw) is None


def test_names_match_without_accents() -> None:
    assert claims.fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert claims.fold("  ĐỨC ") == "duc"


async def test_the_open_offer_survives_a_restart(make_harness: MakeHarness, db_url: str) -> None:
    async with make_harness(db_url=db_url) as first:
        _, token, _ = await _setup(first)
        lan = first.user("Lan")
        await _open(first, lan, token)
    async with make_harness(db_url=db_url) as second:  # a new process: nothing in memory
        [found] = await second.send(lan, "lan")
        assert [t for t, d in _buttons(found) if d.startswith("cl:n:")] == ["Trần Thị Lan"]


# -- the menu of a claimed entry that holds a role -------------------------------------------


async def _hold_role(h: Harness, member_id: int, role: str) -> None:
    async with h.db() as s:
        ms = await s.scalar(select(Membership).where(Membership.member_id == member_id))
        assert ms is not None
        ms.role = role


async def test_an_imported_deputy_or_secretary_gets_their_menu_once_their_claim_is_approved(
    h: Harness,
) -> None:
    secretary, token, ids = await _setup(h)
    await _hold_role(h, ids["Nguyễn Văn Đức"], "deputy")
    await _hold_role(h, ids["Trần Thị Lan"], "secretary")
    duc = h.user("Đức", last_name="Nguyễn", phone="+84912345678")
    await _open(h, duc, token)
    assert "pending" not in await menu(h, duc)
    await h.driver.share_contact(duc)
    assert {"pending", "meeting", "member_add"} <= set(await menu(h, duc))
    assert "grant" not in await menu(h, duc)

    lan = h.user("Lan", last_name="Trần")
    await _open(h, lan, token)
    [found] = await h.send(lan, "tran thi")
    before = len(h.bot_messages(secretary.id))
    await h.press(lan, lan.id, found["message_id"], _data(found, "Trần Thị Lan"))
    await h.settle(lambda: len(h.bot_messages(secretary.id)) > before)
    assert "pending" not in await menu(h, lan)  # not theirs until the secretary says so
    ask = h.bot_messages(secretary.id)[-1]
    await h.press(secretary, secretary.id, ask["message_id"], _data(ask, "✅ Đồng ý"))
    await h.settle(lambda: (h.bot_messages(lan.id)[-1]["text"] or "").startswith("Bí thư"))
    assert {"pending", "grant", "revoke"} <= set(await menu(h, lan))
