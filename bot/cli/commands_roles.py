"""``chithi roles grant|revoke ROLE UNIT PERSON``, ``chithi roles list [UNIT]`` and
``chithi roles menus``: the same role changes as ``/grant`` and ``/revoke``, by the operator.

With a bot token configured, the person's command menu follows the change (as in chat);
``roles menus`` gives every deputy, secretary and administrator who uses the bot their menu
once (after an upgrade, or a roster import that named secretaries), paced well under
Telegram's limits. Members need nothing: the default menu is theirs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.runtime import utc_now
from bot.services import access, roles
from bot.services.roles import Actor, Asked
from storage import queries
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import Member, Membership, Unit

MENU_PAUSE_SECONDS = 0.2  # between two people's menus (two calls each): 10 calls a second


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser("roles", help="give and take roles (deputy, secretary, admin)")
    cmd_sub = cmd.add_subparsers(dest="roles_command", metavar="ACTION")
    cmd_sub.required = True
    for op in ("grant", "revoke"):
        change = cmd_sub.add_parser(op, help=f"{op} a role in a unit")
        change.add_argument("role", help="deputy, secretary or admin (or pho, bithu, quantri)")
        change.add_argument("unit", help="the unit's code")
        change.add_argument(
            "person", nargs="+", help="full name, phone, @username, Telegram id or #entry id"
        )
        change.set_defaults(handler=_change, op=op)
    listing = cmd_sub.add_parser("list", help="who holds which role (in a unit's sub-tree)")
    listing.add_argument("unit", nargs="?", help="a unit's code (default: the whole tree)")
    listing.set_defaults(handler=_list)
    menus = cmd_sub.add_parser("menus", help="set every manager's command menu once")
    menus.set_defaults(handler=_menus)


async def _change(args: argparse.Namespace, settings: Settings) -> int:
    texts = Texts(settings.locale.default_language)
    t = texts.for_lang(None)
    role = roles.role_named(args.role)
    if role is None:
        print(t("roles-cli-bad-role", role=args.role), file=sys.stderr)
        return 2
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            unit = await queries.unit_by_code(session, args.unit)
            outcome = await roles.ask(
                session, Actor(None), args.op, role, unit, " ".join(args.person), utc_now()
            )
    finally:
        await engine.dispose()
    if outcome.status is Asked.CHOOSE:
        print(t("roles-cli-choose"), file=sys.stderr)
        for m in outcome.candidates:
            print(f"  #{m.id}  {m.full_name}  {m.phone or ''}", file=sys.stderr)
        return 1
    if outcome.status in (Asked.NO_UNIT, Asked.NO_PERSON):
        key = "roles-cli-no-unit" if outcome.status is Asked.NO_UNIT else "roles-cli-no-person"
        print(t(key, code=args.unit), file=sys.stderr)
        return 1
    assert outcome.person is not None and outcome.unit is not None
    print(
        t(
            f"roles-cli-{args.op}-{outcome.status.value}",
            role=t(f"role-{role}"),
            code=outcome.unit.code,
            name=outcome.person.full_name,
        )
    )
    if outcome.menu is not None and settings.bot.has_token:
        await _set_menus(settings, texts, [outcome.menu])
    return 0


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    t = Texts(settings.locale.default_language).for_lang(None)
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            if args.unit:
                root = await queries.unit_by_code(session, args.unit)
                if root is None:
                    print(t("roles-cli-no-unit", code=args.unit), file=sys.stderr)
                    return 1
                roots = [root]
            else:
                roots = list(await session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
            found = await roles.holders(session, roots)
    finally:
        await engine.dispose()
    for h in found:
        print(_holder_line(t, h))
    print(t("roles-cli-count", count=len(found)))
    return 0


def _holder_line(t: Translator, h: roles.RoleHolder) -> str:
    who = f"@{h.member.username}" if h.member.username else str(h.member.telegram_id or "-")
    return f"{h.unit.code}\t{t(f'role-{h.role}')}\t#{h.member.id}\t{h.member.full_name}\t{who}"


async def _menus(args: argparse.Namespace, settings: Settings) -> int:
    texts = Texts(settings.locale.default_language)
    t = texts.for_lang(None)
    if not settings.bot.has_token:
        print(t("roles-cli-no-token"), file=sys.stderr)
        return 2
    await upgrade(settings.database.url)
    engine = create_engine(settings.database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            stmt = (
                select(Member)
                .join(Membership, Membership.member_id == Member.id)
                .where(
                    Membership.role.in_(access.MANAGING_ROLES),
                    Member.telegram_id.is_not(None),
                    Member.private_chat.is_(True),
                )
                .distinct()
            )
            people = list((await session.scalars(stmt)).all())
            admins = settings.bot.admins
            menus = [(m.chat_id, await roles.menu_role(session, m, admins)) for m in people]
    finally:
        await engine.dispose()
    done = await _set_menus(settings, texts, menus)
    print(t("roles-cli-menus", done=done, count=len(menus)))
    return 0


async def _set_menus(settings: Settings, texts: Texts, menus: list[tuple[int, str]]) -> int:
    from telegram import Bot

    from handlers.menus import set_menu

    done = 0
    async with Bot(settings.bot.token.get_secret_value(), base_url=settings.bot.base_url) as bot:
        for i, (telegram_id, role) in enumerate(menus):
            if i:
                await asyncio.sleep(MENU_PAUSE_SECONDS)
            done += await set_menu(bot, texts, telegram_id, role)
    return done
