"""Publishing with ``supersedes``, with the sandbox's flood limits on: the old posts are edited
once each, after the new post is in their chat, to say "được thay thế bởi <new number>" with a
link to the new post; they lose their buttons; a press on one records nothing and names the
new number; the old directive's reminders stop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.buttons import confirm_data
from bot.services.drafts import DraftError
from storage.models import AuditEvent, Directive, Reminder
from tests.kit.harness import FakeClock, Harness, buttons_of
from tests.kit.lifecycle import (
    confirmations,
    edits_per_message,
    forged_press,
    limited_harness,
    message,
    no_flood,
    posted,
    settled_counters,
)
from tests.kit.reminders import draft, naive, publish_as, start_private
from tests.kit.scene import build_scene

OLD, NEW = "23-CT/TU", "45-CT/TU"


@pytest.fixture
async def h(db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with limited_harness(db_url, clock) as harness:
        yield harness


def _link(shown: dict[str, Any]) -> str | None:
    return next((e.get("url") for e in shown.get("entities", []) if e["type"] == "text_link"), None)


async def test_the_old_posts_point_to_the_new_one_and_record_nothing(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "m1")
    old_id = await publish_as(h, scene, draft(OLD, study_by=naive("20/01/2027 17:00")))
    group = scene.groups["BP-DX-01"].id
    old_post = next(r for r in await posted(h, old_id) if r.target_telegram_id == group)
    await h.press(
        scene.users["m1"], group, old_post.message_id or 0, confirm_data(old_id, "received")
    )
    await settled_counters(h, group, old_post.message_id or 0, "Đã nhận 1/")
    before = await confirmations(h)
    since = len(h.sandbox.calls)

    new_id = await publish_as(
        h,
        scene,
        draft(NEW, supersedes=OLD, targets=["BP-DX-01"], study_by=naive("25/01/2027 17:00")),
    )
    await h.outbox_idle()

    old_rows = await posted(h, old_id)
    sent = {(r.target_telegram_id, r.message_id or 0) for r in old_rows}
    edits = edits_per_message(h, since)
    assert {key: edits[key] for key in sent} == {key: 1 for key in sent}
    assert set(edits) == sent and no_flood(h)
    new_post = next(r for r in await posted(h, new_id) if r.target_telegram_id == group)
    shown = message(h, group, old_post.message_id or 0)
    assert f"Văn bản được thay thế bởi văn bản số {NEW}" in shown["text"]
    assert buttons_of(shown) == []
    assert _link(shown) == f"https://t.me/c/{str(group)[4:]}/{new_post.message_id}"
    # The edit went out after the new post was in that chat.
    calls = h.sandbox.calls[since:]
    posted_at = next(
        i
        for i, c in enumerate(calls)
        if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) == group
    )
    edited_at = next(
        i
        for i, c in enumerate(calls)
        if c.method == "editMessageText" and int(c.params["chat_id"]) == group
    )
    assert posted_at < edited_at
    # BP-DX-02 got no new post: its old post names the new number without a link.
    other = scene.groups["BP-DX-02"].id
    other_post = next(r for r in old_rows if r.target_telegram_id == other)
    shown = message(h, other, other_post.message_id or 0)
    assert f"thay thế bởi văn bản số {NEW}" in shown["text"] and _link(shown) is None

    toast = await forged_press(
        h, scene.users["m2"], group, old_post.message_id or 0, confirm_data(old_id, "received")
    )
    assert (
        toast
        == f"Văn bản này đã được thay thế bởi văn bản số {NEW}; xin xác nhận trên văn bản mới."
    )
    assert await confirmations(h) == before
    async with h.db() as s:
        old = await s.get(Directive, old_id)
        assert old is not None and old.status == "superseded"
        pending = (await s.scalars(select(Reminder).where(Reminder.state == "pending"))).all()
        assert pending and {r.directive_id for r in pending} == {new_id}
        audit = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "supersede"))).one()
        assert audit.detail["by"] == NEW


async def test_a_secretary_outside_the_old_targets_cannot_replace_it(h: Harness) -> None:
    scene = await build_scene(h)
    old_id = await publish_as(h, scene, draft(OLD))
    with pytest.raises(DraftError) as refused:
        await publish_as(h, scene, draft(NEW, supersedes=OLD, targets=["BP-DX-01"]), who="sec_dx01")
    assert refused.value.key == "lifecycle-not-allowed"
    async with h.db() as s:
        old = await s.get(Directive, old_id)
        assert old is not None and old.status == "published"
        assert (await s.scalars(select(Directive).where(Directive.number == NEW))).all() == []
