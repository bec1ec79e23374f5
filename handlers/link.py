"""``/link`` and ``/unlink``: bind a group, supergroup or channel to a unit; follow migrations."""

from __future__ import annotations

from html import escape

from telegram import Bot, Chat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import linking
from bot.services.joining import deep_link
from bot.services.linking import ChatInfo, LinkOutcome, LinkStatus
from handlers.common import person_of, translator, unit_of_work

GROUP_MESSAGES = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
MIGRATION_GROUP = -10


class BotProbe:
    """:class:`linking.ChannelProbe` answered by the Bot API."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def chat(self, ref: int | str) -> ChatInfo | None:
        try:
            chat = await self.bot.get_chat(ref)
        except TelegramError:
            return None
        return ChatInfo(chat.id, chat.type, chat.title or "")

    async def member_status(self, chat_id: int, user_id: int) -> str | None:
        try:
            return str((await self.bot.get_chat_member(chat_id, user_id)).status)
        except TelegramError:
            return None

    async def bot_status(self, chat_id: int) -> str | None:
        return await self.member_status(chat_id, self.bot.id)


def chat_info(chat: Chat) -> ChatInfo:
    return ChatInfo(chat.id, chat.type, chat.title or "")


def render(t: Translator, outcome: LinkOutcome, *, code: str, channel: str, bot: str) -> str:
    """The answer to ``/link`` for every outcome, HTML-escaped."""
    unit = f"<b>{escape(outcome.unit.name)}</b>" if outcome.unit else ""
    chat = f"<b>{escape(outcome.chat.title)}</b>" if outcome.chat else ""
    status = outcome.status
    if status is LinkStatus.UNKNOWN_UNIT:
        return t("link-no-unit", code=escape(code))  # unknown, or not the asker's: one answer
    if status is LinkStatus.REFUSED:
        text = t("link-refused", unit=unit)
        names = [
            t(
                "link-manager",
                name=escape(m.member.full_name),
                role=t(f"role-{m.role}"),
                unit=escape(m.unit.name),
            )
            for m in outcome.managers
        ]
        return text + ("\n" + t("link-refused-ask", names="; ".join(names)) if names else "")
    if status in (LinkStatus.LINKED, LinkStatus.UNCHANGED, LinkStatus.MOVED):
        assert outcome.unit is not None
        key = {LinkStatus.LINKED: "link-done", LinkStatus.UNCHANGED: "link-unchanged"}
        previous = escape(outcome.previous.name) if outcome.previous else ""
        text = t(key.get(status, "link-moved"), chat=chat, unit=unit, previous=f"<b>{previous}</b>")
        return text + "\n\n" + t("link-join-hint", link=deep_link(bot, outcome.unit.join_token))
    return t(f"link-{status.value}", chat=chat, code=escape(code), channel=escape(channel))


async def link_in_group(update: Update, ctx: Ctx) -> None:
    """``/link <code>`` inside a group or supergroup."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    t = translator(update, ctx)
    if message.sender_chat is not None:
        await message.reply_text(t("link-anonymous"))
        return
    if len(ctx.args or []) != 1:
        await message.reply_text(t("link-usage-group"))
        return
    code = (ctx.args or [""])[0]
    async with unit_of_work(ctx) as session:
        outcome = await linking.link_chat(
            session, person_of(user), code, chat_info(chat), config_admins=ctx.settings.bot.admins
        )
    text = render(t, outcome, code=code, channel="", bot=ctx.rt.bot_username)
    await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)


async def link_from_private(update: Update, ctx: Ctx) -> None:
    """``/link <code> <channel>`` in a private chat: channel posts carry no sender."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = ctx.args or []
    if len(args) != 2:
        await message.reply_text(t("link-usage-private"), parse_mode=ParseMode.HTML)
        return
    code, channel = args
    # Telegram is asked before the transaction opens, so no lock is held across HTTP calls.
    facts = await linking.probe_channel(BotProbe(ctx.bot), channel, user.id)
    async with unit_of_work(ctx) as session:
        outcome = await linking.link_channel(
            session, person_of(user), code, facts, config_admins=ctx.settings.bot.admins
        )
    text = render(t, outcome, code=code, channel=channel, bot=ctx.rt.bot_username)
    await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)


async def link_in_channel(update: Update, ctx: Ctx) -> None:
    """``/link`` posted in a channel: explain how to link it from a private chat."""
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None:
        await message.reply_text(translator(update, ctx)("link-from-channel", chat_id=str(chat.id)))


async def unlink(update: Update, ctx: Ctx) -> None:
    """``/unlink`` inside a linked group: it stops receiving the unit's posts."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        outcome = await linking.unlink_chat(
            session, person_of(user), chat.id, config_admins=ctx.settings.bot.admins
        )
    unit = f"<b>{escape(outcome.unit.name)}</b>" if outcome.unit else ""
    key = {LinkStatus.UNLINKED: "unlink-done", LinkStatus.REFUSED: "unlink-refused"}
    text = t(key.get(outcome.status, "unlink-not-linked"), chat=escape(chat.title or ""), unit=unit)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def on_migrate(update: Update, ctx: Ctx) -> None:
    """A group became a supergroup; Telegram tells both chats, either one is enough."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    async with unit_of_work(ctx) as session:
        await linking.follow_migration(session, old_id, new_id)


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("link", link_in_group, filters=GROUP_MESSAGES))
    app.add_handler(CommandHandler("link", link_from_private, filters=PRIVATE_MESSAGES))
    app.add_handler(
        CommandHandler(
            "link",
            link_in_channel,
            filters=filters.UpdateType.CHANNEL_POST & filters.ChatType.CHANNEL,
        )
    )
    app.add_handler(CommandHandler("unlink", unlink, filters=GROUP_MESSAGES))
    # Its own early group: a migration must be followed whatever other handlers do with it.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), group=MIGRATION_GROUP)
