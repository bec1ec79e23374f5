"""``chithi export``, ``chithi report-draft`` and ``chithi audit``: the files /export and
/report_draft send, written from the command line, and the audit log read back."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.problems import CliError
from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.runtime import utc_now
from bot.services import audit_log, exports, pending
from bot.services.drafts import DraftError
from bot.services.report_draft import build_report_draft, draft_name
from storage import queries
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import Directive, Unit

ACTOR = "cli"


def add_commands(sub: Any) -> None:
    exp = sub.add_parser(
        "export", help="write a directive's results (XLSX workbook and CSV of the members)"
    )
    exp.add_argument("what", help="directive number, or a month of issue like 11/2026")
    exp.add_argument("--unit", help="only this unit's sub-tree (unit code)")
    exp.add_argument("--out", type=Path, default=Path("."), help="directory to write to")
    exp.set_defaults(handler=_export)

    draft = sub.add_parser("report-draft", help="write the DOCX draft of the report")
    draft.add_argument("number", help="directive number")
    draft.add_argument("--unit", help="the reporting unit (default: the top of the tree)")
    draft.add_argument("--out", type=Path, default=None, help="file to write")
    draft.set_defaults(handler=_report_draft)

    audit = sub.add_parser("audit", help="list the audit log, newest first")
    audit.add_argument("--action", help="only this action (export, report, publish ...)")
    audit.add_argument("--since", help="from this day on (dd/mm/yyyy, local time)")
    audit.add_argument("--actor", help="only this actor (Telegram id, or cli)")
    audit.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    audit.set_defaults(handler=_audit)


def _texts(settings: Settings) -> Translator:
    return Texts(settings.locale.default_language).for_lang(None)


async def _roots(session: AsyncSession, code: str | None) -> list[Unit]:
    if code is not None:
        unit = await queries.unit_by_code(session, code)
        if unit is None:
            raise CliError(f"no unit {code!r}")
        return [unit]
    stmt = select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.path)
    return list((await session.scalars(stmt)).all())


async def _scope(
    session: AsyncSession, what: str, roots: Sequence[Unit], settings: Settings
) -> tuple[list[Directive], str]:
    directive = await pending.directive_by_number(session, what)
    if directive is not None:
        return [directive], directive.number
    period = exports.parse_period(what)
    if period is None:
        raise CliError(f"no directive numbered {what!r} (nor a month like 11/2026)")
    year, month = period
    found = await exports.directives_of_period(session, year, month, roots, settings.locale.tz)
    if not found:
        raise CliError(f"no directive published in {month:02d}/{year}")
    return found, f"{month:02d}/{year}"


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    t = _texts(settings)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            roots = await _roots(session, args.unit)
            directives, label = await _scope(session, args.what, roots, settings)
            files = await exports.export(
                session,
                directives,
                roots,
                utc_now(),
                settings.locale.tz,
                t,
                label=label,
                actor=ACTOR,
            )
    finally:
        await engine.dispose()
    for name, data in ((files.xlsx_name, files.xlsx), (files.csv_name, files.csv)):
        path = args.out / name
        await asyncio.to_thread(_write, path, data)
        print(t("export-written", file=str(path)))
    return 0


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _report_draft(args: argparse.Namespace, settings: Settings) -> int:
    t = _texts(settings)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            directive = await pending.directive_by_number(session, args.number)
            if directive is None:
                raise CliError(f"no directive numbered {args.number!r}")
            targets = await pending.targets_of(session, directive.id)
            roots = await _roots(session, args.unit)
            root = next((r for r in roots if pending.overlaps(targets, [r])), None)
            if root is None:
                raise CliError(f"{directive.number} was not sent to {args.unit or 'the tree'}")
            document = await build_report_draft(
                session, directive, root, utc_now(), settings.locale.tz, t, actor=ACTOR
            )
            name = draft_name(directive)
    finally:
        await engine.dispose()
    path: Path = args.out or Path(name)
    await asyncio.to_thread(_write, path, document)
    print(t("export-written", file=str(path)))
    return 0


async def _audit(args: argparse.Namespace, settings: Settings) -> int:
    t = _texts(settings)
    tz = settings.locale.tz
    try:
        since = audit_log.parse_day(args.since, tz) if args.since else None
    except DraftError as exc:
        raise CliError(t(exc.key, **exc.args_)) from None
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    where = audit_log.AuditFilter(args.action, since, args.actor)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            found = await audit_log.events(session, where, args.limit)
            lines = [audit_log.line(e, tz) for e in found]
    finally:
        await engine.dispose()
    if not lines:
        print(t("audit-empty"))
    for line in lines:
        print(line)
    return 0
