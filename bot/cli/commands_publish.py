"""``chithi publish directive.toml``: publish one or many directives from a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.runtime import utc_now
from bot.services.directive_rules import describe, shown
from bot.services.drafts import DraftError, locate, read_directive_file
from bot.services.publish import SCHEDULED, publish
from bot.services.scheduled import local_time
from storage.db import create_engine, session_factory, transaction, upgrade


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser(
        "publish",
        help="publish the directives of a TOML file (all or none); the running bot posts them",
    )
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(handler=_publish)


async def _publish(args: argparse.Namespace, settings: Settings) -> int:
    texts = Texts(settings.locale.default_language)
    t = texts.for_lang(None)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    number = None  # the directive being published when something is refused
    index = None  # and its place in the file
    try:
        drafts = read_directive_file(args.file)
        results = []
        async with transaction(session_factory(engine)) as session:
            for place, draft in enumerate(drafts, start=1):
                index, number = place, draft.number
                results.append(
                    await publish(
                        session,
                        draft,
                        publisher=None,
                        config_admins=settings.bot.admins,
                        now=utc_now(),
                        tz=settings.locale.tz,
                        texts=texts,
                        reminder_settings=settings.reminders,
                    )
                )
    except DraftError as exc:
        reason = describe(t, exc)
        if number is not None:
            reason = t("cli-publish-failed-in", number=shown(number), reason=reason)
        print(
            t("cli-publish-failed", file=_where(t, args.file, exc, index), reason=reason),
            file=sys.stderr,
        )
        return 1
    finally:
        await engine.dispose()
    for result in results:
        if result.directive.status == SCHEDULED and result.directive.publish_at is not None:
            at = local_time(result.directive.publish_at, settings.locale.tz)
            print(t("sq-cli-scheduled", number=result.directive.number, at=at))
            continue
        print(
            t(
                "cli-published",
                number=result.directive.number,
                chats=result.chats,
                private=result.private_copies,
                messages=result.messages,
            )
        )
    return 0


def _where(t: Translator, file: Path, error: DraftError, index: int | None) -> str:
    """The file, with the line of the refused field when it can be found."""
    args = error.args_
    index = args.get("index", index)
    field = args.get("field") or args.get("which") or args.get("key")
    if not isinstance(index, int):
        return str(file)
    try:
        line = locate(
            file.read_text(encoding="utf-8"), index, field if isinstance(field, str) else None
        )
    except (OSError, UnicodeDecodeError):
        line = None
    return str(file) if line is None else t("cli-file-line", file=str(file), line=line)
