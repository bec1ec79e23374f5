"""``chithi run --sender-only``: only the outbox sender, against the configured database and
Bot API; no polling. Run several (on one PostgreSQL database) to share a queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram import Bot

from bot.config import Settings
from bot.delivery.broadcast_guard import SkipStoppedBroadcasts
from bot.delivery.http import AiohttpRequest
from bot.delivery.sender import OutboxSender
from bot.delivery.telegram_port import TelegramPort
from bot.i18n import Texts
from storage.db import create_engine, session_factory, upgrade

log = logging.getLogger(__name__)


def sender_bot(settings: Settings) -> Bot:
    """A plain Bot with enough connections for a full window of concurrent sends."""
    request = AiohttpRequest(connections=64, pool_timeout=10.0)
    return Bot(
        settings.bot.token.get_secret_value(),
        base_url=settings.bot.base_url,
        base_file_url=settings.bot.base_file_url,
        request=request,
    )


async def run_sender_only(settings: Settings) -> int:
    """Send until SIGTERM/SIGINT, then finish in-flight messages and hand back the rest."""
    if settings.database.auto_upgrade:
        await upgrade(settings.database.url)
    engine = create_engine(settings.database.url, settings.database.echo)
    texts = Texts(settings.locale.default_language)
    try:
        async with sender_bot(settings) as bot:
            sessions = session_factory(engine)
            # Announcements of a stopped broadcast are refused at the last moment, as in the bot.
            port = SkipStoppedBroadcasts(TelegramPort(bot), sessions)
            sender = OutboxSender(sessions, port, settings, texts)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, sender.stop)
            print(texts(None, "sender-started", worker=sender.worker), flush=True)
            await sender.run()
            log.info("sender %s stopped: %s", sender.worker, sender.describe())
    finally:
        await engine.dispose()
    return 0
