"""``chithi run`` (the bot; the demo when no token is configured) and ``chithi demo``."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

from bot.config import Settings


def add_commands(sub: Any) -> None:
    run = sub.add_parser("run", help="run the bot (runs the demo when no token is configured)")
    run.add_argument(
        "--sender-only",
        action="store_true",
        help="only post the outbox (no polling); several may share one PostgreSQL database",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="webhook mode on PostgreSQL: processes sharing the listening port (default 1)",
    )
    # Set by `--workers N` for each process it starts; worker 0 calls setWebhook once every
    # worker has marked in the start gate's folder that it listens (bot.intake.start_gate).
    run.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    run.add_argument("--start-gate", type=Path, default=None, help=argparse.SUPPRESS)
    run.set_defaults(handler=_run)
    demo = sub.add_parser("demo", help="a scripted scene on the sandbox server, printed as it runs")
    demo.add_argument(
        "--database",
        default=None,
        help="database URL for the demo (default: SQLite file under ./data/)",
    )
    demo.set_defaults(handler=_demo)


def _run(args: argparse.Namespace, settings: Settings) -> Any:
    from bot.cli.problems import CliError
    from bot.i18n import Texts

    t = Texts(settings.locale.default_language).for_lang(None)
    if args.sender_only:
        from bot.delivery.sender_main import run_sender_only

        if not settings.bot.has_token:
            raise CliError(t("sender-needs-token"))
        return run_sender_only(settings)
    if not settings.bot.has_token:
        return _demo(argparse.Namespace(database=None), settings)
    from storage.db import is_sqlite

    workers = max(1, args.workers)
    if workers > 1 and settings.bot.mode != "webhook":
        raise CliError(t("run-workers-need-webhook", count=workers))
    if workers > 1 and is_sqlite(settings.database.url):
        raise CliError(t("run-workers-need-postgresql", count=workers))
    if settings.bot.mode == "polling":
        return _run_polling(settings, t)
    if not settings.webhook.public_url:
        raise CliError(t("run-webhook-needs-url"))
    if not settings.webhook.secret_token.get_secret_value():
        raise CliError(t("run-webhook-needs-secret"))
    if workers == 1 or args.worker_index is not None:
        from bot.app import build_application, run_webhook
        from bot.intake.start_gate import StartGate

        gate = StartGate(args.start_gate, workers) if args.start_gate is not None else None
        run_webhook(
            build_application(settings),
            settings.webhook,
            worker_index=args.worker_index or 0,
            gate=gate,
        )
        return 0
    return _run_workers(args, settings, workers)


def _run_polling(settings: Settings, t: Any) -> int:
    from telegram.error import Conflict

    from bot.app import build_application, run_polling
    from bot.cli.problems import CliError
    from bot.intake.lease import LeaseTaken

    try:
        run_polling(build_application(settings))
    except LeaseTaken:
        raise CliError(t("run-poller-taken")) from None
    except Conflict:
        raise CliError(t("run-poller-conflict")) from None
    return 0


def _run_workers(args: argparse.Namespace, settings: Settings, workers: int) -> int:
    """Start ``workers`` processes of ``chithi run`` on one port; SIGTERM/SIGINT are passed on
    to them, and this returns when all have stopped (0 if all ended well)."""
    env = dict(os.environ)
    if settings.webhook.port == 0:  # every process must bind the same port: choose it here
        with socket.socket() as probe:
            probe.bind((settings.webhook.listen, 0))
            env["CHITHI_WEBHOOK__PORT"] = str(probe.getsockname()[1])
    config = ["--config", str(args.config)] if args.config is not None else []
    with tempfile.TemporaryDirectory(prefix="chithi-workers-") as gate:
        children = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "bot", *config, "run"),
                    *("--workers", str(workers), "--worker-index", str(i), "--start-gate", gate),
                ],
                env=env,
            )
            for i in range(workers)
        ]

        def forward(signum: int, frame: FrameType | None) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, forward)
        codes = [child.wait() for child in children]
    return max(codes, key=abs) if any(codes) else 0


def _demo(args: argparse.Namespace, settings: Settings) -> Any:
    from bot.demo import run_demo

    return run_demo(settings, database_url=args.database)
