"""The ``chithi`` command line: ``chithi run``, ``chithi demo``, ``chithi units import`` ..."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import (
    commands_broadcast,
    commands_db,
    commands_deadline,
    commands_export,
    commands_join,
    commands_publish,
    commands_roles,
    commands_run,
    commands_tree,
)
from bot.cli.problems import CliError, explain
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup as setup_logging

# Each feature module adds its subcommands; order is the order shown in --help.
# commands_join adds `units links`, so it comes after commands_tree (which defines `units`).
FEATURES = [
    commands_run,
    commands_db,
    commands_tree,
    commands_join,
    commands_publish,
    commands_broadcast,
    commands_deadline,
    commands_roles,
    commands_export,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chithi", description="Chithi: directives down the tree, proof back up."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML config file (default: ./config.toml if present, else defaults)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for feature in FEATURES:
        feature.add_commands(sub)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
        token = settings.bot.token.get_secret_value() if settings.bot.has_token else None
        setup_logging(settings.log.level, token)
        try:
            result = args.handler(args, settings)
            if asyncio.iscoroutine(result):
                result = asyncio.run(result)
        except Exception as exc:  # the database or the Bot API unreachable, a refused token...
            problem = explain(exc, settings)
            if problem is None:
                raise
            print(f"chithi: {problem}", file=sys.stderr)
            return 1
        return int(result or 0)
    except ConfigError as exc:
        print(f"chithi: config error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"chithi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
