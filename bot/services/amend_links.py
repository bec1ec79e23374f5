"""An amendment that corrects a directive's links, and the QR images already in the groups.

A group got one QR image per link after the post; once a link is corrected (or dropped) its
image leads to the old address. A caption can be edited in place, an image cannot be redrawn
that way: each image whose link changed gets its caption edited to say that it is out of date
(once), and the group gets the QR image of each corrected or added link after it, queued
behind the post's own edits and paced like any message. Private copies carry no QR images:
their text, redrawn by :func:`bot.services.lifecycle.amend`, lists the links.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts
from bot.services import outbox
from bot.services.outbox import Outgoing
from bot.services.render import qr_payload
from storage.models import Delivery, Directive

EDIT_CAPTION = "edit_caption"  # the payload method of an outbox row editing a caption
_QR = ":qr:"


def _index(dedupe_key: str) -> int | None:
    """The link a QR row shows: ``d1:c2:qr:<i>`` (published) or ``...:qr:<i>:amend<n>``."""
    _head, sep, tail = dedupe_key.partition(_QR)
    first = tail.split(":", 1)[0]
    return int(first) if sep and first.isdigit() else None


async def requeue_qr_codes(
    session: AsyncSession,
    d: Directive,
    old_links: list[dict[str, str]],
    texts: Texts,
    *,
    serial: int,
    date: str,
) -> int:
    """Queue the caption edits of outdated QR images and the images of the new links in
    every group the directive was posted to; returns the captions to edit."""
    new_links = list(d.links)
    if new_links == old_links:
        return 0
    t = texts.for_lang(texts.default)  # groups read the default language
    posts = await session.execute(
        select(Delivery.chat_id, Delivery.target_telegram_id)
        .where(
            Delivery.directive_id == d.id,
            Delivery.kind == "post",
            Delivery.chat_id.is_not(None),
            Delivery.state != outbox.FAILED,
        )
        .distinct()
    )
    chats = sorted({(int(c), int(target)) for c, target in posts.all() if c is not None})
    images = await session.scalars(
        select(Delivery)
        .where(
            Delivery.directive_id == d.id,
            Delivery.kind == "qr",
            Delivery.chat_id.is_not(None),
            Delivery.state != outbox.FAILED,
        )
        .order_by(Delivery.id)
    )
    shown: dict[tuple[int, int], Delivery] = {}  # (chat, link) → the image now showing it
    for row in images.all():
        index = _index(row.dedupe_key)
        if index is not None and row.chat_id is not None:
            shown[(row.chat_id, index)] = row
    items: list[Outgoing] = []
    captions = 0
    for chat_id, target in chats:
        for i in range(max(len(old_links), len(new_links))):
            old = old_links[i] if i < len(old_links) else None
            new = new_links[i] if i < len(new_links) else None
            if old == new:
                continue
            image = shown.get((chat_id, i))
            if image is not None and old is not None:
                caption = t("amend-qr-outdated", label=old.get("label") or old["url"], date=date)
                items.append(
                    Outgoing(
                        f"d{d.id}:amend{serial}:qr{image.id}",
                        "edit",
                        target,
                        {"method": EDIT_CAPTION, "of": image.id, "caption": caption},
                        directive_id=d.id,
                        chat_id=chat_id,
                    )
                )
                captions += 1
            if new is not None:
                items.append(
                    Outgoing(
                        f"d{d.id}:c{chat_id}{_QR}{i}:amend{serial}",
                        "qr",
                        target,
                        qr_payload(t, new),
                        directive_id=d.id,
                        chat_id=chat_id,
                    )
                )
    await outbox.enqueue(session, items)
    return captions
