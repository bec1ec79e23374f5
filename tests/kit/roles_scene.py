"""A small province for the roles and privacy tests: the sample tree, one person per role, and
people to act on, stored under the sandbox users' ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from telegram import BotCommandScopeChat

from bot.services.tree import import_units
from storage import queries
from storage.models import AuditEvent, Confirmation, Directive, Member, Membership
from tests.kit.harness import Harness
from tests.kit.paths import SAMPLE

UNITS = (SAMPLE / "units.csv").read_text(encoding="utf-8")
CELL, OTHER_CELL, DISTRICT, DEPARTMENT = "BP-DX-01", "BP-DX-02", "BP-DX", "BP-BTG"


@dataclass
class Scene:
    """Sandbox users by role (``config`` is listed in ``[bot] admins`` and on no list) and the
    people acted on: ``target`` on the cell's list, ``outsider`` on another cell's."""

    users: dict[str, Any]
    target: Any
    outsider: Any


async def add_person(
    h: Harness,
    code: str,
    name: str,
    role: str = "member",
    *,
    user: Any = None,
    phone: str | None = None,
    card: str | None = None,
    born: date | None = None,
) -> int:
    """A roster entry on ``code``'s list (with ``user``'s Telegram id if given); its id."""
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        assert unit is not None
        member = await queries.member_by_telegram_id(s, user.id) if user is not None else None
        if member is None:
            member = Member(
                telegram_id=user.id if user is not None else None,
                full_name=name,
                username=getattr(user, "username", None),
                phone=phone,
                card_number=card,
                birth_date=born,
                language="vi",
            )
            s.add(member)
            await s.flush()
        s.add(Membership(member_id=member.id, unit_id=unit.id, role=role))
        return member.id


async def build(h: Harness, config_admin: Any) -> Scene:
    async with h.db() as s:
        await import_units(s, UNITS)
    users = {"config": config_admin}
    for role, code in (
        ("member", CELL),
        ("deputy", CELL),
        ("secretary", CELL),
        ("admin", DEPARTMENT),
    ):
        users[role] = h.user(role.capitalize())
        await add_person(h, code, f"Người {role}", role, user=users[role])
    target = h.user("Tâm", username="tam_tran")
    await add_person(h, CELL, "Trần Văn Tâm", user=target, phone="0912345678", card="123456")
    outsider = h.user("Hoa")
    await add_person(h, OTHER_CELL, "Lê Thị Hoa", user=outsider)
    for user in (*users.values(), target, outsider):  # each opens the private chat
        await h.send(user, "/start")
    return Scene(users, target, outsider)


async def role_of(h: Harness, user: Any, code: str) -> str | None:
    """``user``'s role on ``code``'s list, None if not on it."""
    await h.settle()
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        member = await queries.member_by_telegram_id(s, user.id)
        if unit is None or member is None:
            return None
        held = await queries.membership(s, member.id, unit.id)
        return held.role if held else None


async def set_role(h: Harness, user: Any, code: str, role: str | None) -> None:
    """Put ``user`` back on ``code``'s list with ``role`` (None: off it)."""
    async with h.db() as s:
        unit = await queries.unit_by_code(s, code)
        member = await queries.member_by_telegram_id(s, user.id)
        assert unit is not None and member is not None
        held = await queries.membership(s, member.id, unit.id)
        if role is None:
            if held is not None:
                await s.delete(held)
        elif held is None:
            s.add(Membership(member_id=member.id, unit_id=unit.id, role=role))
        else:
            held.role = role


async def menu(h: Harness, user: Any, lang: str | None = None) -> list[str]:
    """The commands the bot set for ``user``'s private chat (read back from the sandbox)."""
    await h.settle()
    scope = BotCommandScopeChat(user.id)
    return [c.command for c in await h.app.bot.get_my_commands(scope=scope, language_code=lang)]


async def audit(h: Harness, action: str) -> list[AuditEvent]:
    async with h.db() as s:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list((await s.scalars(stmt)).all())


async def confirm(h: Harness, member_id: int, number: str, kinds: tuple[str, ...]) -> None:
    """``member_id`` confirmed directive ``number`` (made if need be) as ``kinds``."""
    async with h.db() as s:
        directive = await s.scalar(select(Directive).where(Directive.number == number))
        if directive is None:
            directive = Directive(number=number, title=f"Văn bản {number}", issuer="Tỉnh ủy")
            s.add(directive)
            await s.flush()
        at = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
        for kind in kinds:
            s.add(Confirmation(directive_id=directive.id, member_id=member_id, kind=kind, at=at))


async def pressed(h: Harness, user: Any, message: dict[str, Any], data: str) -> dict[str, Any]:
    """Press ``data`` under ``message`` and return that message once the bot has edited it."""
    before = message["text"]
    await h.press(user, user.id, message["message_id"], data)

    def current() -> dict[str, Any]:
        return next(m for m in h.bot_messages(user.id) if m["message_id"] == message["message_id"])

    await h.settle(lambda: current()["text"] != before)
    return current()


def button_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
