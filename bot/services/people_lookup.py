"""Finding a person named in a command (/grant, /revoke, /forget, ``chithi roles``, the roster
commands /member_rename|move|remove, a meeting's /mark): the one lookup of a typed person.

A Vietnamese secretary names a person the way they know them: by name as it stands on the
unit's list ("Nguyễn Thị Lan", or part of it, with or without accents), by phone number
("0912 345 678"), by party card number, by Telegram @username, or (an operator) by Telegram id
or ``#<entry id>``.
Only people on the lists of the units given (the asker's scope) are found, so a lookup tells
nobody about people outside it; erased entries are never found.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.names import folded, vietnamese_sort_key
from bot.services.phones import normalise_phone
from storage import queries
from storage.models import Member, Membership, Unit

MAX_CANDIDATES = 8  # an ambiguous name is answered with at most this many to choose from


fold = folded  # names are compared the one way (bot.services.names)


def phone_forms(text: str) -> list[str]:
    """The stored form of a typed phone number (as ``bot.services.phones`` keeps them); none if
    ``text`` is not a phone number."""
    phone = normalise_phone(text)
    return [phone] if phone else []


async def find_people(
    session: AsyncSession,
    ref: str,
    roots: Sequence[Unit],
    limit: int = MAX_CANDIDATES,
    *,
    subtree: bool = True,
    whole_name: bool = False,
) -> list[Member]:
    """The people on the lists of ``roots`` (and every unit under them; only ``roots``' own
    lists with ``subtree`` False) whom ``ref`` names, best match first: an exact name (with its
    accents as typed, if several fold alike) before names containing ``ref`` (Vietnamese order;
    none with ``whole_name``). At most ``limit``."""
    ref = " ".join(ref.split())
    if not ref or not roots:
        return []
    in_scope: Select[Any] = select(Membership.member_id)
    if subtree:
        in_scope = in_scope.join(Unit, Unit.id == Membership.unit_id).where(
            queries.in_subtrees(roots)
        )
    else:
        in_scope = in_scope.where(Membership.unit_id.in_([u.id for u in roots]))
    base = select(Member).where(Member.id.in_(in_scope), Member.erased_at.is_(None))
    if ref.startswith("#") and ref[1:].isdigit():
        return list((await session.scalars(base.where(Member.id == int(ref[1:])))).all())
    if ref.startswith("@") and len(ref) > 1:
        stmt = base.where(func.lower(Member.username) == ref[1:].lower()).limit(limit)
        return list((await session.scalars(stmt)).all())
    if any(c.isdigit() for c in ref):  # names hold no digits: a phone, card or Telegram id
        phones = phone_forms(ref)
        matches: list[ColumnElement[bool]] = [Member.card_number == ref]
        if phones:
            matches.append(Member.phone.in_(phones))
        if ref.isdigit():
            matches.append(Member.telegram_id == int(ref))
        stmt = base.where(or_(*matches)).order_by(Member.id).limit(limit)
        return list((await session.scalars(stmt)).all())
    return await _by_name(session, ref, in_scope, limit, whole_name)


async def _by_name(
    session: AsyncSession, ref: str, in_scope: Select[Any], limit: int, whole_name: bool
) -> list[Member]:
    # Accents and case are compared in Python: SQLite's lower() knows only ASCII. Only ids and
    # names are read, so even a province-wide scope stays a light query.
    wanted = fold(ref)
    stmt = select(Member.id, Member.full_name).where(
        Member.id.in_(in_scope), Member.erased_at.is_(None)
    )
    as_typed = _as_typed(ref)
    exact: list[tuple[str, int]] = []
    partial: list[tuple[str, int]] = []
    for member_id, name in (await session.execute(stmt)).all():
        folded = fold(name)
        if folded == wanted:
            exact.append((name, member_id))
        elif wanted in folded and not whole_name:
            partial.append((name, member_id))
    # "Lê Thị Hòa" typed with its accents names Hòa, not also Hoa.
    exact = [e for e in exact if _as_typed(e[0]) == as_typed] or exact
    ranked = sorted(exact, key=_order) or sorted(partial, key=_order)
    ids = [member_id for _name, member_id in ranked][:limit]
    if not ids:
        return []
    members = (await session.scalars(select(Member).where(Member.id.in_(ids[:limit])))).all()
    order = {member_id: i for i, member_id in enumerate(ids)}
    return sorted(members, key=lambda m: order[m.id])


def _as_typed(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _order(entry: tuple[str, int]) -> tuple[bytes, int]:
    return (vietnamese_sort_key(entry[0]), entry[1])
