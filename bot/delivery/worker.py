"""Starts the outbox sender beside the bot."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.delivery.broadcast_guard import SkipStoppedBroadcasts
from bot.delivery.sender import OutboxSender
from bot.delivery.telegram_port import TelegramPort
from bot.runtime import Runtime


async def start_sender(runtime: Runtime, bot: Bot) -> asyncio.Task[None] | None:
    # Announcements of a stopped broadcast are refused at the last moment (see the guard).
    port = SkipStoppedBroadcasts(TelegramPort(bot, paced=True), runtime.sessions)
    sender = OutboxSender(
        runtime.sessions,
        port,
        runtime.settings,
        runtime.texts,
        pacer=runtime.pacer,
        turns=runtime.write_turns,
    )
    runtime.sender = sender
    return asyncio.create_task(sender.run(), name="outbox-sender")
