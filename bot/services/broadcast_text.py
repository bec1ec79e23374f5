"""Texts of a broadcast's progress message and its stop button, as plain data."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.services.broadcast import DONE, STOPPED, STOPPING, Progress

STOP_PREFIX = "bs"


def stop_data(broadcast_id: int) -> str:
    """Callback data of the **Dừng** button: ``bs:<broadcast id>`` (≤ 64 bytes)."""
    return f"{STOP_PREFIX}:{broadcast_id}"


def progress_text(t: Translator, p: Progress, status: str) -> str:
    counts = {"sent": p.sent, "failed": p.failed, "total": p.total, "cancelled": p.cancelled}
    if p.finished and status in (STOPPING, STOPPED):
        return t("broadcast-stopped", **counts)
    if p.finished or status == DONE:
        return t("broadcast-done", **counts)
    if status == STOPPING:
        return t("broadcast-stopping", **counts)
    return t("broadcast-progress", **counts)


def progress_payload(t: Translator, p: Progress, status: str, broadcast_id: int) -> dict[str, Any]:
    """The progress message as an edit payload: the stop button while rows are pending."""
    payload: dict[str, Any] = {"text": progress_text(t, p, status)}
    if not p.finished and status not in (STOPPING, STOPPED):
        payload["buttons"] = [
            [{"text": t("broadcast-stop-button"), "data": stop_data(broadcast_id)}]
        ]
    return payload
