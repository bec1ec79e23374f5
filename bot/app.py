"""Wiring of the PTB Application: resources in post_init, handlers, error handler, lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes

from bot.config import Settings, WebhookSettings
from bot.context import BotData, ChithiApp, Ctx
from bot.delivery.http import AiohttpRequest
from bot.delivery.pacing import Pacer
from bot.delivery.rate_limit import PacedRateLimiter
from bot.i18n import Texts, pick_language
from bot.intake.lease import PollerLease
from bot.intake.polling import Poller
from bot.intake.press_lane import lane_of
from bot.intake.route import Router
from bot.intake.start_gate import StartGate
from bot.intake.webhook import WebhookServer
from bot.jobs import schedule_ticks
from bot.lag import LagMonitor
from bot.logs import describe_update, protect
from bot.runtime import Runtime, utc_now
from bot.services.tg_text import CALLBACK_ANSWER_LIMIT, truncate
from bot.workers import start_workers, stop_workers
from handlers import register_all
from handlers.menus import set_default_menu
from storage.db import create_engine, is_sqlite, session_factory, upgrade
from storage.write_turns import WriteTurns

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 24
HTTP_CONNECTIONS = 64
POLL_TIMEOUT = 10  # seconds a getUpdates long poll may wait
SHUTDOWN_STEP_SECONDS = 20.0  # a step of stopping that takes longer is logged and left


def build_application(
    settings: Settings,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    token: str | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> ChithiApp:
    """Build (not start) the application; the database and texts are opened in post_init."""
    context_types = ContextTypes(context=Ctx, bot_data=BotData)
    token = token or settings.bot.token.get_secret_value()
    protect(token)  # the token is in every Bot API URL; no log line may show it
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url or settings.bot.base_url)
        .base_file_url(base_file_url or settings.bot.base_file_url)
        .context_types(context_types)
        # Presses never reach PTB (bot.intake.route hands them to the press lane, which bounds
        # them itself); the other updates each hold a database session while handled, so no
        # more run at once than the pool serves.
        .concurrent_updates(CONCURRENT_UPDATES)
        # HTTP on aiohttp (see bot/delivery/http.py): enough connections for the concurrent updates
        # plus the sender; a request waits for a free one if need be.
        .request(AiohttpRequest(connections=HTTP_CONNECTIONS, pool_timeout=30.0))
        .get_updates_request(AiohttpRequest(connections=1))
        .updater(None)  # bot.intake.polling.Poller fetches the updates
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    # One flood-limit schedule shared by handler replies (through PTB's rate-limiter hook)
    # and the outbox sender (which reserves its own slots in it).
    pacer = Pacer(settings.flood)
    builder = builder.rate_limiter(PacedRateLimiter(pacer))  # type: ignore[arg-type]
    app: ChithiApp = builder.build()
    app.bot_data.settings = settings
    app.bot_data.pacer = pacer
    app.bot_data.clock = clock
    register_all(app)
    app.add_error_handler(_on_error)
    return app


async def _post_init(app: ChithiApp) -> None:
    settings, clock = app.bot_data.settings, app.bot_data.clock
    assert settings is not None, "build_application sets the settings"
    if settings.database.auto_upgrade:
        await upgrade(settings.database.url)
    engine = create_engine(settings.database.url, settings.database.echo)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        texts=Texts(settings.locale.default_language),
        clock=clock,
        bot_username=app.bot.username,
        pacer=app.bot_data.pacer,
        write_turns=WriteTurns(enabled=is_sqlite(settings.database.url)),
    )
    app.bot_data.runtime = runtime
    await set_default_menu(app.bot, runtime.texts)  # each manager's own: handlers.menus
    app.bot_data.workers = await start_workers(runtime, app.bot)
    schedule_ticks(app, runtime)  # periodic rounds on PTB's job queue, started by app.start()


async def _post_shutdown(app: ChithiApp) -> None:
    await stop_workers(app.bot_data.workers)
    app.bot_data.workers = []
    runtime = app.bot_data.runtime
    if runtime is not None:
        await runtime.engine.dispose()


async def _on_error(update: object, ctx: Ctx) -> None:
    """Log the update (by its ids: it holds names and texts) and the traceback; tell the user
    briefly that nothing was lost."""
    log.error("error while handling %s", describe_update(update), exc_info=ctx.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    runtime = ctx.bot_data.runtime
    if runtime is None:
        return
    user = update.effective_user
    lang = pick_language(
        user.language_code if user else None, runtime.settings.locale.default_language
    )
    text = runtime.texts(lang, "error-internal")
    try:
        if update.callback_query is not None:  # a toast: plain text, 0-200 UTF-16 units
            await update.callback_query.answer(truncate(text, CALLBACK_ANSWER_LIMIT))
        elif update.effective_chat.type == "private":
            await ctx.bot.send_message(update.effective_chat.id, html.escape(text))
    except TelegramError as exc:  # e.g. the handler had answered the query already
        log.warning("could not tell the user about the error: %s", exc.__class__.__name__)


GIL_SWITCH_SECONDS = 0.001


@asynccontextmanager
async def running(
    app: ChithiApp,
    *,
    poll_timeout: int = 1,
    freeze_heap: bool = False,
    webhook: WebhookSettings | None = None,
    set_webhook: bool = True,
    poller_lease: bool = False,
    gate: StartGate | None = None,
    worker_index: int = 0,
) -> AsyncIterator[ChithiApp]:
    """Start the bot and its intake (a poller, or with ``webhook`` the webhook server) in the
    current event loop; stop cleanly on exit.

    ``set_webhook``: this process tells Telegram where to send the updates (one of several
    worker processes does; with a ``gate``, once every worker listens: see
    ``bot.intake.start_gate``). ``poller_lease``: take the lease of "the poller of this bot"
    first (``bot.intake.lease``), refusing to run as a second poller.

    ``freeze_heap`` (for a long-running bot, not for tests that build many): once started,
    the objects that live as long as the process (modules, classes, the application...) are
    moved out of the garbage collector's sight. A full collection otherwise walks all of them
    (~150,000 objects, 100-200 ms here) every second or two under a burst of presses, and
    every press waiting meanwhile pays for it.
    """
    try:
        await app.initialize()  # getMe: the token and the Bot API's address are checked here
    except BaseException:
        await app.bot.shutdown()  # the HTTP sessions opened before getMe failed
        raise
    try:
        await app.post_init(app)  # type: ignore[misc]
    except BaseException:  # e.g. the database is unreachable: close what initialize opened
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()
        raise
    runtime = app.bot_data.runtime
    assert runtime is not None, "post_init opens the runtime"
    lease = PollerLease(runtime.engine, runtime.settings.database.url, app.bot.id)
    try:
        if webhook is None and poller_lease:
            await lease.acquire()
        await app.start()
    except BaseException:
        await lease.release()
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()
        raise
    if freeze_heap:
        gc.collect()
        gc.freeze()
    router = Router(app, runtime, lane_of(runtime))
    runtime.router = router
    intake: Poller | WebhookServer
    try:
        if webhook is None:
            # A webhook left set (webhook mode before) would make every getUpdates a 409.
            await app.bot.delete_webhook()
            intake = Poller(app, router, timeout=poll_timeout)
            runtime.poller = intake
            intake.start()
        else:
            intake = WebhookServer(router, runtime, webhook, workers=app.bot_data.workers)
            runtime.webhook = intake
            await intake.start()
            if gate is not None:
                gate.arrive(worker_index)
            if set_webhook:
                if gate is not None:
                    await gate.everyone()
                await _set_webhook(app, webhook, intake.port)
    except BaseException:
        await app.stop()
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()
        await lease.release()
        raise
    lag = runtime.lag = LagMonitor(warn_after=runtime.settings.log.loop_lag_warning_ms / 1000)
    lag.start()
    # While a thread lays out a province's report, the loop's thread waits for the GIL after
    # each of its socket calls, up to the switch interval (5 ms by default) each time: a
    # press's answer makes several. 1 ms keeps the loop's turn short.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    try:
        yield app
    finally:
        sys.setswitchinterval(switch_interval)
        await _shutdown_step("intake", intake.stop())
        await _shutdown_step("application", app.stop())
        await _shutdown_step("workers", app.post_shutdown(app))  # type: ignore[misc]
        await app.shutdown()
        await lease.release()
        await lag.stop()


async def _shutdown_step(name: str, step: Awaitable[object]) -> None:
    """One step of stopping, bounded: a step that hangs is logged with where every task waits
    (code locations only) and the stop goes on, so a process told to stop does stop."""
    try:
        await asyncio.wait_for(step, SHUTDOWN_STEP_SECONDS)
    except TimeoutError:
        log.warning(
            "stopping: %s did not finish within %.0f s, going on; tasks waiting: %s",
            name,
            SHUTDOWN_STEP_SECONDS,
            "; ".join(_where_tasks_wait()),
        )


def _where_tasks_wait() -> list[str]:
    places = []
    for task in asyncio.all_tasks():
        frames = task.get_stack(limit=1)
        where = f"{frames[0].f_code.co_filename}:{frames[0].f_lineno}" if frames else "?"
        places.append(f"{task.get_name()} at {where}")
    return sorted(places)


async def _set_webhook(app: ChithiApp, webhook: WebhookSettings, port: int) -> None:
    # Without a public URL (tests, a bot API server on the same host) Telegram is told the
    # listening address itself.
    url = webhook.url if webhook.public_url else f"http://{webhook.listen}:{port}{webhook.path}"
    await app.bot.set_webhook(
        url,
        secret_token=webhook.secret_token.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
        max_connections=webhook.max_connections,
    )


def run_polling(app: ChithiApp) -> None:
    """Production entry: poll until SIGINT/SIGTERM, then finish what is in flight and stop."""
    asyncio.run(_serve(app))


def run_webhook(
    app: ChithiApp,
    webhook: WebhookSettings,
    *,
    worker_index: int = 0,
    gate: StartGate | None = None,
) -> None:
    """Production entry in webhook mode: serve until SIGINT/SIGTERM, then stop accepting,
    finish the updates taken, and return. Worker 0 (the only one without ``--workers``) sets
    the webhook."""
    asyncio.run(_serve(app, webhook=webhook, worker_index=worker_index, gate=gate))


async def _serve(
    app: ChithiApp,
    *,
    webhook: WebhookSettings | None = None,
    worker_index: int = 0,
    gate: StartGate | None = None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(
        app,
        poll_timeout=POLL_TIMEOUT,
        freeze_heap=True,
        webhook=webhook,
        set_webhook=worker_index == 0,
        poller_lease=webhook is None,
        gate=gate,
        worker_index=worker_index,
    ):
        if webhook is not None:
            await stop.wait()
            return
        runtime = app.bot_data.runtime
        poller = runtime.poller if runtime is not None else None
        if poller is None:
            raise RuntimeError("running() starts the poller")
        await poller.run_until(stop)  # raises if polling cannot go on (an invalid token, 409)
