"""Who may manage what, and the joining/linking services, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.services import access, joining, linking
from bot.services.joining import JoinStatus, RenameStatus
from bot.services.linking import ChatInfo, LinkStatus
from bot.services.people import TelegramPerson
from bot.services.tree import import_members, import_units
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import Chat, Delivery, Member, Membership
from tests.kit.paths import SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
# The first rows of the sample: an admin, a district secretary, a cell secretary, a member.
ADMIN, DISTRICT_SEC, CELL_SEC, PLAIN = 700000001, 700000002, 700000003, 700000004
OUTSIDER = 42


def person(telegram_id: int, name: str = "Người mới") -> TelegramPerson:
    return TelegramPerson(
        telegram_id=telegram_id, full_name=name, username=None, language_code="vi"
    )


async def _setup(sessions: SessionFactory) -> None:
    members = "\n".join(
        (SAMPLE / "members.csv").read_text(encoding="utf-8").splitlines()[:5]
    )  # header + 4 rows
    async with transaction(sessions) as s:
        await import_units(s, UNITS)
    async with transaction(sessions) as s:
        await import_members(s, members)


async def _member(s: object, telegram_id: int) -> Member:
    member = await queries.member_by_telegram_id(s, telegram_id)  # type: ignore[arg-type]
    assert member is not None
    return member


async def test_roles_decide_who_manages_which_units(sessions: SessionFactory) -> None:
    await _setup(sessions)
    async with sessions() as s:
        units = await queries.units_by_code(s)
        admin, district, cell, plain = [
            await _member(s, i) for i in (ADMIN, DISTRICT_SEC, CELL_SEC, PLAIN)
        ]
        assert await access.is_admin(s, admin, [])
        assert not await access.is_admin(s, district, [])
        assert await access.is_admin(s, plain, [PLAIN])  # listed in [bot] admins

        # An admin anywhere manages everything, even units outside their own branch.
        assert await access.can_manage_unit(s, admin, units["BP-PR-03"], [])
        # A district secretary manages the district and its cells, nothing beside or above.
        assert await access.can_manage_unit(s, district, units["BP-DX"], [])
        assert await access.can_manage_unit(s, district, units["BP-DX-04"], [])
        assert not await access.can_manage_unit(s, district, units["BP-BL-01"], [])
        assert not await access.can_manage_unit(s, district, units["BP"], [])
        # A cell secretary manages only the cell; a plain member manages nothing.
        assert await access.can_manage_unit(s, cell, units["BP-DX-01"], [])
        assert not await access.can_manage_unit(s, cell, units["BP-DX-02"], [])
        assert not await access.can_manage_unit(s, plain, units["BP-DX-01"], [])

        assert [u.code for u in await access.managed_roots(s, district, [])] == ["BP-DX"]
        assert [u.code for u in await access.managed_units(s, district, [])] == [
            "BP-DX",
            "BP-DX-01",
            "BP-DX-02",
            "BP-DX-03",
            "BP-DX-04",
            "BP-DX-05",
        ]
        assert [u.code for u in await access.managed_units(s, cell, [])] == ["BP-DX-01"]
        assert await access.managed_units(s, plain, []) == []
        assert len(await access.managed_units(s, admin, [])) == 56
        assert [u.code for u in await access.managed_roots(s, admin, [])] == ["BP"]


async def test_a_secretary_of_a_district_and_its_cell_has_one_root(
    sessions: SessionFactory,
) -> None:
    await _setup(sessions)
    async with transaction(sessions) as s:
        units = await queries.units_by_code(s)
        district = await _member(s, DISTRICT_SEC)
        s.add(Membership(member_id=district.id, unit_id=units["BP-DX-03"].id, role="secretary"))
        s.add(Membership(member_id=district.id, unit_id=units["BP-BL-02"].id, role="secretary"))
    async with sessions() as s:
        district = await _member(s, DISTRICT_SEC)
        roots = await access.managed_roots(s, district, [])
        assert sorted(u.code for u in roots) == ["BP-BL-02", "BP-DX"]
        assert len(await access.managed_units(s, district, [])) == 7


async def test_managers_are_listed_nearest_first(sessions: SessionFactory) -> None:
    await _setup(sessions)
    async with sessions() as s:
        units = await queries.units_by_code(s)
        managers = await access.managers_of(s, units["BP-DX-01"])
        assert [(m.member.telegram_id, m.unit.code, m.role) for m in managers] == [
            (CELL_SEC, "BP-DX-01", "secretary"),
            (DISTRICT_SEC, "BP-DX", "secretary"),
        ]
        assert await access.managers_of(s, units["BP-PR-01"]) == []


async def test_join_offer_and_stale_tokens(sessions: SessionFactory) -> None:
    await _setup(sessions)
    async with transaction(sessions) as s:
        unit = (await queries.units_by_code(s))["BP-DX-02"]
        offer = await joining.offer_join(s, person(OUTSIDER), unit.join_token, language="vi")
        assert offer.status is JoinStatus.OFFERED
        assert offer.parent is not None and offer.parent.code == "BP-DX"
        for bad in ("nope", "a b", "x" * 65):
            assert (await joining.offer_join(s, person(9), bad, language="vi")).status is (
                JoinStatus.INVALID
            )
        token = unit.join_token
        unit.join_token = "regenerated-token"
    async with transaction(sessions) as s:
        stale = await joining.offer_join(s, person(OUTSIDER), token, language="vi")
        assert stale.status is JoinStatus.INVALID
        count = await s.scalar(select(func.count(Membership.id)))
    assert count == 4  # opening a link adds nobody to a unit


async def test_rename_trims_and_limits_the_name(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        assert (await joining.rename_member(s, person(1), "   ", language="vi")).status is (
            RenameStatus.EMPTY
        )
        too_long = await joining.rename_member(s, person(1), "a" * 101, language="vi")
        assert too_long.status is RenameStatus.TOO_LONG
        done = await joining.rename_member(
            s, person(1, "Lan"), "  Nguyễn \n Thị  Lan ", language="vi"
        )
        assert (done.status, done.name, done.previous) == (
            RenameStatus.RENAMED,
            "Nguyễn Thị Lan",
            "Lan",
        )
        assert (await _member(s, 1)).full_name == "Nguyễn Thị Lan"


async def test_link_refusal_writes_nothing_and_relink_moves(sessions: SessionFactory) -> None:
    await _setup(sessions)
    group = ChatInfo(-4001, "group", "Chi bộ 1")
    async with transaction(sessions) as s:
        refused = await linking.link_chat(s, person(PLAIN), "BP-DX-01", group, config_admins=[])
        # Not theirs is answered as unknown: nothing about the unit or who runs it.
        assert (refused.status, refused.unit, refused.managers) == (
            LinkStatus.UNKNOWN_UNIT,
            None,
            [],
        )
        unknown = await linking.link_chat(s, person(CELL_SEC), "BP-XX", group, config_admins=[])
        assert unknown.status is LinkStatus.UNKNOWN_UNIT
        assert await s.scalar(select(func.count(Chat.id))) == 0
        # A stranger listed in [bot] admins may link, without being a member.
        by_config = await linking.link_chat(
            s, person(OUTSIDER), "BP-DX-05", group, config_admins=[OUTSIDER]
        )
        assert by_config.status is LinkStatus.LINKED
    async with transaction(sessions) as s:
        moved = await linking.link_chat(
            s, person(DISTRICT_SEC), "BP-DX-01", group, config_admins=[]
        )
        assert moved.status is LinkStatus.MOVED
        assert moved.previous is not None and moved.previous.code == "BP-DX-05"
        same = await linking.link_chat(s, person(CELL_SEC), "BP-DX-01", group, config_admins=[])
        assert same.status is LinkStatus.UNCHANGED
        assert await s.scalar(select(func.count(Chat.id))) == 1


async def test_migration_moves_the_chat_and_its_queued_posts(sessions: SessionFactory) -> None:
    await _setup(sessions)
    async with transaction(sessions) as s:
        unit = (await queries.units_by_code(s))["BP-DX-01"]
        chat = Chat(telegram_id=-4002, type="group", title="Chi bộ", unit_id=unit.id)
        s.add(chat)
        await s.flush()
        for state in ("queued", "sent"):
            s.add(
                Delivery(
                    dedupe_key=f"k-{state}",
                    kind="post",
                    chat_id=chat.id,
                    target_telegram_id=-4002,
                    state=state,
                    next_attempt_at=datetime.now(UTC),
                )
            )
    for _ in range(2):  # Telegram tells both the old and the new chat
        async with transaction(sessions) as s:
            moved = await linking.follow_migration(s, -4002, -1004002)
            assert moved is not None and moved.unit_id == unit.id
    async with sessions() as s:
        row = await queries.chat_by_telegram_id(s, -1004002)
        assert row is not None and row.type == "supergroup"
        assert await queries.chat_by_telegram_id(s, -4002) is None
        targets = dict((await s.execute(select(Delivery.state, Delivery.target_telegram_id))).all())
        assert targets == {"queued": -1004002, "sent": -4002}
        assert await linking.follow_migration(s, -1, -2) is None


def test_channel_references_are_parsed_strictly() -> None:
    assert linking.parse_channel_ref("-1001234567890") == -1001234567890
    assert linking.parse_channel_ref("@tin_chibo") == "@tin_chibo"
    assert linking.parse_channel_ref("https://t.me/tin_chibo") == "@tin_chibo"
    for bad in ("tin chibo", "12345", "@a", "-4001", ""):
        assert linking.parse_channel_ref(bad) is None


@dataclass
class FakeProbe:
    """What Telegram would say about channels: chats by reference, statuses by (chat, user)."""

    chats: dict[int | str, ChatInfo] = field(default_factory=dict)
    statuses: dict[tuple[int, int], str] = field(default_factory=dict)
    bot_id: int = 1

    async def chat(self, ref: int | str) -> ChatInfo | None:
        return self.chats.get(ref)

    async def member_status(self, chat_id: int, user_id: int) -> str | None:
        return self.statuses.get((chat_id, user_id))

    async def bot_status(self, chat_id: int) -> str | None:
        return self.statuses.get((chat_id, self.bot_id))


async def test_channel_linking_says_what_is_missing(sessions: SessionFactory) -> None:
    await _setup(sessions)
    channel = ChatInfo(-1005000001, "channel", "Tin Chi bộ")
    group = ChatInfo(-1005000002, "supergroup", "Nhóm")
    probe = FakeProbe(chats={"@tin_chibo": channel, -1005000001: channel, "@nhom": group})

    async def link(who: int, ref: str) -> LinkStatus:
        async with transaction(sessions) as s:
            facts = await linking.probe_channel(probe, ref, who)
            outcome = await linking.link_channel(
                s, person(who), "BP-DX-01", facts, config_admins=[]
            )
            return outcome.status

    assert await link(PLAIN, "@tin_chibo") is LinkStatus.UNKNOWN_UNIT
    assert await link(CELL_SEC, "tin chibo") is LinkStatus.BAD_CHANNEL
    assert await link(CELL_SEC, "@khong_co") is LinkStatus.CHANNEL_NOT_FOUND
    assert await link(CELL_SEC, "@nhom") is LinkStatus.NOT_A_CHANNEL
    assert await link(CELL_SEC, "@tin_chibo") is LinkStatus.USER_NOT_ADMIN
    probe.statuses[(channel.telegram_id, CELL_SEC)] = "administrator"
    probe.statuses[(channel.telegram_id, probe.bot_id)] = "member"
    assert await link(CELL_SEC, "@tin_chibo") is LinkStatus.BOT_NOT_ADMIN
    async with sessions() as s:
        assert await s.scalar(select(func.count(Chat.id))) == 0
    probe.statuses[(channel.telegram_id, probe.bot_id)] = "administrator"
    assert await link(CELL_SEC, "-1005000001") is LinkStatus.LINKED
    async with sessions() as s:
        row = await queries.chat_by_telegram_id(s, channel.telegram_id)
        assert row is not None and (row.type, row.title) == ("channel", "Tin Chi bộ")


async def test_two_links_of_one_new_group_at_once_both_succeed(sessions: SessionFactory) -> None:
    """Two /link in a group the bot has never seen, handled at the same time: the second does
    not hit the unique key on the chat (PostgreSQL raised IntegrityError before)."""
    await _setup(sessions)
    group = ChatInfo(-4002, "supergroup", "Chi bộ 2")
    first_done, release = asyncio.Event(), asyncio.Event()

    async def first() -> LinkStatus:
        async with transaction(sessions) as s:
            out = await linking.link_chat(s, person(CELL_SEC), "BP-DX-01", group, config_admins=[])
            first_done.set()
            await release.wait()  # keep the new row uncommitted while the second one runs
            return out.status

    async def second() -> LinkStatus:
        await first_done.wait()
        async with transaction(sessions) as s:
            out = await linking.link_chat(s, person(CELL_SEC), "BP-DX-01", group, config_admins=[])
            return out.status

    one, two = asyncio.create_task(first()), asyncio.create_task(second())
    await asyncio.sleep(0.5)  # lets the second reach its insert (it then waits for the first)
    release.set()
    assert (await one, await two) == (LinkStatus.LINKED, LinkStatus.UNCHANGED)
    async with transaction(sessions) as s:
        assert await s.scalar(select(func.count(Chat.id))) == 1
