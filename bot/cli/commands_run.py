"""``chithi run`` (the bot; the demo when no token is configured) and ``chithi demo``."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings


def add_commands(sub: Any) -> None:
    run = sub.add_parser("run", help="run the bot (runs the demo when no token is configured)")
    run.add_argument(
        "--sender-only",
        action="store_true",
        help="only post the outbox (no polling); several may share one PostgreSQL database",
    )
    run.set_defaults(handler=_run)
    demo = sub.add_parser("demo", help="a scripted scene on the sandbox server, printed as it runs")
    demo.add_argument(
        "--database",
        default=None,
        help="database URL for the demo (default: SQLite file under ./data/)",
    )
    demo.set_defaults(handler=_demo)


def _run(args: argparse.Namespace, settings: Settings) -> Any:
    if args.sender_only:
        from bot.cli.problems import CliError
        from bot.delivery.sender_main import run_sender_only
        from bot.i18n import Texts

        if not settings.bot.has_token:
            raise CliError(Texts(settings.locale.default_language)(None, "sender-needs-token"))
        return run_sender_only(settings)
    if not settings.bot.has_token:
        return _demo(argparse.Namespace(database=None), settings)
    from bot.app import build_application, run_polling

    run_polling(build_application(settings))
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> Any:
    from bot.demo import run_demo

    return run_demo(settings, database_url=args.database)
