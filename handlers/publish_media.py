"""Telegram side of files and long pasted texts in the /publish dialogue (the rules:
bot.services.publish_media; the handler: handlers.publish.on_file): a message's file as a
``ChatFile``, and the prompt while a long paste is collected until **Xong**.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.services import publish_dialogue as pd
from bot.services import publish_media as pm
from bot.services.attachments import DOCUMENT, PHOTO, ChatFile
from bot.services.tg_text import tg_len
from handlers.publish_prompts import cancel_row, data

DONE_ACTION = "bd"  # pub:<serial>:bd — the pasted body is complete


def chat_file(message: Message) -> ChatFile | None:
    """The file a message carries (a document, or a photo's largest size), as sent."""
    if message.document is not None:
        doc = message.document
        return ChatFile(
            file_id=doc.file_id,
            type=DOCUMENT,
            name=doc.file_name or f"{doc.file_unique_id}",
            size=doc.file_size,
            mime=doc.mime_type,
        )
    if message.photo:
        photo = message.photo[-1]
        return ChatFile(
            file_id=photo.file_id,
            type=PHOTO,
            name=f"{photo.file_unique_id}.jpg",
            size=photo.file_size,
        )
    return None


def pieces_prompt(t: Translator, d: pd.Dialogue) -> tuple[str, InlineKeyboardMarkup]:
    """Where a pasted body stands: pieces and characters so far, Xong / Huỷ."""
    parts = pm.pieces(d)
    text = t("media-body-pieces", count=len(parts), length=tg_len(pm.join_pieces(parts)))
    rows = [
        [InlineKeyboardButton(t("media-button-done"), callback_data=data(d, DONE_ACTION))],
        cancel_row(t, d),
    ]
    return text, InlineKeyboardMarkup(rows)
