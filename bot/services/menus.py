"""The command menu each person sees, by role: members only what they can use.

The menu for everyone (Telegram's default scope) is the members' one; a deputy, secretary or
administrator gets theirs in their own private chat (``BotCommandScopeChat``), set when their
role changes and when they first start the bot. Each command's description is the text key
``cmd-<command>``.
"""

from __future__ import annotations

MEMBER_COMMANDS = ("start", "help", "name", "me", "mydata", "leave")
DEPUTY_COMMANDS = (
    *MEMBER_COMMANDS,
    "pending",
    "stats",
    "reports",
    "export",
    "meeting",
    "mark",
    "status",
    "publish",
    "forward",
    "report",
    "deadline",
    "amend",
    "recall",
    "scheduled",
    "member_add",
    "member_rename",
    "member_move",
    "member_remove",
    "rotate_link",
    "join_approval",
    "cancel",
)
SECRETARY_COMMANDS = (*DEPUTY_COMMANDS, "grant", "revoke")
ADMIN_COMMANDS = (*SECRETARY_COMMANDS, "broadcast", "report_draft", "audit", "forget")

MENUS = {
    "member": MEMBER_COMMANDS,
    "deputy": DEPUTY_COMMANDS,
    "secretary": SECRETARY_COMMANDS,
    "admin": ADMIN_COMMANDS,
}
MENU_LANGUAGES = ("vi", "en")  # vi is also the menu of every other language


def commands_for(role: str) -> tuple[str, ...]:
    """The commands in the menu of someone whose highest role is ``role``."""
    return MENUS.get(role, MEMBER_COMMANDS)
