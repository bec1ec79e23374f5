"""Glue shared by handlers: one transaction per update, the asking user, their language, and
the guards every handler shares (edits ignored, buttons checked against their message, names
kept out of groups)."""

from __future__ import annotations

import functools
import html
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop, MessageHandler, TypeHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator, pick_language
from bot.services import access, dialogues
from bot.services.buttons import is_confirm
from bot.services.directive_rules import describe
from bot.services.drafts import DraftError
from bot.services.people import TelegramPerson, ensure_member
from storage import queries
from storage.db import hold, reading, release_after_unit, transaction, update_unit
from storage.models import Member, Unit

Handler = Callable[[Update, Ctx], Coroutine[Any, Any, Any]]


def unit_of_work(ctx: Ctx) -> AbstractAsyncContextManager[AsyncSession]:
    """The update's one transaction: ``async with unit_of_work(ctx) as session``.

    Do the database work inside the block and answer the user after it, so that what the user
    is told has been committed. In a dialogue step, until the draft is written back, the block
    is a savepoint in the transaction that holds the draft (see ``_load_draft``); the block
    that writes it commits that transaction.
    """
    return update_unit(ctx.rt.sessions)


# Marks a session opened by ``read_work``: ``asker`` makes no member row in it.
READ_ONLY = "chithi_read_work"


@asynccontextmanager
async def read_work(ctx: Ctx, update: Update | None = None) -> AsyncIterator[AsyncSession]:
    """A read-only handler's transaction: ``async with read_work(ctx, update) as session``.

    It takes no write lock (SQLite: a deferred BEGIN) and is rolled back at the end. Compute
    the answer inside the block and send it after it, so that no transaction stays open while
    the reply waits for a send slot. An administrator named in the config who has no member
    row yet gets it first, in a tiny write transaction of its own (``asker`` then finds it).
    """
    user = update.effective_user if update is not None else None
    if user is not None and user.id in ctx.settings.bot.admins:
        async with reading(ctx.rt.sessions) as session:
            known = await queries.member_by_telegram_id(session, user.id) is not None
        if not known and update is not None:
            async with transaction(ctx.rt.sessions) as session:
                await ensure_member(session, person_of(user), language=language_of(update, ctx))
    async with reading(ctx.rt.sessions) as session:
        session.info[READ_ONLY] = True
        try:
            yield session
        finally:
            # Detached before the rollback (which would expire them): what was loaded stays
            # readable once the block has ended.
            session.expunge_all()


def person_of(user: User) -> TelegramPerson:
    """The user as services see them (names cleaned on the way in: see ``TelegramPerson``)."""
    return TelegramPerson(
        telegram_id=user.id,
        full_name=user.full_name,
        username=user.username,
        language_code=user.language_code,
    )


async def asker(session: AsyncSession, update: Update, ctx: Ctx) -> Member | None:
    """The asking user; an administrator named in the config is known even before /start
    (their member row is made here: only for updates that write; ``read_work`` makes it
    beforehand)."""
    user = update.effective_user
    if user is None:
        return None
    if user.id in ctx.settings.bot.admins and not session.info.get(READ_ONLY):
        return await ensure_member(session, person_of(user), language=language_of(update, ctx))
    return await queries.member_by_telegram_id(session, user.id)


async def asker_roots(session: AsyncSession, update: Update, ctx: Ctx) -> list[Unit]:
    """The sub-trees the asking user manages (see :func:`asker`)."""
    member = await asker(session, update, ctx)
    return await access.roots_of(session, member, ctx.settings.bot.admins)


def language_of(update: Update, ctx: Ctx) -> str:
    """The asking user's language: Telegram's language code, else the configured default."""
    user = update.effective_user
    default = ctx.settings.locale.default_language
    return pick_language(user.language_code if user else None, default)


def translator(update: Update, ctx: Ctx) -> Translator:
    return ctx.texts.for_lang(language_of(update, ctx))


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


def escaped(error: DraftError) -> DraftError:
    """The same refusal with its arguments, often the user's own words, escaped for HTML."""
    args = {k: html.escape(v) if isinstance(v, str) else v for k, v in error.args_.items()}
    return DraftError(error.key, **args)


def refusal(t: Translator, error: DraftError) -> str:
    """A service's refusal as HTML to reply with (``/deadline <b>x``): arguments escaped, a
    field named in the user's words. Command arguments are already cleaned and bounded."""
    return describe(t, escaped(error))


# -- guards shared by every handler (issue 9) ---------------------------------------------------

# Edits are read by nobody: an edited command must not run again (an edited /deadline would
# move the deadline a second time, an edited /report submit again). One handler, in a group
# before every other, ends the processing of every edit; ``handlers.register_all`` adds it.
EDIT_GUARD_GROUP = -100


async def _ignore_edit(_update: Update, _ctx: Ctx) -> None:
    raise ApplicationHandlerStop  # no handler in any later group sees the edit


def register_guards(app: ChithiApp) -> None:
    """Add what runs before every feature handler: edits are dropped, then the user's open
    dialogue (if any) is read from the database."""
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, _ignore_edit), group=EDIT_GUARD_GROUP)
    app.add_handler(TypeHandler(Update, _load_draft), group=DRAFT_GROUP)


# -- dialogues (/publish, /broadcast) kept in the database --------------------------------------

# The user's open dialogue is read at the start of every update from a private chat (before the
# feature handlers, whose filters ask ``has_draft``) and held in ``user_data`` for that update
# only: the database is the truth, so a restart (or another worker process) loses nothing.
#
# The lookup only reads (on SQLite: no write lock for a message that is no dialogue step). When
# a draft is open, the update is a step: the draft is read again in a transaction that holds its
# row (``storage.db.hold``), and the handlers' units of work are savepoints in it until the
# draft is written back (``keep_draft``/``drop_draft``): a second step of the same person,
# arriving at once on another connection (Telegram queues a private chat's messages and the
# person's button presses apart) and so perhaps in another process, waits for that commit and
# then sees the draft as it now stands (a button of a step already answered is "stale").
DRAFT_GROUP = -50
DRAFT = "dialogue"


async def _load_draft(update: Update, ctx: Ctx) -> None:
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    if user is None or ctx.user_data is None or (chat is not None and chat.type != "private"):
        return  # dialogues run in private chats only
    if query is not None and is_confirm(query.data):
        return  # a press (even in a private copy) holds no connection: see bot.intake.updates
    if query is None and update.message is None:
        return  # edits, membership changes...: no dialogue reads them
    async with reading(ctx.rt.sessions) as session:
        draft = await dialogues.load(session, user.id)
    if draft is not None:
        held = await hold(ctx.rt.sessions)
        if held is not None:  # as it stands once no other step of this person holds it
            draft = await dialogues.load(held, user.id, lock=True)
    if draft is None:
        ctx.user_data.pop(DRAFT, None)
    else:
        ctx.user_data[DRAFT] = draft


def open_draft(ctx: Ctx, kind: str) -> dialogues.Draft | None:
    """The asking user's open dialogue of ``kind``, as read at the start of this update."""
    found = ctx.user_data.get(DRAFT) if ctx.user_data is not None else None
    return found if isinstance(found, dialogues.Draft) and found.kind == kind else None


def has_draft(app: ChithiApp, user: User | None, kind: str) -> bool:
    """For filters: has ``user`` an open dialogue of ``kind`` (read for this update)?"""
    data = app.user_data.get(user.id) if user is not None else None
    found = data.get(DRAFT) if isinstance(data, dict) else None
    return isinstance(found, dialogues.Draft) and found.kind == kind


async def keep_draft(session: AsyncSession, ctx: Ctx, user_id: int, draft: dialogues.Draft) -> None:
    """Save the dialogue in the update's transaction (the newest dialogue replaces any other)."""
    await dialogues.save(session, user_id, draft, ctx.rt.now())
    release_after_unit()
    if ctx.user_data is not None:
        ctx.user_data[DRAFT] = draft


async def drop_draft(
    session: AsyncSession, ctx: Ctx, user_id: int, serial: str | None = None
) -> bool:
    """End the dialogue (only the one with ``serial``, if given); was it still open?"""
    dropped = await dialogues.clear(session, user_id, serial)
    release_after_unit()
    if ctx.user_data is not None:
        ctx.user_data.pop(DRAFT, None)
    return dropped


def button_on_message(query: CallbackQuery) -> bool:
    """Was the pressed data one of the buttons of the message it came from?

    The message in a callback query is Telegram's own copy, keyboard included, so a client
    that sends other data (or presses under another message) is caught here. A handler that
    edits "the message the press came from" must pass this first: its own message carries its
    own buttons; a directive post, say, carries ``c:`` buttons, never a pager's.
    """
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(
        button.callback_data == query.data
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


def own_buttons(refusal: str = "press-invalid") -> Callable[[Handler], Handler]:
    """Decorate a button handler that edits the pressed message: a press whose data is not a
    button of that message is answered with ``refusal`` (a text key) and goes no further."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, ctx: Ctx) -> Any:
            query = update.callback_query
            if query is None:
                return None
            if not button_on_message(query):
                await query.answer(translator(update, ctx)(refusal))
                return None
            return await handler(update, ctx)

        return guarded

    return decorate


def names_in_private(handler: Handler) -> Handler:
    """Decorate a command whose answer names people (/pending, /status...).

    In a private chat it runs as usual. Asked in a group, it runs as if asked in the asker's
    private chat (every answer goes there) and the group is only told so; if the asker has no
    private chat with the bot yet, the group is told how to open one. Either way no name is
    posted in the group. In a channel (no asker) it does not run.
    """

    @functools.wraps(handler)
    async def guarded(update: Update, ctx: Ctx) -> Any:
        chat, user, message = update.effective_chat, update.effective_user, update.message
        if chat is not None and chat.type == ChatType.PRIVATE:
            return await handler(update, ctx)
        if chat is None or user is None or message is None:
            return None
        t = translator(update, ctx)
        try:
            await handler(_asked_in_private(update, user, ctx), ctx)
        except Forbidden:  # the user never opened a private chat with the bot (or blocked it)
            link = f"https://t.me/{ctx.rt.bot_username}"
            await message.reply_text(t("names-open-private", link=link))
            return None
        await message.reply_text(t("names-sent-private"))
        return None

    return guarded


def _asked_in_private(update: Update, user: User, ctx: Ctx) -> Update:
    """The same update with its message moved to the user's private chat with the bot."""
    data = update.to_dict()
    message = data["message"]
    message["chat"] = {"id": user.id, "type": ChatType.PRIVATE, "first_name": user.first_name}
    for key in ("message_thread_id", "is_topic_message", "sender_chat", "reply_to_message"):
        message.pop(key, None)
    private = Update.de_json(data, ctx.bot)
    assert private is not None
    return private


async def edit_pressed(query: CallbackQuery, text: str, **kwargs: Any) -> None:
    """Show ``text`` in the message a button was pressed under (a pager's next page...).

    A double tap, or a page already shown, changes nothing: Telegram's "message is not
    modified" is no error here. Any other refusal is."""
    try:
        await query.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
