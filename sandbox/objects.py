"""Builders for Bot API objects with every field the API (and PTB's de_json) requires."""

from __future__ import annotations

import struct
from typing import Any, TypeVar

import orjson

from sandbox.state import SandboxChat, SandboxUser, StoredFile

JSON = dict[str, Any]
_T = TypeVar("_T")


def json_copy(value: _T) -> _T:
    """A deep copy of JSON data (several times faster than ``copy.deepcopy``)."""
    result: _T = orjson.loads(orjson.dumps(value))
    return result


ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip
# Rights the Bot API documents for some chat types only ("for channels only", "for groups and
# supergroups only", "for supergroups only"): absent elsewhere.
TYPE_ADMIN_RIGHTS = {
    "channel": ("can_post_messages", "can_edit_messages", "can_manage_direct_messages"),
    "group": ("can_pin_messages", "can_manage_tags"),
    "supergroup": ("can_pin_messages", "can_manage_tags", "can_manage_topics"),
}
RESTRICTED_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
    "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages",
    "can_manage_topics",
)  # fmt: skip
PHOTO_SIZES = (90, 320, 800, 1280)


def chat_member(
    user: SandboxUser, status: str, chat: SandboxChat, *, is_self: bool = False
) -> JSON:
    """A ``ChatMember*`` object for ``status`` (creator/administrator/member/left/kicked...)."""
    data: JSON = {"user": user.to_api(), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data["can_be_edited"] = False if is_self else not user.is_bot
        data["is_anonymous"] = False
        data.update({right: True for right in ADMIN_RIGHTS})
        data.update({right: True for right in TYPE_ADMIN_RIGHTS.get(chat.type, ())})
    elif status == "kicked":
        data["until_date"] = 0
    elif status == "restricted":
        data.update(is_member=True, until_date=0)
        data.update({right: False for right in RESTRICTED_RIGHTS})
    return data


def chat_full_info(chat: SandboxChat, pinned: JSON | None) -> JSON:
    """``ChatFullInfo`` for getChat (PTB 22 requires accent_color_id, max_reaction_count and
    accepted_gift_types)."""
    data = chat.to_api()
    data.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False,
        },
    )  # fmt: skip
    if chat.type in ("group", "supergroup"):  # "for groups and supergroups" only
        data["permissions"] = {
            "can_send_messages": True, "can_send_audios": True, "can_send_documents": True,
            "can_send_photos": True, "can_send_videos": True, "can_send_video_notes": True,
            "can_send_voice_notes": True, "can_send_polls": True,
            "can_send_other_messages": True, "can_add_web_page_previews": True,
            "can_react_to_messages": True, "can_change_info": False, "can_invite_users": True,
            "can_pin_messages": False, "can_manage_topics": False,
        }  # fmt: skip
    if chat.migrated_from is not None:
        data["description"] = f"migrated from {chat.migrated_from}"
    if pinned is not None:
        data["pinned_message"] = pinned
    return data


def bot_user(user: SandboxUser, *, reads_all: bool) -> JSON:
    """getMe's ``User`` with the bot-only capability flags."""
    return {
        **user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": reads_all,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from PNG/GIF/JPEG headers; 800x600 if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + int(length)
    return 800, 600


def photo_sizes(files: list[StoredFile]) -> list[JSON]:
    """The ``PhotoSize`` list, smallest first, as Telegram returns for one photo."""
    return [
        {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": f.width,
            "height": f.height,
            "file_size": len(f.data),
        }
        for f in files
    ]


def scaled_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """Telegram's thumbnail ladder (90/320/800/1280 px long side) up to the original size."""
    longest = max(width, height, 1)
    dims = [
        (max(1, width * side // longest), max(1, height * side // longest))
        for side in PHOTO_SIZES
        if side < longest
    ]
    return [*dims, (width, height)]


def document(file: StoredFile) -> JSON:
    """The ``Document`` object for an uploaded file."""
    data: JSON = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.data),
    }
    if file.file_name:
        data["file_name"] = file.file_name
    if file.mime_type:
        data["mime_type"] = file.mime_type
    return data


def file_object(file: StoredFile) -> JSON:
    """The ``File`` object answered by getFile."""
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.data),
        "file_path": file.file_path,
    }
