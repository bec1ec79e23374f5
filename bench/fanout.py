"""A province of N unit chats and one directive to all of them: shared by the delivery
benchmark and the delivery tests (crash, two processes, limits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts
from bot.services.drafts import DirectiveDraft
from bot.services.publish import PublishResult, publish
from bot.services.tree import import_units
from storage import queries
from storage.models import Chat, Delivery

ROOT = "P"


async def seed_province(session: AsyncSession, chat_ids: Sequence[int]) -> None:
    """A root unit and one cell per chat, each chat linked to its cell."""
    lines = ["code,parent_code,name,kind", f"{ROOT},,Tỉnh ủy thử nghiệm,province"]
    lines += [f"{ROOT}-{i:04d},{ROOT},Chi bộ {i:04d},cell" for i in range(len(chat_ids))]
    await import_units(session, "\n".join(lines) + "\n")
    units = await queries.units_by_code(session)
    session.add_all(
        Chat(
            telegram_id=chat_id,
            type="supergroup",
            title=f"Nhóm chi bộ {i:04d}",
            unit_id=units[f"{ROOT}-{i:04d}"].id,
        )
        for i, chat_id in enumerate(chat_ids)
    )
    await session.flush()


async def publish_to_all(
    session: AsyncSession,
    texts: Texts,
    *,
    number: str = "99-CV/BENCH",
    links: Sequence[str] = (),
) -> PublishResult:
    """One short directive to the whole province: one post per chat (plus a QR per link)."""
    draft = DirectiveDraft(
        number=number,
        title="Về việc thử nghiệm gửi tin",
        issuer="Ban Tuyên giáo",
        targets=[ROOT],
        body="Đề nghị các chi bộ xác nhận đã nhận công văn.",
        links=[{"label": f"Tài liệu {i + 1}", "url": url} for i, url in enumerate(links)],
        requires_study=False,
    )
    return await publish(
        session,
        draft,
        publisher=None,
        config_admins=[],
        now=datetime.now(UTC),
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        texts=texts,
    )


async def states(session: AsyncSession) -> dict[str, int]:
    """How many outbox rows are in each state."""
    rows = await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
    return {state: n for state, n in rows.all()}
