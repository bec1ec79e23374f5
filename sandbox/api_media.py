"""Bot API methods with files: sendPhoto, sendDocument, sendMediaGroup, getFile."""

from __future__ import annotations

from typing import Any

from sandbox.api_messages import common_fields, post, target_chat, with_text
from sandbox.errors import ApiError, bad_request
from sandbox.files import reuse_document, reuse_photo, store_document, store_photo
from sandbox.keyboards import check_reply_markup
from sandbox.objects import file_object
from sandbox.params import Params, Upload
from sandbox.text import caption_text
from sandbox.world import BotAccount, World

JSON = dict[str, Any]
MAX_PHOTO = 10 * 1024 * 1024
MAX_DOCUMENT = 50 * 1024 * 1024  # "Bots can currently send files of any type of up to 50 MB"
MAX_ALBUM = 10


def _media(w: World, kind: str, value: Any, upload: Upload | None) -> JSON:
    """Content (``photo`` or ``document``) from an upload or a file_id."""
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            if len(upload.data) > MAX_PHOTO:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            return {"photo": store_photo(w, upload.data)}
        if len(upload.data) > MAX_DOCUMENT:
            raise ApiError(413, "Request Entity Too Large")
        return {"document": store_document(w, upload.data, upload.filename, upload.content_type)}
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # no internet in the sandbox
    found = reuse_photo(w, value) if kind == "photo" else reuse_document(w, value)
    if found is None:
        other = w.files.get(value)
        if other is not None:
            raise bad_request(f"can't use file of type {other.kind.title()} as {kind.title()}")
        raise bad_request("wrong file identifier/HTTP URL specified")
    return {kind: found}


def _caption(p: Params, item: JSON | None = None) -> tuple[str, list[JSON]] | None:
    source = item if item is not None else p.values
    entities = source.get("caption_entities")
    return caption_text(source.get("caption"), source.get("parse_mode"), entities)


async def _send_file(w: World, bot: BotAccount, p: Params, kind: str) -> JSON:
    chat = target_chat(w, bot, p)
    caption = _caption(p)
    markup = check_reply_markup(p.dict_("reply_markup"))
    common = common_fields(w, bot, chat, p)
    content = with_text(_media(w, kind, p.raw(kind), p.uploads.get(kind)), "caption", caption)
    if markup is not None:
        content["reply_markup"] = markup
    return post(w, bot, chat, [content], common=common)[0].data


async def send_photo(w: World, bot: BotAccount, p: Params) -> JSON:
    """sendPhoto (upload or file_id); caption up to 1024 characters."""
    return await _send_file(w, bot, p, "photo")


async def send_document(w: World, bot: BotAccount, p: Params) -> JSON:
    """sendDocument (upload or file_id); caption up to 1024 characters."""
    return await _send_file(w, bot, p, "document")


async def send_media_group(w: World, bot: BotAccount, p: Params) -> list[JSON]:
    """sendMediaGroup: up to 10 photos or documents as an album, charged once per item."""
    chat = target_chat(w, bot, p)
    items = p.list_("media")
    if not items:
        raise bad_request("there are no messages to send")
    if len(items) > MAX_ALBUM:
        raise bad_request("too many messages to send as an album")
    kinds = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
            kind = item.get("type") if isinstance(item, dict) else None
            raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        kinds.append(item["type"])
    if "document" in kinds and "photo" in kinds:
        raise bad_request("document can't be mixed with other media types")
    captions = [_caption(p, item) for item in items]
    common = common_fields(w, bot, chat, p)
    contents = []
    for item, caption in zip(items, captions, strict=True):
        ref = item.get("media")
        upload = None
        if isinstance(ref, str) and ref.startswith("attach://"):
            upload = p.uploads.get(ref.removeprefix("attach://"))
            if upload is None:
                raise bad_request("can't parse InputMedia: media not found")
        contents.append(with_text(_media(w, item["type"], ref, upload), "caption", caption))
    if len(contents) > 1:  # a single item is sent as a plain message, as Telegram does
        album = str(13_000_000_000_000_000 + w.serial())
        contents = [{**content, "media_group_id": album} for content in contents]
    return [m.data for m in post(w, bot, chat, contents, common=common)]


async def get_file(w: World, bot: BotAccount, p: Params) -> JSON:
    """getFile: a ``File`` whose ``file_path`` is served under base_file_url."""
    file = w.files.get(p.req_str("file_id"))
    if file is None:
        raise bad_request("invalid file_id")
    return file_object(file)
