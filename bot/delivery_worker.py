"""Starts the outbox sender beside the bot."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.runtime import Runtime
from bot.sender import OutboxSender
from bot.telegram_port import TelegramPort


async def start_sender(runtime: Runtime, bot: Bot) -> asyncio.Task[None] | None:
    sender = OutboxSender(
        runtime.sessions,
        TelegramPort(bot, paced=True),  # the sender takes its own slots in the shared pacer
        runtime.settings,
        runtime.texts,
        pacer=runtime.pacer,
    )
    runtime.extras["sender"] = sender
    return asyncio.create_task(sender.run(), name="outbox-sender")
