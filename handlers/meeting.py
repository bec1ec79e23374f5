"""/meeting: a secretary records that the unit studied a directive at its meeting (a checklist of
the roster, absentees unticked); /mark: one member marked received or studied on their behalf.

The checklist is the secretary's dialogue draft (kept in the database); its buttons carry the
draft's serial and are checked against the pressed message (own_buttons). Saving takes the
draft in the transaction that writes the confirmations, so a double Save records once."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import ChithiApp, Ctx
from bot.delivery.telegram_port import keyboard
from bot.i18n import Translator
from bot.services import access, meetings
from bot.services.drafts import DraftError
from bot.services.meeting_text import (
    KIND,
    MARK_PREFIX,
    PREFIX,
    Checklist,
    checklist_buttons,
    checklist_text,
    mark_buttons,
)
from handlers.common import (
    asker,
    drop_draft,
    edit_pressed,
    keep_draft,
    names_in_private,
    open_draft,
    own_buttons,
    refusal,
    translator,
    unit_of_work,
)
from storage.models import Directive, Member, Unit

_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$")
_BUTTON = re.compile(rf"^{PREFIX}:([0-9a-f]{{1,16}}):([tpsx])(?::(\d{{1,6}}))?$")
_MARK = re.compile(rf"^{MARK_PREFIX}:(\d{{1,12}}):(\d{{1,12}}):([rs])$")


class _Refused(Exception):
    """A short answer instead of the checklist (the text is ready to send)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@names_in_private
async def meeting_command(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = list(ctx.args or [])
    if not args or len(args) > 3:
        await message.reply_text(t("meeting-usage"))
        return
    try:
        async with unit_of_work(ctx) as session:
            checklist = await _open(session, update, ctx, t, args)
            await keep_draft(session, ctx, user.id, checklist.draft())
    except _Refused as refused:
        await message.reply_text(refused.text, parse_mode=ParseMode.HTML)
        return
    await message.reply_text(
        checklist_text(t, checklist),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(checklist_buttons(t, checklist)),
    )


async def _open(
    session: AsyncSession, update: Update, ctx: Ctx, t: Translator, args: list[str]
) -> Checklist:
    user = update.effective_user
    assert user is not None
    admins = ctx.settings.bot.admins
    number, rest = args[0], args[1:]
    day = next((a for a in rest if _DATE.match(a)), None)
    codes = [a for a in rest if a is not day]
    if len(codes) > 1:
        raise _Refused(t("meeting-usage"))
    member = await asker(session, update, ctx)
    if member is None or not await access.roots_of(session, member, admins):
        raise _Refused(t("meeting-not-secretary"))
    directive = await access.directive_for(session, user.id, number, admins)
    if directive is None:
        raise _Refused(t("directive-not-found", number=number))
    code = codes[0] if codes else None
    unit = await meetings.managed_unit(session, user.id, code, admins)
    if unit is None:
        key = "unit-not-yours" if code is not None else "meeting-which-unit"
        raise _Refused(t(key, code=code or "", number=directive.number))
    if not await meetings.sent_to(session, directive, unit):
        raise _Refused(t("meeting-not-sent", number=directive.number, unit=unit.name))
    today = ctx.rt.now().astimezone(ctx.settings.locale.tz).date()
    try:
        held_on = meetings.parse_held_on(day, today)
    except DraftError as error:
        raise _Refused(refusal(t, error)) from None
    roster = await meetings.unit_roster(session, unit.id)
    if not roster:
        raise _Refused(t("meeting-empty", unit=unit.name))
    return Checklist.open(
        secrets.token_hex(4),
        directive.id,
        directive.number,
        (unit.id, unit.code, unit.name),
        held_on,
        roster,
    )


@own_buttons("meeting-stale")
async def on_checklist(update: Update, ctx: Ctx) -> None:
    """Ticks, pages, Save and Cancel; the data is checked against the presser's own draft."""
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    t = translator(update, ctx)
    match = _BUTTON.match(query.data or "")
    draft = open_draft(ctx, KIND)
    if match is None or draft is None or match.group(1) != draft.serial:
        await query.answer(t("meeting-stale"))
        return
    checklist = Checklist.of(draft)
    action, arg = match.group(2), match.group(3)
    if action == "s":
        await _save(update, ctx, query, checklist, t)
        return
    if action == "x":
        async with unit_of_work(ctx) as session:
            await drop_draft(session, ctx, query.from_user.id, checklist.serial)
        await query.answer()
        await edit_pressed(query, t("meeting-cancelled"))
        return
    changed = arg is not None and (
        checklist.toggle(int(arg)) if action == "t" else checklist.show(int(arg))
    )
    if not changed:
        await query.answer(t("meeting-stale"))
        return
    async with unit_of_work(ctx) as session:
        await keep_draft(session, ctx, query.from_user.id, checklist.draft())
    await query.answer()
    await edit_pressed(
        query,
        checklist_text(t, checklist),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(checklist_buttons(t, checklist)),
    )


async def _save(
    update: Update, ctx: Ctx, query: CallbackQuery, checklist: Checklist, t: Translator
) -> None:
    async with unit_of_work(ctx) as session:
        # Taking the draft is the claim: a second Save (even one waiting on this transaction)
        # finds nothing and records nothing.
        taken = await drop_draft(session, ctx, query.from_user.id, checklist.serial)
        recorded = await _record(session, update, ctx, checklist) if taken else None
    if recorded is None:
        await query.answer(t("meeting-stale" if not taken else "meeting-refused"))
        if taken:
            await edit_pressed(query, t("meeting-refused"))
        return
    await query.answer()
    await edit_pressed(
        query,
        t(
            "meeting-saved" if recorded.kind == "studied" else "meeting-saved-received",
            date=checklist.held_on.strftime("%d/%m/%Y"),
            unit=checklist.unit_name,
            attendees=recorded.attendees,
            total=len(checklist.members),
            number=checklist.number,
        ),
    )


async def _record(
    session: AsyncSession, update: Update, ctx: Ctx, checklist: Checklist
) -> meetings.Recorded | None:
    """Record the meeting if the presser still manages the unit and the directive is still
    open for it (checked again: the draft may be old); None otherwise."""
    member = await asker(session, update, ctx)
    unit = await session.get(Unit, checklist.unit_id)
    directive = await session.get(Directive, checklist.directive_id)
    if member is None or unit is None or directive is None:
        return None
    if not await access.can_manage_unit(session, member, unit, ctx.settings.bot.admins):
        return None
    if not await meetings.sent_to(session, directive, unit):
        return None
    return await meetings.record_meeting(
        session,
        directive,
        unit,
        checklist.held_on,
        checklist.attendees,
        by=member,
        now=ctx.rt.now(),
    )


@names_in_private
async def mark_command(update: Update, ctx: Ctx) -> None:
    """/mark <number> <name or part of it>: the matching people of the asker's units, each with
    buttons to mark them received or studied."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = translator(update, ctx)
    args = list(ctx.args or [])
    if len(args) < 2:
        await message.reply_text(t("mark-usage"))
        return
    number, name = args[0], " ".join(args[1:])
    admins = ctx.settings.bot.admins
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        units = await _units_of(session, member, ctx)
        directive = await access.directive_for(session, user.id, number, admins) if units else None
        found = await meetings.find_members(session, units, name) if directive else []
    if not units:
        await message.reply_text(t("meeting-not-secretary"))
    elif directive is None:
        await message.reply_text(t("directive-not-found", number=number))
    elif not found:
        await message.reply_text(t("mark-no-match", name=name))
    else:
        buttons = mark_buttons(
            t, directive.id, directive.requires_study, [entry for entry, _unit in found]
        )
        await message.reply_text(
            t("mark-choose", number=directive.number), reply_markup=keyboard(buttons)
        )


async def _units_of(session: AsyncSession, member: Member | None, ctx: Ctx) -> list[Unit]:
    if member is None:
        return []
    return list(await access.managed_units(session, member, ctx.settings.bot.admins))


@own_buttons()
async def on_mark(update: Update, ctx: Ctx) -> None:
    """A /mark button: the member and the directive are checked again against the presser's
    own units (the data is only a hint)."""
    query = update.callback_query
    if query is None:
        return
    t = translator(update, ctx)
    match = _MARK.match(query.data or "")
    if match is None:
        await query.answer(t("press-invalid"))
        return
    kind = "studied" if match.group(3) == "s" else "received"
    async with unit_of_work(ctx) as session:
        member = await asker(session, update, ctx)
        directive = await session.get(Directive, int(match.group(1)))
        target = await session.get(Member, int(match.group(2)))
        units = await _units_of(session, member, ctx)
        unit = await meetings.member_in(session, target.id, units) if target else None
        allowed = (
            member is not None
            and directive is not None
            and target is not None
            and unit is not None
            and (kind == "received" or directive.requires_study)
            and await meetings.sent_to(session, directive, unit)
        )
        new = False
        if allowed:
            assert member is not None and directive is not None and target is not None
            new = await meetings.mark(
                session, directive, target.id, kind, by=member, now=ctx.rt.now()
            )
    if not allowed or directive is None or target is None:
        await query.answer(t("press-invalid"))
        return
    key = f"mark-done-{kind}" if new else "mark-already"
    await query.answer(t(key, name=target.full_name, number=directive.number))


def register(app: ChithiApp) -> None:
    app.add_handler(CommandHandler("meeting", meeting_command))
    app.add_handler(CommandHandler("mark", mark_command))
    app.add_handler(CallbackQueryHandler(on_checklist, pattern=rf"^{PREFIX}:"))
    app.add_handler(CallbackQueryHandler(on_mark, pattern=rf"^{MARK_PREFIX}:"))
