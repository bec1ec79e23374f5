"""Setting a person's command menu in their private chat (see ``bot.services.menus``)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import Texts
from bot.services.menus import MEMBER_COMMANDS, MENU_LANGUAGES, commands_for

log = logging.getLogger(__name__)


def _commands(texts: Texts, lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, texts(lang, f"cmd-{name}")) for name in names]


def _language_code(lang: str) -> str | None:
    return None if lang == MENU_LANGUAGES[0] else lang  # Vietnamese for every other language


async def set_default_menu(bot: Bot, texts: Texts) -> None:
    """Everyone's menu (Telegram's default scope): what a member can use."""
    for lang in MENU_LANGUAGES:
        await bot.set_my_commands(
            _commands(texts, lang, MEMBER_COMMANDS),
            scope=BotCommandScopeDefault(),
            language_code=_language_code(lang),
        )


async def set_menu(bot: Bot, texts: Texts, telegram_id: int, role: str) -> bool:
    """Show ``role``'s menu in the person's private chat. A person who never opened that chat
    (or blocked the bot) cannot be given one: logged, False, nothing else fails for it."""
    try:
        for lang in MENU_LANGUAGES:
            await bot.set_my_commands(
                _commands(texts, lang, commands_for(role)),
                scope=BotCommandScopeChat(telegram_id),
                language_code=_language_code(lang),
            )
    except TelegramError as exc:
        log.info("menu of %s not set: %s", telegram_id, exc.__class__.__name__)
        return False
    return True
