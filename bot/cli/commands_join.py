"""``chithi units links``: every unit's join link, printed, and a QR code PNG per unit.

The bot's username (for ``t.me/<bot>``) is ``--bot-username``; without it, it is asked from
Telegram with ``getMe`` when a token is configured, else it is ``chithi_bot``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.i18n import Texts
from bot.services.join_links import (
    UnitLink,
    UnknownUnit,
    qr_file_name,
    unit_links,
    write_qr_png,
    write_sheet,
)
from storage.db import create_engine, session_factory, transaction, upgrade

DEFAULT_BOT_USERNAME = "chithi_bot"


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    """The sub-command table of an existing parser (``units`` is defined by commands_tree)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(parser.prog)


def add_commands(sub: Any) -> None:
    # Listed after commands_tree in FEATURES: this adds an action to its ``units`` command.
    units_sub = _subcommands(sub.choices["units"])
    links = units_sub.add_parser(
        "links", help="print each unit's join link and write a QR code PNG per unit"
    )
    links.add_argument(
        "--out", type=Path, default=Path("qr"), help="folder for <code>.png files (default: ./qr)"
    )
    links.add_argument("--unit", default=None, help="only this unit (code) and the units under it")
    links.add_argument(
        "--bot-username",
        default=None,
        help=f"the bot's username for t.me links (default: asked from Telegram "
        f"when a token is configured, else {DEFAULT_BOT_USERNAME})",
    )
    links.add_argument(
        "--sheet", action="store_true", help="also write sheet.html: all QR codes on one page"
    )
    links.set_defaults(handler=_links)


async def _bot_username(settings: Settings) -> str:
    if not settings.bot.has_token:
        return DEFAULT_BOT_USERNAME
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.bot.token.get_secret_value(), base_url=settings.bot.base_url)
    try:
        async with bot:
            return bot.username
    except TelegramError:
        return DEFAULT_BOT_USERNAME


async def _fetch_links(
    settings: Settings, bot_username: str | None, root_code: str | None
) -> list[UnitLink]:
    username = bot_username or await _bot_username(settings)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await unit_links(session, username, root_code)
    finally:
        await engine.dispose()


def _links(args: argparse.Namespace, settings: Settings) -> int:
    t = Texts(settings.locale.default_language).for_lang(None)
    try:
        links = asyncio.run(_fetch_links(settings, args.bot_username, args.unit))
    except UnknownUnit:
        print(t("links-unknown-unit", code=args.unit), file=sys.stderr)
        return 1
    if not links:
        print(t("links-empty"), file=sys.stderr)
        return 1
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for item in links:
        path = write_qr_png(item.link, out / qr_file_name(item.code))
        if item.parent_name:
            print(
                t("links-unit-with-parent", code=item.code, name=item.name, parent=item.parent_name)
            )
        else:
            print(t("links-unit", code=item.code, name=item.name))
        print("    " + t("links-link", link=item.link))
        print("    " + t("links-file", file=str(path)))
    print(t("links-summary", count=len(links), dir=str(out)))
    if args.sheet:
        sheet = write_sheet(
            links, out / "sheet.html", title=t("links-sheet-title"), hint=t("links-sheet-hint")
        )
        print(t("links-sheet", file=str(sheet)))
    return 0
