"""A unit's join link opened: find one's name on the unit's list (paged, filtered by typing),
share one's phone number, or ask to be added; the secretaries' Approve / Decline.

The open offer (which unit, what the person typed to filter) is a dialogue draft of kind
``claim`` in the database, so a restart keeps it.
"""

from __future__ import annotations

import contextlib
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import ChithiApp, Ctx
from bot.i18n import Translator
from bot.services import claims, dialogues, roles
from bot.services.claims import ClaimOutcome, ClaimStatus, DecideStatus, RosterPage
from bot.services.joining import JoinOutcome, token_digest
from bot.services.tg_text import CALLBACK_ANSWER_LIMIT, html_to_text, truncate
from handlers.common import (
    drop_draft,
    edit_pressed,
    has_draft,
    keep_draft,
    open_draft,
    own_buttons,
    person_of,
    translator,
    unit_of_work,
)
from handlers.menus import set_menu
from storage.models import Unit

KIND = "claim"


def _label(t: Translator, unit: Unit, parent: Unit | None = None) -> str:
    if parent is None:
        return t("unit-label", unit=escape(unit.name))
    return t("unit-label-with-parent", unit=escape(unit.name), parent=escape(parent.name))


def _draft(unit: Unit, query: str = "") -> dialogues.Draft:
    return dialogues.Draft(
        KIND, "offer", token_digest(unit.join_token), {"unit_id": unit.id, "query": query}
    )


def _query_for(ctx: Ctx, unit: Unit) -> str:
    """What the person typed to filter this unit's list (the open offer's), else nothing."""
    draft = open_draft(ctx, KIND)
    if draft is None or draft.state.get("unit_id") != unit.id:
        return ""
    return str(draft.state.get("query") or "")


def render_page(
    t: Translator, unit: Unit, page: RosterPage, query: str, parent: Unit | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The list message: one button per name, Prev/Next, and "I am not on the list"."""
    lines = [t("claim-offer", unit=_label(t, unit, parent))]
    if query:
        lines.append(t("claim-filtered", query=escape(query), count=page.total))
    elif page.total == 0:
        lines.append(t("claim-list-empty"))
    else:
        lines.append(t("claim-pick-hint"))
    if page.pages > 1:
        lines.append(t("claim-page", page=page.page + 1, pages=page.pages))
    rows = [
        [InlineKeyboardButton(name, callback_data=claims.name_data(unit, member_id))]
        for member_id, name in page.names
    ]
    pager = []
    if page.page > 0:
        pager.append(
            InlineKeyboardButton(
                t("claim-prev"), callback_data=claims.page_data(unit, page.page - 1)
            )
        )
    if page.page + 1 < page.pages:
        pager.append(
            InlineKeyboardButton(
                t("claim-next"), callback_data=claims.page_data(unit, page.page + 1)
            )
        )
    if pager:
        rows.append(pager)
    rows.append([InlineKeyboardButton(t("claim-ask-button"), callback_data=claims.ask_data(unit))])
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("claim-phone-button"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def open_offer(session: AsyncSession, ctx: Ctx, user_id: int, unit: Unit) -> RosterPage:
    """In the ``/start <token>`` update's transaction: keep the open offer (the person's
    dialogue draft) and read the list's first page."""
    await keep_draft(session, ctx, user_id, _draft(unit))
    return await claims.unclaimed_page(session, unit.id)


async def show_offer(
    message: Message, t: Translator, outcome: JoinOutcome, page: RosterPage
) -> None:
    """The offer of a unit the person is not on yet: the list, then the phone button."""
    assert outcome.unit is not None
    unit = outcome.unit
    text, keyboard = render_page(t, unit, page, "", outcome.parent)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    await message.reply_text(t("claim-phone-hint"), reply_markup=phone_keyboard(t))


class InClaim(filters.UpdateFilter):
    """Matches updates from users with a join link's offer open."""

    __slots__ = ("_app",)

    def __init__(self, app: ChithiApp) -> None:
        super().__init__(name="InClaimOffer")
        self._app = app

    def filter(self, update: Update) -> bool:
        return has_draft(self._app, update.effective_user, KIND)


async def _offer_unit(ctx: Ctx, session: AsyncSession) -> Unit | None:
    """The unit of the open offer, while its link is still the unit's current one."""
    draft = open_draft(ctx, KIND)
    if draft is None:
        return None
    unit = await session.get(Unit, int(draft.state.get("unit_id") or 0))
    if unit is None or token_digest(unit.join_token) != draft.serial:
        return None
    return unit


async def on_filter_text(update: Update, ctx: Ctx) -> None:
    """A private text while the offer is open: the list, filtered by it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    t = translator(update, ctx)
    query = " ".join(message.text.split())[:64]
    async with unit_of_work(ctx) as session:
        unit = await _offer_unit(ctx, session)
        if unit is not None:
            page = await claims.unclaimed_page(session, unit.id, query)
            await keep_draft(session, ctx, user.id, _draft(unit, query))
        else:
            await drop_draft(session, ctx, user.id)
    if unit is None:
        await message.reply_text(t("join-invalid"), reply_markup=ReplyKeyboardRemove())
        return
    text, keyboard = render_page(t, unit, page, query)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def on_contact(update: Update, ctx: Ctx) -> None:
    """The phone button's contact: only the sender's own number claims an entry."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.contact is None:
        return
    t = translator(update, ctx)
    contact = message.contact
    if contact.user_id != user.id:
        await message.reply_text(t("claim-phone-not-yours"), reply_markup=phone_keyboard(t))
        return
    async with unit_of_work(ctx) as session:
        unit = await _offer_unit(ctx, session)
        outcome, menu = None, None
        if unit is not None:
            outcome = await claims.claim_by_phone(
                session, person_of(user), unit, contact.phone_number, ctx.rt.now()
            )
            if outcome.status is ClaimStatus.APPROVED:
                await drop_draft(session, ctx, user.id)
                menu = await roles.own_menu(session, user.id, ctx.settings.bot.admins)
    if unit is None or outcome is None:
        await message.reply_text(t("claim-phone-no-offer"), reply_markup=ReplyKeyboardRemove())
        return
    text = _claimant_text(t, outcome)
    keep = outcome.status is ClaimStatus.NO_MATCH
    markup = phone_keyboard(t) if keep else ReplyKeyboardRemove()
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    if menu is not None:
        await set_menu(ctx.bot, ctx.texts, user.id, menu)


def _claimant_text(t: Translator, outcome: ClaimOutcome) -> str:
    assert outcome.unit is not None
    unit = _label(t, outcome.unit)
    name = escape(outcome.entry_name)
    key = {
        ClaimStatus.APPROVED: "claim-approved" if name else "claim-added",
        ClaimStatus.PENDING: "claim-pending" if name else "claim-ask-pending",
        ClaimStatus.TAKEN: "claim-taken",
        ClaimStatus.HOLDS_ENTRY: "claim-holds-entry",
        ClaimStatus.NO_MATCH: "claim-phone-no-match",
        ClaimStatus.ALREADY: "join-already",
        ClaimStatus.INVALID: "join-invalid",
    }[outcome.status]
    return t(key, unit=unit, name=name)


async def _tell(
    ctx: Ctx, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A private message to someone other than the asker; they may have blocked the bot."""
    with contextlib.suppress(TelegramError):
        await ctx.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _ask_deciders(ctx: Ctx, outcome: ClaimOutcome, username: str | None) -> None:
    claim, unit = outcome.claim, outcome.unit
    assert claim is not None and unit is not None
    for telegram_id, language in outcome.deciders:
        t = ctx.texts.for_lang(language)
        who = escape(claim.full_name) + (f" (@{escape(username)})" if username else "")
        key = "claim-ask-decide" if claim.member_id is None else "claim-name-decide"
        text = t(key, who=who, name=escape(outcome.entry_name), unit=_label(t, unit))
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("claim-approve-button"), callback_data=claims.decide_data(claim, True)
                    ),
                    InlineKeyboardButton(
                        t("claim-decline-button"), callback_data=claims.decide_data(claim, False)
                    ),
                ]
            ]
        )
        await _tell(ctx, telegram_id, text, markup)


@own_buttons()
async def on_offer_button(update: Update, ctx: Ctx) -> None:
    """A name, a page, or "I am not on the list" under the offer."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    now = ctx.rt.now()
    outcome: ClaimOutcome | None = None
    page: RosterPage | None = None
    menu: str | None = None
    async with unit_of_work(ctx) as session:
        press = await claims.parse_offer_press(session, query.data or "")
        if press is not None:
            person = person_of(user)
            if press.action == "n":
                outcome = await claims.claim_by_name(session, person, press.unit, press.arg, now)
            elif press.action == "a":
                outcome = await claims.ask_to_be_added(session, person, press.unit, now)
            if outcome is None or outcome.status is ClaimStatus.TAKEN:
                page_no = press.arg if press.action == "p" else 0
                found = _query_for(ctx, press.unit)
                page = await claims.unclaimed_page(session, press.unit.id, found, page_no)
            elif outcome.status in (ClaimStatus.APPROVED, ClaimStatus.PENDING):
                await drop_draft(session, ctx, user.id)
            if outcome is not None and outcome.status is ClaimStatus.APPROVED:
                menu = await roles.own_menu(session, user.id, ctx.settings.bot.admins)
    if press is None:
        await query.answer(t("join-invalid-toast"), show_alert=True)
        await edit_pressed(query, t("join-invalid"))
        return
    unit = press.unit
    if outcome is not None:
        text = _claimant_text(t, outcome)
        if outcome.status not in (ClaimStatus.APPROVED, ClaimStatus.PENDING, ClaimStatus.ALREADY):
            await query.answer(truncate(html_to_text(text), CALLBACK_ANSWER_LIMIT), show_alert=True)
        else:
            await query.answer()
        if outcome.status is ClaimStatus.PENDING:
            await _ask_deciders(ctx, outcome, user.username)
        if menu is not None:
            await set_menu(ctx.bot, ctx.texts, user.id, menu)
        if page is None:
            if outcome.status is not ClaimStatus.HOLDS_ENTRY:
                await edit_pressed(query, text, parse_mode=ParseMode.HTML)
            return
    else:
        await query.answer()
    assert page is not None
    text, keyboard = render_page(t, unit, page, _query_for(ctx, unit))
    await edit_pressed(query, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


@own_buttons()
async def on_decide_button(update: Update, ctx: Ctx) -> None:
    """A secretary's Approve / Decline, one tap; the claimant is told the outcome."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = translator(update, ctx)
    async with unit_of_work(ctx) as session:
        outcome = await claims.decide(
            session, user.id, query.data or "", ctx.rt.now(), ctx.settings.bot.admins
        )
        menu = None
        if outcome.status is DecideStatus.APPROVED and outcome.claim is not None:
            claimant = outcome.claim.telegram_id
            menu = await roles.own_menu(session, claimant, ctx.settings.bot.admins)
    if outcome.status in (DecideStatus.INVALID, DecideStatus.REFUSED):
        await query.answer(t(f"claim-decide-{outcome.status.value}"), show_alert=True)
        return
    claim, unit = outcome.claim, outcome.unit
    assert claim is not None and unit is not None
    args = {
        "who": escape(claim.full_name),
        "name": escape(outcome.entry_name),
        "unit": _label(t, unit),
    }
    if outcome.status is DecideStatus.DECIDED:
        await query.answer(t("claim-decided-toast"))
        await edit_pressed(
            query, t(f"claim-decided-{claim.state}", **args), parse_mode=ParseMode.HTML
        )
        return
    suffix = "ask" if claim.member_id is None or claim.how == "ask" else "name"
    await query.answer(t(f"claim-{outcome.status.value}-toast"))
    await edit_pressed(
        query,
        t(f"claim-decided-{outcome.status.value}-{suffix}", **args),
        parse_mode=ParseMode.HTML,
    )
    told = ctx.texts.for_lang(outcome.claimant_language)
    args["unit"] = _label(told, unit)
    await _tell(ctx, claim.telegram_id, told(f"claim-told-{outcome.status.value}-{suffix}", **args))
    if menu is not None:
        await set_menu(ctx.bot, ctx.texts, claim.telegram_id, menu)


def register(app: ChithiApp) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(CallbackQueryHandler(on_offer_button, pattern=r"^cl:[npa]:"))
    app.add_handler(CallbackQueryHandler(on_decide_button, pattern=r"^cl:(ok|no):"))
    app.add_handler(MessageHandler(private & filters.CONTACT, on_contact))
    # Only while an offer is open: otherwise text belongs to other features.
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & InClaim(app), on_filter_text)
    )
