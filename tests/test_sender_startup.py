"""The sender survives a database that refuses it at start-up (a write lock held past the busy
timeout by a long import was how `bench/confirmations.py` stalled: the sender's task ended
on its first statement and no post ever went out)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.services import outbox
from sandbox import SandboxServer
from storage.models import Delivery
from tests.kit.harness import bot_on_sandbox, make_settings
from tests.kit.publishing import post_in, publish_sample
from tests.kit.scene import build_scene


async def test_a_locked_database_at_start_up_delays_the_sender_without_ending_it(
    sandbox: SandboxServer, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_holders = outbox.holders
    refused = 0

    async def locked_twice(session: Any) -> Any:
        nonlocal refused
        if refused < 2:
            refused += 1
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        return await real_holders(session)

    monkeypatch.setattr(outbox, "holders", locked_twice)
    async with bot_on_sandbox(sandbox, make_settings(sqlite_url)) as h:
        scene = await build_scene(h)
        await publish_sample(h, scene)  # waits for the outbox to be empty
        assert refused == 2
        for group in scene.groups.values():
            assert post_in(h, group.id)["reply_markup"]  # the post, with its buttons
        async with h.db() as s:
            states = set((await s.scalars(select(Delivery.state))).all())
        assert states == {"sent"}
