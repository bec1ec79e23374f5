"""Telegram glue: one module per feature, registered in the order listed here."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    broadcast,
    broadcast_stop,
    confirm,
    fallback,
    join,
    link,
    pending,
    publish,
    start,
    status,
)

# Order matters: earlier modules win for the same update within group 0.
# join before start: /start with a payload joins a unit, without one it greets.
# fallback last: an unknown command gets a hint only when nothing else took it.
MODULES = [
    join,
    link,
    start,
    confirm,
    pending,
    publish,
    broadcast,
    broadcast_stop,
    status,
    fallback,
]


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    for module in MODULES:
        module.register(app)
