"""Telegram glue: one module per feature, registered in the order listed here."""

from __future__ import annotations

from telegram.ext import Application

from handlers import confirm, fallback, join, link, pending, start

# Order matters: earlier modules win for the same update within group 0.
# join before start: /start with a payload joins a unit, without one it greets.
MODULES = [join, link, start, confirm, pending, fallback]


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    for module in MODULES:
        module.register(app)
