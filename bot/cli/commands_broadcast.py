"""``chithi broadcast --text ... --targets BP [--file F] [--pin]``: queue an announcement for
the running bot and follow its progress with a bar; Ctrl-C offers to stop the rest."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.runtime import utc_now
from bot.services import broadcast
from bot.services.broadcast import Announcement, BroadcastError
from bot.services.broadcast_text import progress_text
from storage.db import SessionFactory, create_engine, session_factory, transaction, upgrade
from storage.models import Broadcast

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
POLL_SECONDS = 0.5


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser(
        "broadcast",
        help="send an announcement to every linked chat under the target units",
        description=(
            "Queue an announcement (no confirmation buttons) for every active linked chat "
            "under the target units, then show the progress until all are sent. The bot must "
            "be running (chithi run) with the same database: it does the sending. Ctrl-C "
            "asks whether to stop the rest."
        ),
    )
    cmd.add_argument("--text", required=True, help="the announcement (the caption with --file)")
    cmd.add_argument(
        "--file", type=Path, default=None, help="a photo (.jpg/.png/.webp) or any document"
    )
    cmd.add_argument(
        "--targets", nargs="+", required=True, metavar="CODE", help="unit codes (sub-tree roots)"
    )
    cmd.add_argument("--pin", action="store_true", help="pin the announcement in each chat")
    cmd.add_argument(
        "--no-wait", action="store_true", help="queue it and exit without following progress"
    )
    cmd.set_defaults(handler=_broadcast)


def announcement_from(args: argparse.Namespace) -> Announcement:
    file: Path | None = args.file
    if file is None:
        return Announcement(args.text, pin=args.pin)
    if not file.is_file():
        raise BroadcastError("cli-broadcast-file-missing", file=str(file))
    kind = "photo" if file.suffix.lower() in PHOTO_SUFFIXES else "document"
    # An absolute path: the bot process may run in another directory.
    return Announcement(args.text, kind, path=str(file.resolve()), pin=args.pin)


async def _broadcast(args: argparse.Namespace, settings: Settings) -> int:
    t = Texts(settings.locale.default_language).for_lang(None)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    sessions = session_factory(engine)
    try:
        try:
            ann = announcement_from(args)
            async with transaction(sessions) as session:
                units = await broadcast.resolve_targets(
                    session, broadcast.split_codes(" ".join(args.targets))
                )
                row, chats = await broadcast.create(
                    session,
                    ann,
                    units,
                    creator=None,
                    config_admins=settings.bot.admins,
                    now=utc_now(),
                )
                broadcast_id = row.id
        except BroadcastError as exc:
            print(t("cli-broadcast-failed", reason=t(exc.key, **exc.args_)), file=sys.stderr)
            return 1
        print(t("cli-broadcast-queued", id=broadcast_id, chats=chats), flush=True)
        if args.no_wait:
            return 0
        print(await _follow(sessions, broadcast_id, chats, t), flush=True)
        return 0
    finally:
        await engine.dispose()


async def _read(sessions: SessionFactory, broadcast_id: int) -> tuple[broadcast.Progress, str]:
    async with transaction(sessions) as session:
        counts = await broadcast.progress(session, broadcast_id)
        status = await session.get(Broadcast, broadcast_id)
        return counts, status.status if status else broadcast.DONE


async def _follow(sessions: SessionFactory, broadcast_id: int, total: int, t: Translator) -> str:
    """Poll the database until every row is sent or failed; returns the final line."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, interrupted.set)
        handled = True
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        handled = False
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
        console=Console(),
    )
    task = bar.add_task(t("cli-broadcast-bar"), total=total, failed="")
    try:
        with bar:
            while True:
                counts, status = await _read(sessions, broadcast_id)
                bar.update(
                    task,
                    completed=counts.total - counts.pending,
                    failed=t("cli-broadcast-bar-failed", failed=counts.failed),
                )
                if counts.finished:
                    return progress_text(t, counts, status)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await interrupted.wait()
                if interrupted.is_set():
                    interrupted.clear()
                    bar.stop()
                    await _offer_stop(sessions, broadcast_id, t)
                    bar.start()
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)


async def _offer_stop(sessions: SessionFactory, broadcast_id: int, t: Translator) -> None:
    try:
        answer = await asyncio.to_thread(input, t("cli-broadcast-ask-stop"))
    except EOFError:  # nobody to ask: Ctrl-C means stop
        answer = t("cli-broadcast-yes").split()[0]
    if answer.strip().lower() not in t("cli-broadcast-yes").split():
        print(("" if sys.stdin.isatty() else "\n") + t("cli-broadcast-continue"), flush=True)
        return
    async with transaction(sessions) as session:
        await broadcast.stop(session, broadcast_id, by=None, config_admins=(), now=utc_now())
    echo = "" if sys.stdin.isatty() else "\n"  # a piped answer is not echoed
    print(echo + t("cli-broadcast-stopped-now"), flush=True)
