"""200 members pressing at once, on SQLite and on PostgreSQL: exactly 200 confirmations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.services.drafts import read_directive_file
from bot.services.publish import publish
from bot.services.tree import import_members, import_units
from storage import queries
from storage.models import Chat, Confirmation, Delivery
from tests.kit.harness import Harness, MakeHarness
from tests.kit.paths import SAMPLE

PRESSERS = 200


@pytest.fixture
async def any_harness(make_harness: MakeHarness, db_url: str) -> AsyncIterator[Harness]:
    async with make_harness(db_url=db_url) as h:
        yield h


async def test_200_members_pressing_at_once_make_exactly_200_confirmations(
    any_harness: Harness,
) -> None:
    h = any_harness
    users = [h.user(f"Người {i}") for i in range(PRESSERS)]
    group = h.group("Chi bộ trạm y tế 1")
    for user in users:
        h.sandbox.add_chat_member(group.id, user.id)
    h.sandbox.add_bot_to_chat(group.id, h.token, by_user_id=users[0].id)
    csv = "telegram_id,full_name,username,unit_code,role,language\n" + "".join(
        f"{u.id},Người {i},,BP-DX-01,member,vi\n" for i, u in enumerate(users)
    )
    async with h.db() as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with h.db() as s:
        await import_members(s, csv)
        unit = await queries.unit_by_code(s, "BP-DX-01")
        assert unit is not None
        s.add(Chat(telegram_id=group.id, type="supergroup", title="Chi bộ", unit_id=unit.id))
    [draft] = [
        d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == "1208-CV/BTGTU"
    ]
    async with h.db() as s:
        result = await publish(
            s,
            draft,
            publisher=None,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
        )
        directive_id = result.directive.id
    await h.outbox_idle()
    [post] = [m for m in h.bot_messages(group.id) if m.get("reply_markup")]

    # Every press is queued before the bot fetches any of them: they arrive together.
    ids = [
        h.sandbox.press_button(h.token, u.id, group.id, post["message_id"], f"c:{directive_id}:s")
        for u in users
    ]
    await h.sandbox.wait_for(lambda: all(q in h.sandbox.callback_answers for q in ids), timeout=120)
    toasts = {h.sandbox.callback_answers[q]["text"] for q in ids}
    assert toasts == {"📖 Đã ghi nhận: đồng chí đã học tập văn bản 1208-CV/BTGTU. Cảm ơn!"}
    async with h.db() as s:
        counts = dict(
            (
                await s.execute(
                    select(Confirmation.kind, func.count(Confirmation.id)).group_by(
                        Confirmation.kind
                    )
                )
            ).all()
        )
        assert counts == {"received": PRESSERS, "studied": PRESSERS}
        assert await s.scalar(select(func.count(Delivery.id)).where(Delivery.kind == "post")) == 1
    await h.settle(
        lambda: next(m for m in h.bot_messages(group.id) if m.get("reply_markup"))["text"].endswith(
            "Đã nhận 200/200 · Đã học 200/200"
        )
    )
