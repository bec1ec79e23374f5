"""Half-written dialogues (/publish, /broadcast, a join link's offer) kept in the database, so a restart loses none.

One draft per user: starting a dialogue replaces whatever was open ("the newest wins"). The
handler reads the draft at the start of an update, saves it in the transaction of the step's
effects and clears it when the dialogue ends. ``serial`` ties the dialogue's buttons to it.

Two steps of one person can be handled at once (a typed answer and a button press reach two
processes: Telegram queues a chat's messages and a user's presses apart). A step therefore
reads its draft with ``lock=True`` in the transaction that writes it back: the other step
waits for that transaction, then finds the draft moved on (another step, or another serial)
and is answered "stale" instead of writing over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogueDraft

KINDS = ("publish", "broadcast", "meeting", "claim", "amend", "forward")


@dataclass
class Draft:
    kind: str  # one of KINDS
    step: str
    serial: str
    state: dict[str, Any] = field(default_factory=dict)


async def load(session: AsyncSession, telegram_id: int, *, lock: bool = False) -> Draft | None:
    """The user's open dialogue; ``lock`` holds its row until the transaction ends
    (``SELECT ... FOR UPDATE``; SQLite's write transaction holds the whole database)."""
    row = await session.get(
        DialogueDraft, telegram_id, populate_existing=True, with_for_update=lock or None
    )
    if row is None or row.kind not in KINDS:
        return None
    return Draft(row.kind, row.step, row.serial, dict(row.state))


async def save(session: AsyncSession, telegram_id: int, draft: Draft, now: datetime) -> None:
    """Store ``draft`` as the user's one open dialogue (replacing any other)."""
    if draft.kind not in KINDS:
        raise ValueError(f"unknown dialogue kind {draft.kind!r}")
    row = await session.get(DialogueDraft, telegram_id)
    if row is None:
        row = DialogueDraft(telegram_id=telegram_id)
        session.add(row)
    row.kind, row.step, row.serial = draft.kind, draft.step, draft.serial
    row.state, row.updated_at = dict(draft.state), now
    await session.flush()


async def clear(session: AsyncSession, telegram_id: int, serial: str | None = None) -> bool:
    """Remove the user's draft (only the one with ``serial``, if given); was there one?

    The delete is the claim: of two presses of the same final button, one removes the draft
    and goes on, the other finds nothing."""
    stmt = delete(DialogueDraft).where(DialogueDraft.telegram_id == telegram_id)
    if serial is not None:
        stmt = stmt.where(DialogueDraft.serial == serial)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))
