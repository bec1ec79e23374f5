"""``chithi db upgrade``."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings
from bot.i18n import Texts
from storage.db import upgrade_sync


def add_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    up = db_sub.add_parser("upgrade", help="apply database migrations (also done at start)")
    up.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade_sync(settings.database.url)
    t = Texts(settings.locale.default_language).for_lang(None)
    print(t("db-upgraded", url=_safe_url(settings.database.url)))
    return 0


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
