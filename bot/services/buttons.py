"""The confirmation buttons' callback data: built and read here only.

``c:<directive id>:<r|s>`` (at most 16 bytes of Telegram's 64). Rendering builds it, the
router recognises a press by it before PTB sees the update, and recording parses it; a
change of format is a change of this module alone.
"""

from __future__ import annotations

import re

CONFIRM_PREFIX = "c"
KIND_CODES = {"r": "received", "s": "studied"}
CODE_OF_KIND = {v: k for k, v in KIND_CODES.items()}
_PRESS_START = f"{CONFIRM_PREFIX}:"
_DATA = re.compile(rf"^{CONFIRM_PREFIX}:(\d{{1,12}}):([rs])$")


def confirm_data(directive_id: int, kind: str) -> str:
    """Callback data of a confirmation button for ``kind`` ("received" or "studied")."""
    return f"{CONFIRM_PREFIX}:{directive_id}:{CODE_OF_KIND[kind]}"


def is_confirm(data: object) -> bool:
    """Whether callback data belongs to a confirmation button (well formed or forged): such
    a press goes to the press lane, which answers even a malformed one."""
    return isinstance(data, str) and data.startswith(_PRESS_START)


def parse_confirm(data: str) -> tuple[int, str] | None:
    """(directive id, kind) of well-formed confirmation data; None for anything else."""
    match = _DATA.match(data)
    if not match:
        return None
    return int(match.group(1)), KIND_CODES[match.group(2)]


# -- /stats: ``sv:<directive>:<unit>:<page>`` shows a page of a unit's figures (drilling down,
# back up, paging); ``sg:<directive>:<unit>`` sends the chart. Both are re-checked against the
# presser's own sub-trees by the handler (and must be buttons of the pressed message).
STATS_VIEW_PREFIX = "sv"
STATS_CHART_PREFIX = "sg"
_STATS_VIEW = re.compile(rf"^{STATS_VIEW_PREFIX}:(\d{{1,12}}):(\d{{1,12}}):(\d{{1,4}})$")
_STATS_CHART = re.compile(rf"^{STATS_CHART_PREFIX}:(\d{{1,12}}):(\d{{1,12}})$")


def stats_view_data(directive_id: int, unit_id: int, page: int = 0) -> str:
    return f"{STATS_VIEW_PREFIX}:{directive_id}:{unit_id}:{page}"


def stats_chart_data(directive_id: int, unit_id: int) -> str:
    return f"{STATS_CHART_PREFIX}:{directive_id}:{unit_id}"


def parse_stats_view(data: str) -> tuple[int, int, int] | None:
    """(directive id, unit id, page) of well-formed view data; None for anything else."""
    match = _STATS_VIEW.match(data)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def parse_stats_chart(data: str) -> tuple[int, int] | None:
    """(directive id, unit id) of well-formed chart data; None for anything else."""
    match = _STATS_CHART.match(data)
    return (int(match[1]), int(match[2])) if match else None


FORWARD_PREFIX = "fwd"  # "Chuyển tiếp" under a manager's private copy: ``fwd:<directive id>``


def forward_button(label: str, directive_id: int) -> dict[str, str]:
    return {"text": label, "data": f"{FORWARD_PREFIX}:{directive_id}"}


def is_forward_row(row: list[dict[str, str]]) -> bool:
    """A row holding the "Chuyển tiếp" button (kept when a post is redrawn with buttons)."""
    return any(str(b.get("data", "")).startswith(f"{FORWARD_PREFIX}:") for b in row)
