"""``chithi deadline <number> <nhan|hoc|baocao> <dd/mm/yyyy hh:mm | bo>``: move a deadline;
its reminders and escalation are planned again (the running bot picks them up)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.i18n import Texts
from bot.runtime import utc_now
from bot.services import deadlines
from bot.services.directive_rules import describe
from bot.services.drafts import DraftError
from bot.services.pending import directive_by_number
from bot.services.reminders import ReminderRules
from bot.services.render import format_deadline
from storage.db import create_engine, session_factory, transaction, upgrade


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser(
        "deadline",
        help="change a published directive's deadline (local time) and reschedule its reminders",
    )
    cmd.add_argument("number", help="the directive's number, e.g. 1208-CV/BTGTU")
    cmd.add_argument("which", help="nhan (receive), hoc (study) or baocao (report)")
    cmd.add_argument("when", nargs="+", help="dd/mm/yyyy hh:mm, or bo to remove the deadline")
    cmd.set_defaults(handler=_deadline)


async def _deadline(args: argparse.Namespace, settings: Settings) -> int:
    texts = Texts(settings.locale.default_language)
    t = texts.for_lang(None)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            directive = await directive_by_number(session, args.number)
            if directive is None:
                raise DraftError("deadline-unknown-number", number=args.number)
            change = await deadlines.change_deadline(
                session,
                directive,
                args.which,
                deadlines.parse_local_time(" ".join(args.when)),
                now=utc_now(),
                rules=ReminderRules.from_settings(settings),
                actor="cli",
            )
    except DraftError as exc:
        print(describe(t, exc), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    tz = settings.locale.tz
    print(
        t(
            "deadline-changed",
            label=t(f"deadline-label-{change.which}"),
            number=change.directive.number,
            old=format_deadline(t, change.old, tz) if change.old else t("deadline-none"),
            new=format_deadline(t, change.new, tz) if change.new else t("deadline-none"),
        )
    )
    return 0
