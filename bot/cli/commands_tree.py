"""``chithi units import FILE`` and ``chithi members import FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.services.tree import (
    ImportRejected,
    import_members,
    import_units,
    read_member_file,
    read_text,
)
from storage.db import create_engine, session_factory, transaction, upgrade


def add_commands(sub: Any) -> None:
    units = sub.add_parser("units", help="the unit tree")
    units_sub = units.add_subparsers(dest="units_command", metavar="ACTION")
    units_sub.required = True
    imp = units_sub.add_parser(
        "import", help="create or update units from a CSV file (code,parent_code,name,kind)"
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=_import_units)

    members = sub.add_parser("members", help="members and their roles")
    members_sub = members.add_subparsers(dest="members_command", metavar="ACTION")
    members_sub.required = True
    imp = members_sub.add_parser(
        "import",
        help="create or update the members on units' rosters from a CSV or XLSX file: unit "
        "code, full name, role; optionally phone, party card number, date of birth, Telegram "
        "id (the secretary's list as it is, or telegram_id,full_name,username,unit_code,role,"
        "language)",
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=_import_members)


async def _import_units(args: argparse.Namespace, settings: Settings) -> int:
    return await _run_import(settings, args.file, "units")


async def _import_members(args: argparse.Namespace, settings: Settings) -> int:
    return await _run_import(settings, args.file, "members")


async def _run_import(settings: Settings, file: Path, what: str) -> int:
    t = Texts(settings.locale.default_language).for_lang(None)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            if what == "units":
                result = await import_units(session, read_text(file), str(file))
            else:
                result = await import_members(session, read_member_file(file), str(file))
    except ImportRejected as exc:
        print(format_rejection(t, exc), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(
        t(
            "import-summary",
            file=str(file),
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )
    return 0


def format_rejection(t: Translator, exc: ImportRejected, limit: int = 50) -> str:
    """Every bad row, one per line, in the operator's language."""
    lines = [t("import-rejected", file=exc.source, count=len(exc.errors))]
    for error in exc.errors[:limit]:
        reason = t(error.reason, **error.args)
        lines.append(
            "  "
            + t("import-row", file=exc.source, line=error.line, column=error.column, reason=reason)
        )
    if len(exc.errors) > limit:
        lines.append("  " + t("import-more", count=len(exc.errors) - limit))
    return "\n".join(lines)
