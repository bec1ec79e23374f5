"""Printable join links: one deep link and QR code per unit, and an optional one-page sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.joining import deep_link
from storage import queries
from storage.models import Unit


class UnknownUnit(Exception):
    """No unit has the code asked for."""


@dataclass(frozen=True)
class UnitLink:
    code: str
    name: str
    parent_name: str
    link: str


async def unit_links(
    session: AsyncSession, bot_username: str, root_code: str | None = None
) -> list[UnitLink]:
    """Deep links for every unit, or for ``root_code`` and every unit under it, in tree order."""
    if root_code is None:
        units: Sequence[Unit] = (await session.scalars(select(Unit).order_by(Unit.path))).all()
    else:
        root = await queries.unit_by_code(session, root_code)
        if root is None:
            raise UnknownUnit(root_code)
        units = await queries.subtree(session, root)
    parent_ids = {u.parent_id for u in units if u.parent_id is not None}
    names = {
        u.id: u.name
        for u in (await session.scalars(select(Unit).where(Unit.id.in_(parent_ids)))).all()
    }
    return [
        UnitLink(
            code=u.code,
            name=u.name,
            parent_name=names.get(u.parent_id or 0, ""),
            link=deep_link(bot_username, u.join_token),
        )
        for u in units
    ]


def qr_file_name(code: str) -> str:
    """``<code>.png``; codes have no spaces, but keep path separators out of file names."""
    return code.replace("/", "_").replace("\\", "_") + ".png"


def write_qr_png(link: str, path: Path) -> Path:
    """A QR code large enough to print and scan from paper (medium error correction)."""
    segno.make(link, error="m", micro=False).save(str(path), kind="png", scale=10, border=4)
    return path


def write_sheet(links: Sequence[UnitLink], path: Path, *, title: str, hint: str) -> Path:
    """One HTML page with every unit's name, QR code (inline SVG) and link, for printing."""
    cards = []
    for item in links:
        svg = segno.make(item.link, error="m", micro=False).svg_data_uri(scale=4)
        parent = f"<div class='parent'>{escape(item.parent_name)}</div>" if item.parent_name else ""
        cards.append(
            "<div class='card'>"
            f"<div class='name'>{escape(item.name)}</div>{parent}"
            f"<img src='{svg}' alt='{escape(item.code)}'>"
            f"<div class='code'>{escape(item.code)}</div>"
            f"<div class='link'>{escape(item.link)}</div></div>"
        )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>"
        "body{font-family:sans-serif}.cards{display:flex;flex-wrap:wrap;gap:8mm}"
        ".card{width:60mm;border:1px solid #999;padding:4mm;text-align:center;"
        "page-break-inside:avoid}.name{font-weight:bold}.parent,.code,.link{font-size:9pt}"
        ".link{word-break:break-all}img{width:45mm;height:45mm}"
        f"</style></head><body><h1>{escape(title)}</h1><p>{escape(hint)}</p>"
        f"<div class='cards'>{''.join(cards)}</div></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path


def qr_png_bytes(link: str) -> bytes:
    """The same QR code as :func:`write_qr_png`, in memory (to send as a photo)."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
