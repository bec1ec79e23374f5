"""Telegram glue: one module per feature, registered in the order listed here."""

from __future__ import annotations

from telegram.ext import Application

from handlers import broadcast, broadcast_stop, confirm, fallback, pending, start, status

# Order matters: earlier modules win for the same update within group 0.
MODULES = [start, confirm, pending, broadcast, broadcast_stop, status, fallback]


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    for module in MODULES:
        module.register(app)
