"""The one place that turns outbox payloads into Bot API calls and API errors into outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import segno
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.services.amend_links import EDIT_CAPTION
from bot.services.ports import ChatGone, ChatMoved, Rejected, RetryLater, SendError, Transient
from bot.services.render import compose

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_GONE = (
    "chat not found",
    "bot was kicked",
    "bot is not a member",
    "have no rights",
    "not enough rights",
    "user is deactivated",
    "chat_write_forbidden",
    "group chat was deactivated",
    "need administrator rights",
)


def keyboard(buttons: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(b["text"], callback_data=b["data"])
            if "data" in b
            else InlineKeyboardButton(b["text"], url=b["url"])
            for b in row
        ]
        for row in buttons
    ]
    return InlineKeyboardMarkup(rows)


def qr_png(url: str) -> bytes:
    """A printable QR code for a link (PNG)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, fractions kept (the sandbox sends them when sped up)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB's int-vs-timedelta deprecation notice
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def translate_error(exc: TelegramError) -> SendError:
    if isinstance(exc, RetryAfter):
        return RetryLater(retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(exc.new_chat_id)
    if isinstance(exc, Forbidden):
        return ChatGone(exc.message)
    if isinstance(exc, BadRequest):
        text = exc.message.lower()
        if any(marker in text for marker in _GONE):
            return ChatGone(exc.message)
        return Rejected(exc.message)
    if isinstance(exc, TimedOut | NetworkError):
        return Transient(exc.message)
    return Transient(str(exc))


class TelegramPort:
    """``MessagePort`` over a PTB ``Bot`` (which talks to Telegram or to the sandbox)."""

    def __init__(self, bot: Bot, *, paced: bool = False) -> None:
        """``paced``: the caller reserved flood-limit slots itself (the outbox sender); tell the
        bot's rate limiter not to reserve them again."""
        self.bot = bot
        self._limit: dict[str, Any] = {"rate_limit_args": {"paced": True}} if paced else {}
        self._file_ids: dict[str, str] = {}  # the same QR/document is uploaded once

    async def send(self, target: int, payload: dict[str, Any]) -> int:
        try:
            return await self._send(target, payload)
        except TelegramError as exc:
            raise translate_error(exc) from exc

    async def _send(self, target: int, payload: dict[str, Any]) -> int:
        method = payload.get("method", "message")
        markup = keyboard(payload.get("buttons"))
        if method == "edit":  # an earlier post amended, recalled or replaced
            return await self._edit_post(target, payload, markup)
        if method == EDIT_CAPTION:  # a QR image whose link an amendment changed
            return await self._edit_caption(target, payload)
        if method == "message":
            message = await self.bot.send_message(
                target,
                compose(payload),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=_NO_PREVIEW,
                **self._limit,
            )
        elif method == "qr":
            key = f"qr:{payload['url']}"
            photo: Any = self._file_ids.get(key) or qr_png(payload["url"])
            message = await self.bot.send_photo(
                target, photo, caption=payload.get("caption"), reply_markup=markup, **self._limit
            )
            if message.photo:
                self._file_ids[key] = message.photo[-1].file_id
        elif method == "photo":  # an announcement's photo: a Telegram file id or a local file
            key = f"photo:{payload.get('path')}"
            photo = payload.get("file_id") or self._file_ids.get(key)
            if photo is None:
                photo = await asyncio.to_thread(Path(payload["path"]).read_bytes)
            message = await self.bot.send_photo(
                target, photo, caption=payload.get("caption"), reply_markup=markup, **self._limit
            )
            if message.photo and "path" in payload:
                self._file_ids[key] = message.photo[-1].file_id
        elif method == "document" and "file_id" in payload:
            message = await self.bot.send_document(
                target,
                payload["file_id"],
                caption=payload.get("caption"),
                reply_markup=markup,
                **self._limit,
            )
        elif method == "document" and "text_file" in payload:  # a generated full text
            generated, filename, key = self._text_file(payload["text_file"])
            message = await self.bot.send_document(
                target,
                self._file_ids.get(key) or generated,
                filename=filename,
                caption=payload.get("caption"),
                reply_markup=markup,
                **self._limit,
            )
            if message.document:
                self._file_ids[key] = message.document.file_id
        elif method == "album":
            message = await self._album(target, payload)
        elif method == "document":
            key = f"doc:{payload['path']}"
            document: Any = self._file_ids.get(key) or await asyncio.to_thread(
                Path(payload["path"]).read_bytes
            )
            message = await self.bot.send_document(
                target,
                document,
                filename=Path(payload["path"]).name,
                caption=payload.get("caption"),
                reply_markup=markup,
                **self._limit,
            )
            if message.document:
                self._file_ids[key] = message.document.file_id
        else:
            raise Rejected(f"unknown payload method {method!r}")
        if payload.get("pin"):
            # Pinning is a courtesy; the post itself is what matters.
            with contextlib.suppress(TelegramError):
                await self.bot.pin_chat_message(
                    target, message.message_id, disable_notification=True, **self._limit
                )
        return message.message_id

    @staticmethod
    def _text_file(spec: dict[str, str]) -> tuple[bytes, str, str]:
        """A generated text document: its bytes (UTF-8 with a byte order mark, so old Windows
        editors show Vietnamese right), file name and cache key."""
        data = ("\ufeff" + spec["text"]).encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()[:16]
        return data, spec["name"], f"txt:{spec['name']}:{digest}"

    async def _album(self, target: int, payload: dict[str, Any]) -> Message:
        """sendMediaGroup: 2-10 photos or 2-10 documents (never mixed), the caption on the
        first; files by Telegram file_id, local paths and generated texts uploaded once.
        Returns the first message (an album has no buttons)."""
        media: list[InputMediaDocument | InputMediaPhoto] = []
        keys: list[str | None] = []
        for i, item in enumerate(payload["items"]):
            caption = payload.get("caption") if i == 0 else None
            key: str | None = None
            filename: str | None = None
            content: Any
            if "file_id" in item:
                content = item["file_id"]
            elif "text_file" in item:
                content, filename, key = self._text_file(item["text_file"])
            else:
                key = (
                    f"doc:{item['path']}" if item["type"] == "document" else f"photo:{item['path']}"
                )
                content = await asyncio.to_thread(Path(item["path"]).read_bytes)
                filename = Path(item["path"]).name
            if key is not None and key in self._file_ids:
                content, filename = self._file_ids[key], None
            if item["type"] == "photo":
                media.append(InputMediaPhoto(content, caption=caption, filename=filename))
            else:
                media.append(InputMediaDocument(content, caption=caption, filename=filename))
            keys.append(key)
        messages = await self.bot.send_media_group(target, media, **self._limit)
        for key, sent in zip(keys, messages, strict=False):
            if key is None:
                continue
            if sent.document:
                self._file_ids[key] = sent.document.file_id
            elif sent.photo:
                self._file_ids[key] = sent.photo[-1].file_id
        return messages[0]

    async def _edit_caption(self, target: int, payload: dict[str, Any]) -> int:
        message_id = payload.get("message_id")
        if not message_id:
            raise Rejected("the message to edit was never sent")
        try:
            await self.bot.edit_message_caption(
                chat_id=target,
                message_id=int(message_id),
                caption=payload["caption"],
                **self._limit,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return int(message_id)

    async def _edit_post(
        self, target: int, payload: dict[str, Any], markup: InlineKeyboardMarkup | None
    ) -> int:
        """An outbox edit row: its text (counters line included) and buttons replace the
        post's; no buttons removes them. Returns the edited message's id."""
        message_id = payload.get("message_id")
        if not message_id:
            raise Rejected("the post to edit was never sent")
        try:
            await self.bot.edit_message_text(
                payload["text"],
                chat_id=target,
                message_id=int(message_id),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=_NO_PREVIEW,
                **self._limit,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return int(message_id)

    async def edit(self, target: int, message_id: int, payload: dict[str, Any]) -> None:
        try:
            await self.bot.edit_message_text(
                compose(payload),
                chat_id=target,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(payload.get("buttons")),
                link_preview_options=_NO_PREVIEW,
                **self._limit,
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            raise translate_error(exc) from exc
        except TelegramError as exc:
            raise translate_error(exc) from exc
