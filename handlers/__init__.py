"""Telegram glue: one module per feature, registered in the order listed here."""

from __future__ import annotations

from bot.context import ChithiApp
from handlers import (
    broadcast,
    broadcast_stop,
    claims,
    common,
    exports,
    fallback,
    forward,
    join,
    join_settings,
    lifecycle,
    link,
    me,
    meeting,
    pending,
    privacy,
    publish,
    quiz,
    reminders,
    report,
    roles,
    roster,
    scheduled,
    start,
    stats,
    status,
)

# Order matters: earlier modules win for the same update within group 0.
# join before start: /start with a payload joins a unit, without one it greets.
# fallback last: an unknown command gets a hint, an unknown button a toast, only when nothing
# else took it.
MODULES = [
    join,
    claims,
    join_settings,
    link,
    start,
    pending,
    meeting,
    publish,
    broadcast,
    broadcast_stop,
    status,
    stats,
    me,
    reminders,
    report,
    roles,
    privacy,
    roster,
    lifecycle,
    exports,
    scheduled,
    quiz,
    forward,
    fallback,
]


def register_all(app: ChithiApp) -> None:
    common.register_guards(app)  # before everything: edited messages run nothing
    for module in MODULES:
        module.register(app)
