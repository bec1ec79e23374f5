"""The press lane and the poller: presses taken from raw updates (no PTB objects) by the
router, polling through errors, acknowledging on stop; the counters
refresh that runs beside them (set-based counts, never waiting for a press batch)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update
from telegram.error import Conflict

from bot.delivery.sender import OutboxSender
from bot.i18n import Texts
from bot.intake.polling import Poller
from bot.intake.press_lane import lane_of
from bot.intake.route import Router, press_from_raw
from bot.services import counters
from bot.services.tree import import_members, import_units
from sandbox import SandboxServer
from storage import queries
from storage.db import create_engine, session_factory, transaction
from storage.models import Chat, Confirmation, Delivery, Directive, Member, Membership
from storage.write_turns import WriteTurns
from tests.kit.harness import Harness, bot_on_sandbox, make_settings
from tests.kit.publishing import post_in, publish_sample
from tests.kit.scene import Scene, build_scene

RECORDED = "✅ Đã ghi nhận: đồng chí đã nhận văn bản 1208-CV/BTGTU. Cảm ơn!"


def poller_of(h: Harness) -> Poller:
    poller = h.rt.poller
    assert poller is not None
    return poller


async def confirmations(h: Harness) -> int:
    async with h.db() as s:
        return int(await s.scalar(select(func.count(Confirmation.id))) or 0)


async def _published(h: Harness) -> tuple[Scene, int, int, str]:
    """The sample scene with 1208-CV/BTGTU published: the scene, a linked group, the post's
    message id there and the data of its ✅ button."""
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    group = scene.groups["BP-DX-01"].id
    return scene, group, post_in(h, group)["message_id"], f"c:{directive_id}:r"


async def test_a_press_handed_to_the_router_goes_to_the_lane_not_to_ptb(
    harness: Harness,
) -> None:
    h = harness
    scene, dx01, post, data = await _published(h)
    await poller_of(h).stop()  # the update stays with the server: route it ourselves
    query_id = h.sandbox.press_button(h.token, scene.id("m1"), dx01, post, data)
    [raw] = h.sandbox.pending_updates(h.token)
    router = h.rt.router
    assert isinstance(router, Router)
    lane = lane_of(h.rt)
    routed = await router.route(raw)
    assert routed is not None and routed.press and lane.spawned == 1  # the lane, not PTB
    await routed.task
    assert h.sandbox.callback_answers[query_id]["text"] == RECORDED
    assert await confirmations(h) == 1
    # No PTB handler takes presses any more: one arriving as a PTB update is just unknown.
    assert not any(
        "c:" in str(getattr(handler, "pattern", ""))
        for handlers in h.app.handlers.values()
        for handler in handlers
    )


async def test_the_poller_backs_off_on_errors_and_carries_on(harness: Harness) -> None:
    h = harness
    scene, dx01, post, data = await _published(h)
    h.sandbox.fail_next("getUpdates", count=1, status=502)
    h.sandbox.fail_next("getUpdates", count=1, status=500)

    def failed() -> list[int | None]:
        return [c.error_code for c in h.sandbox.calls if c.method == "getUpdates" and not c.ok]

    await h.sandbox.wait_for(lambda: len(failed()) == 2, timeout=15)
    assert failed() == [502, 500]
    answer = await h.press(scene.users["m1"], dx01, post, data)
    assert answer["text"] == RECORDED
    assert await confirmations(h) == 1


async def test_stopping_confirms_the_updates_it_fetched(harness: Harness) -> None:
    h = harness
    scene, dx01, post, data = await _published(h)
    await h.press(scene.users["m1"], dx01, post, data)
    await poller_of(h).stop()
    assert h.sandbox.pending_updates(h.token) == []  # a restart will not see the press again


def _raw(query: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": 5, "callback_query": {"id": "q1", "chat_instance": "1", **query}}


def test_press_from_raw_reads_what_a_press_needs_and_nothing_else(harness: Harness) -> None:
    rt = harness.rt
    user = {"id": 42, "is_bot": False, "first_name": "Lan", "last_name": "Dương"}
    message = {"message_id": 9, "date": 0, "chat": {"id": -100, "type": "supergroup"}}
    found = press_from_raw(_raw({"from": user, "data": "c:3:s", "message": message}), rt)
    assert found is not None
    press, query_id = found
    assert query_id == "q1"
    assert (press.data, press.chat_id, press.chat_type, press.message_id) == (
        "c:3:s",
        -100,
        "supergroup",
        9,
    )
    assert (press.person.telegram_id, press.person.full_name) == (42, "Lan Dương")
    assert press.language == "vi"  # no language code: the configured default
    english = {**user, "language_code": "en-GB"}
    found = press_from_raw(_raw({"from": english, "data": "c:3:r"}), rt)
    assert found is not None
    press, _ = found
    assert (press.language, press.chat_id, press.message_id) == ("en", 0, None)  # no message
    # not a confirmation button, or no user: PTB's handlers get it
    assert press_from_raw(_raw({"from": user, "data": "pg:1"}), rt) is None
    assert press_from_raw(_raw({"data": "c:3:r"}), rt) is None
    assert press_from_raw({"update_id": 6, "message": message}, rt) is None


async def _units_and_members(session: Any) -> dict[str, int]:
    await import_units(
        session,
        "code,parent_code,name,kind\nT,,Tỉnh,province\nU1,T,Một,cell\nU2,T,Hai,cell\n",
    )
    await import_members(
        session,
        "telegram_id,full_name,username,unit_code,role,language\n"
        "1,An,,U1,member,vi\n2,Bình,,U1,member,vi\n3,Chi,,U2,member,vi\n",
    )
    ids = {}
    for code in ("U1", "U2"):
        unit = await queries.unit_by_code(session, code)
        assert unit is not None
        ids[code] = unit.id
    for tg in (1, 2, 3):
        member = await queries.member_by_telegram_id(session, tg)
        assert member is not None
        ids[f"m{tg}"] = member.id
    return ids


async def test_counts_by_unit_for_many_posts_at_once(db_url: str) -> None:
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        async with transaction(sessions) as s:
            ids = await _units_and_members(s)
            s.add(Membership(member_id=ids["m1"], unit_id=ids["U2"], role="member"))  # two units
            d1 = Directive(number="1-CV", title="Một", issuer="T")
            d2 = Directive(number="2-CV", title="Hai", issuer="T")
            s.add_all([d1, d2])
            await s.flush()
            at = datetime(2027, 1, 1, tzinfo=UTC)
            for directive, member, kind in [
                (d1, "m1", "received"),
                (d1, "m1", "studied"),
                (d1, "m2", "received"),
                (d2, "m3", "received"),
            ]:
                s.add(
                    Confirmation(directive_id=directive.id, member_id=ids[member], kind=kind, at=at)
                )
            pairs = {(d, ids[u]) for d in (d1.id, d2.id) for u in ("U1", "U2")}
            got = await counters.unit_counts(s, pairs)
        assert got[(d1.id, ids["U1"])] == counters.UnitCounts(received=2, studied=1, total=2)
        assert got[(d1.id, ids["U2"])] == counters.UnitCounts(received=1, studied=1, total=2)
        assert got[(d2.id, ids["U2"])] == counters.UnitCounts(received=1, studied=0, total=2)
        assert got[(d2.id, ids["U1"])] == counters.UnitCounts(received=0, studied=0, total=2)
    finally:
        await engine.dispose()


async def _stale_posts(session: Any, ids: dict[str, int], count: int) -> list[Delivery]:
    """``count`` posts of one directive in U1's chats, sent, their counters to be redrawn."""
    directive = Directive(number="1-CV", title="Một", issuer="T")
    session.add(directive)
    chats = [Chat(telegram_id=-100 - i, type="supergroup", unit_id=ids["U1"]) for i in range(count)]
    session.add_all(chats)
    await session.flush()
    posts = [
        Delivery(
            dedupe_key=f"post-{c.id}",
            kind="post",
            directive_id=directive.id,
            chat_id=c.id,
            target_telegram_id=c.telegram_id,
            state="sent",
            message_id=7,
            next_attempt_at=datetime(2027, 1, 1, tzinfo=UTC),
            payload={"text": "Văn bản"},
            payload_has_counters=True,
            counters_dirty=True,
        )
        for c in chats
    ]
    session.add_all(posts)
    await session.flush()
    return posts


async def test_the_refresh_skips_posts_a_press_batch_is_marking(pg_url: str) -> None:
    """PostgreSQL: a press batch holds a post's row until it commits; the refresh must not
    wait for it (that wait, beside the batch waiting for the refresh, was a deadlock)."""
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    try:
        async with transaction(sessions) as s:
            ids = await _units_and_members(s)
            posts = await _stale_posts(s, ids, 2)
        held, free = posts[0].id, posts[1].id
        async with sessions() as batch, batch.begin():  # a press batch, not committed yet
            await batch.execute(
                update(Delivery).where(Delivery.id == held).values(counters_dirty=True)
            )
            async with transaction(sessions) as s:
                taken = await asyncio.wait_for(counters.take_stale_posts(s, 10, set()), 5)
            assert taken == [free]
        async with transaction(sessions) as s:  # the held one is left for the next round
            assert await counters.take_stale_posts(s, 10, set()) == [held]
    finally:
        await engine.dispose()


async def test_counters_edits_are_spread_out_not_sent_at_once(sqlite_url: str) -> None:
    """A round's edits count per chat only; sent all at once they made a burst that presses
    waited behind. They go one per gap instead (the global rate, or faster if the round
    would not fit in the refresh period)."""
    settings = make_settings(sqlite_url)
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    now = [1000.0]
    try:
        async with transaction(sessions) as s:
            await _stale_posts(s, await _units_and_members(s), 4)
        sender = OutboxSender(sessions, _NoPort(), settings, Texts(), clock=lambda: now[0])
        assert await sender._collect_edits() == 4
        gap = min(
            1 / settings.flood.global_per_second, settings.delivery.counter_refresh_seconds / 4
        )
        jobs = sender._take_ready()
        taken = [len(jobs)]
        for _ in range(3):
            taken.append(len(sender._take_ready()))  # no time passed: nothing more
            now[0] += gap
            jobs += sender._take_ready()
            taken.append(len(jobs))
        assert taken == [1, 0, 2, 0, 3, 0, 4]
        for job in jobs:  # as when the edits are done
            sender._forget(job)
        # the drawn lines are remembered: marked again but unchanged, nothing is redrawn
        async with transaction(sessions) as s:
            await s.execute(update(Delivery).values(counters_dirty=True))
        assert await sender._collect_edits() == 0
        async with transaction(sessions) as s:
            member = await queries.member_by_telegram_id(s, 1)
            assert member is not None
            directive_id = await s.scalar(select(Directive.id))
            at = datetime(2027, 1, 1, tzinfo=UTC)
            s.add(
                Confirmation(directive_id=directive_id, member_id=member.id, kind="received", at=at)
            )
            await s.execute(update(Delivery).values(counters_dirty=True))
        assert await sender._collect_edits() == 4  # U1's line changed in its four chats
    finally:
        await engine.dispose()


class _NoPort:
    """The sender's port, never called here (jobs are taken, not run)."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected call {name}")


BUSY = "⏳ Hệ thống đang bận, lần bấm này CHƯA được ghi nhận. Xin bấm lại sau vài giây."


async def test_a_burst_beyond_the_lanes_capacity_is_told_busy_and_nothing_is_lost(
    sandbox: SandboxServer, db_url: str
) -> None:
    async with bot_on_sandbox(sandbox, make_settings(db_url)) as h:
        scene, dx01, post, data = await _published(h)
        lane = lane_of(h.rt)
        lane.capacity = 3  # a tiny lane: three presses recorded at a time
        lane.batcher.turns = held = WriteTurns()  # the batcher's turn to write, held below
        pressers = [scene.id(key) for key in scene.users]  # ten people, one press each

        def answered(queries: list[str]) -> int:
            return sum(q in h.sandbox.callback_answers for q in queries)

        async with held.turn():  # the database is slow: the accepted presses wait
            burst = [h.sandbox.press_button(h.token, uid, dx01, post, data) for uid in pressers]
            # the presses beyond the capacity are answered at once, without waiting
            await h.sandbox.wait_for(lambda: answered(burst) == len(burst) - 3, timeout=10)
            assert lane.accepted == 3
        await h.sandbox.wait_for(lambda: answered(burst) == len(burst), timeout=10)
        texts = {
            uid: h.sandbox.callback_answers[q]["text"]
            for uid, q in zip(pressers, burst, strict=True)
        }
        assert sorted(texts.values()) == sorted([RECORDED] * 3 + [BUSY] * 7)
        assert lane.peak_accepted == 3 and lane.turned_away == 7  # never more than the capacity
        told_recorded = {uid for uid, text in texts.items() if text == RECORDED}

        async def recorded_pressers() -> set[int]:
            async with h.db() as s:
                rows = await s.scalars(
                    select(Member.telegram_id).join(
                        Confirmation, Confirmation.member_id == Member.id
                    )
                )
                return set(rows.all())

        assert await recorded_pressers() == told_recorded  # recorded = told so, nothing more

        # those told "busy" press again once the burst is over, as often as they are told so:
        # each round records up to the capacity, so the backlog drains; none is recorded twice
        busy = [uid for uid, text in texts.items() if text == BUSY]
        for _ in range(len(busy)):
            if not busy:
                break
            again = {uid: h.sandbox.press_button(h.token, uid, dx01, post, data) for uid in busy}
            queries = list(again.values())
            await h.sandbox.wait_for(lambda q=queries: answered(q) == len(q))
            answers = {uid: h.sandbox.callback_answers[q]["text"] for uid, q in again.items()}
            assert set(answers.values()) <= {RECORDED, BUSY}
            busy = [uid for uid, text in answers.items() if text == BUSY]
            told_recorded |= {uid for uid, text in answers.items() if text == RECORDED}
            assert len(busy) < len(again)
        assert busy == [] and told_recorded == set(pressers)
        assert await recorded_pressers() == set(pressers)
        assert await confirmations(h) == len(pressers)
        assert lane.peak_accepted == 3


async def test_a_conflict_ends_polling_instead_of_taking_turns(harness: Harness) -> None:
    """409: another poller has this bot's updates; polling on would take them in turns."""
    h = harness
    h.sandbox.fail_next(
        "getUpdates", count=1, status=409, description="Conflict: terminated by other request"
    )
    with pytest.raises(Conflict):
        await asyncio.wait_for(poller_of(h).run_until(asyncio.Event()), 15)
    polls = [c for c in h.sandbox.calls if c.method == "getUpdates"]
    assert polls[-1].error_code == 409  # and no getUpdates after it
