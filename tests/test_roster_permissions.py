"""Every command the roster issue added, for every role, inside and outside the actor's scope,
end to end through the sandbox on SQLite and PostgreSQL: the answer the person sees and what
the database holds afterwards (changed, and audited, exactly when the command was allowed).

Actors: a plain member, the deputy and the secretary of the cell BP-DX-01, the secretary of
its district BP-DX, an administrator (the admin role in another unit) and a configured
administrator (``[bot] admins``, on no list). "In scope" acts on BP-DX-01 (or on Vũ Kim Mai,
on its list); "out of scope" on BP-BL-01, a cell of another district (or on Trần Văn Bình,
on its list). Every case starts from the same state."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from bot.i18n import Translator
from storage import queries
from storage.models import (
    AuditEvent,
    Confirmation,
    DialogueDraft,
    Meeting,
    Member,
    Membership,
    Unit,
)
from tests.kit.harness import JSON, Harness, MakeHarness, buttons_of
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import Scene, build_scene

IN, OUT, SIBLING = "BP-DX-01", "BP-BL-01", "BP-DX-02"
MAI, BINH, NEW = "Vũ Kim Mai", "Trần Văn Bình", "Người Thêm Mới"
ACTORS = ("member", "deputy", "secretary", "district", "admin", "config")
D, R = True, False  # allowed (done) / refused


@dataclass(frozen=True)
class Case:
    """One command and, per actor (in ``ACTORS`` order), whether it is allowed."""

    command: str
    allowed: tuple[bool, ...]
    done: str  # how the answer of an allowed command starts
    refused: tuple[str, ...]  # text keys: the answer of a refused one is one of these
    writes: bool = True  # an allowed command changes the database (after ``press``)
    press: str | None = None  # then press the answer's button whose label starts so
    mai_role: str = "member"  # Mai's and Bình's role before the command
    code: str = ""  # the unit code the refusal names

    def __post_init__(self) -> None:
        assert len(self.allowed) == len(ACTORS)


NO_UNIT_ROSTER = NO_UNIT_JOIN = ("unit-not-yours",)
NOT_SECRETARY = "meeting-not-secretary"
ROLES = ("unit-not-yours", "roles-refused")
CASES = [
    # the roster in chat
    Case(f"/member_add {IN} {NEW}", (R, D, D, D, D, D), "✅ Đã thêm", NO_UNIT_ROSTER, code=IN),
    Case(f"/member_add {OUT} {NEW}", (R, R, R, R, D, D), "✅ Đã thêm", NO_UNIT_ROSTER, code=OUT),
    Case(
        f"/member_rename {IN} {MAI} | Vũ Kim Mây",
        (R, D, D, D, D, D),
        "✅ Đã sửa họ tên",
        NO_UNIT_ROSTER,
        code=IN,
    ),
    Case(
        f"/member_rename {OUT} {BINH} | Trần Văn Bính",
        (R, R, R, R, D, D),
        "✅ Đã sửa họ tên",
        NO_UNIT_ROSTER,
        code=OUT,
    ),
    # a cell's own officers have no second unit to move to; the district's secretary has
    Case(
        f"/member_move {IN} {SIBLING} {MAI}",
        (R, R, R, D, D, D),
        "✅ Đã chuyển",
        NO_UNIT_ROSTER,
        code=SIBLING,
    ),
    Case(
        f"/member_move {OUT} {IN} {BINH}",
        (R, R, R, R, D, D),
        "✅ Đã chuyển",
        NO_UNIT_ROSTER,
        code=OUT,
    ),
    Case(f"/member_remove {IN} {MAI}", (R, D, D, D, D, D), "✅ Đã đưa", NO_UNIT_ROSTER, code=IN),
    Case(f"/member_remove {OUT} {BINH}", (R, R, R, R, D, D), "✅ Đã đưa", NO_UNIT_ROSTER, code=OUT),
    # join links
    Case(f"/rotate_link {IN}", (R, D, D, D, D, D), "Đã thay đường liên kết", NO_UNIT_JOIN, code=IN),
    Case(
        f"/rotate_link {OUT}", (R, R, R, R, D, D), "Đã thay đường liên kết", NO_UNIT_JOIN, code=OUT
    ),
    Case(f"/join_approval {IN} off", (R, D, D, D, D, D), "Từ nay", NO_UNIT_JOIN, code=IN),
    Case(f"/join_approval {OUT} off", (R, R, R, R, D, D), "Từ nay", NO_UNIT_JOIN, code=OUT),
    # study at a meeting, saved; a confirmation on someone's behalf, pressed
    Case(
        f"/meeting {NUMBER} {IN}",
        (R, D, D, D, D, D),
        "📖 Học tập tại buổi sinh hoạt",
        (NOT_SECRETARY, "unit-not-yours"),
        press="💾 Lưu",
        code=IN,
    ),
    Case(
        f"/meeting {NUMBER} {OUT}",
        (R, R, R, R, D, D),
        "📖 Học tập tại buổi sinh hoạt",
        (NOT_SECRETARY, "unit-not-yours"),
        press="💾 Lưu",
        code=OUT,
    ),
    Case(
        f"/mark {NUMBER} {MAI}",
        (R, D, D, D, D, D),
        "Ghi nhận thay cho đồng chí nào",
        (NOT_SECRETARY, "mark-no-match"),
        press=f"✅ Đã nhận — {MAI}",
    ),
    Case(
        f"/mark {NUMBER} {BINH}",
        (R, R, R, R, D, D),
        "Ghi nhận thay cho đồng chí nào",
        (NOT_SECRETARY, "mark-no-match"),
        press=f"✅ Đã nhận — {BINH}",
    ),
    # roles: a secretary appoints deputies in their own unit only; secretaries and
    # administrators are made by administrators
    Case(f"/grant pho {IN} {MAI}", (R, R, D, R, D, D), "Đã giao", ROLES, code=IN),
    Case(f"/grant pho {OUT} {BINH}", (R, R, R, R, D, D), "Đã giao", ROLES, code=OUT),
    Case(f"/grant bithu {IN} {MAI}", (R, R, R, R, D, D), "Đã giao", ROLES, code=IN),
    Case(
        f"/revoke pho {IN} {MAI}",
        (R, R, D, R, D, D),
        "Đã thu hồi",
        ROLES,
        mai_role="deputy",
        code=IN,
    ),
    Case(
        f"/revoke pho {OUT} {BINH}",
        (R, R, R, R, D, D),
        "Đã thu hồi",
        ROLES,
        mai_role="deputy",
        code=OUT,
    ),
    # privacy: administrators erase (asked first: the question is the allowed answer); anyone
    # leaves only a unit whose list they are on
    Case(
        f"/forget {MAI}",
        (R, R, R, R, D, D),
        f"Xoá dữ liệu cá nhân của {MAI}",
        ("privacy-forget-refused",),
        writes=False,
    ),
    Case(
        f"/forget {BINH}",
        (R, R, R, R, D, D),
        f"Xoá dữ liệu cá nhân của {BINH}",
        ("privacy-forget-refused",),
        writes=False,
    ),
    Case(
        f"/leave {IN}",
        (D, D, D, R, R, R),
        "Rời Chi bộ trạm y tế 1?",
        ("privacy-leave-not-on", "privacy-leave-none"),
        writes=False,
        code=IN,
    ),
    Case(
        f"/leave {OUT}",
        (R, R, R, R, R, R),
        "Rời",
        ("privacy-leave-not-on", "privacy-leave-none"),
        writes=False,
        code=OUT,
    ),
]


def _plain(text: str) -> str:
    """A text as the person sees it: tags gone, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def _scene(h: Harness, config_admin: Any) -> tuple[Scene, dict[str, Any]]:
    scene = await build_scene(h)
    deputy = h.user("Phó", language="vi")
    async with h.db() as s:
        unit = await queries.unit_by_code(s, IN)
        assert unit is not None
        member = Member(telegram_id=deputy.id, full_name="Lâm Văn Phó", language="vi")
        s.add(member)
        await s.flush()
        s.add(Membership(member_id=member.id, unit_id=unit.id, role="deputy"))
    actors = {
        "member": scene.users["m1"],
        "deputy": deputy,
        "secretary": scene.users["sec_dx01"],
        "district": scene.users["sec_dx"],
        "admin": scene.users["admin"],
        "config": config_admin,
    }
    for user in actors.values():  # each opens the private chat
        await h.send(user, "/start")
    return scene, actors


async def _restore(h: Harness, scene: Scene, case: Case) -> None:
    """The same state before every case: Mai on BP-DX-01's list only and Bình on BP-BL-01's
    (their names, ``case.mai_role``), no one added, approval on, nothing confirmed."""
    await h.settle()
    async with h.db() as s:
        units = await queries.units_by_code(s, {IN, OUT})
        people = {
            MAI: await queries.member_by_telegram_id(s, scene.id("m3")),
            BINH: await queries.member_by_telegram_id(s, scene.id("m6")),
        }
        added = (await s.scalars(select(Member.id).where(Member.full_name == NEW))).all()
        await s.execute(delete(Membership).where(Membership.member_id.in_(added)))
        await s.execute(delete(Member).where(Member.id.in_(added)))
        await s.execute(delete(Confirmation))
        await s.execute(delete(Meeting))
        await s.execute(delete(DialogueDraft))
        for (name, person), code in zip(people.items(), (IN, OUT), strict=True):
            assert person is not None
            person.full_name = name
            await s.execute(delete(Membership).where(Membership.member_id == person.id))
            s.add(Membership(member_id=person.id, unit_id=units[code].id, role=case.mai_role))
        for unit in units.values():
            unit.join_approval = True


async def _state(h: Harness) -> tuple[Any, ...]:
    """What a command could change: people, lists and roles, join links, confirmations,
    meetings; and how many audit events there are."""
    async with h.db() as s:
        members = (await s.execute(select(Member.id, Member.full_name, Member.erased_at))).all()
        lists = (
            await s.execute(select(Membership.member_id, Membership.unit_id, Membership.role))
        ).all()
        units = (await s.execute(select(Unit.code, Unit.join_token, Unit.join_approval))).all()
        confirmations = (
            await s.execute(select(Confirmation.member_id, Confirmation.kind, Confirmation.how))
        ).all()
        meetings = await s.scalar(select(func.count()).select_from(Meeting))
        audited = await s.scalar(select(func.count()).select_from(AuditEvent))
    changed = (
        sorted(tuple(r) for r in members),
        sorted(tuple(r) for r in lists),
        sorted(tuple(r) for r in units),
        sorted(tuple(r) for r in confirmations),
        meetings,
    )
    return changed, audited


async def _run(h: Harness, user: Any, case: Case) -> tuple[str, str | None]:
    """Send the command; the first answer's text, and the toast or edit of ``case.press``
    pressed under it (if it has that button)."""
    before = len(h.bot_messages(user.id))
    await h.send(user, case.command, replies=0)
    await h.settle(lambda: len(h.bot_messages(user.id)) > before)
    answer: JSON = h.bot_messages(user.id)[before]
    followed = None
    if case.press is not None:
        data = [b["callback_data"] for b in buttons_of(answer) if b["text"].startswith(case.press)]
        if data:
            toast = await h.press(user, user.id, answer["message_id"], data[0])
            await h.settle()
            followed = str(toast.get("text") or h.bot_messages(user.id)[-1]["text"])
    return str(answer.get("text") or answer.get("caption") or ""), followed


MARK = "\x00"


def _refusals(t: Translator, case: Case) -> list[str]:
    """How each refusal of ``case`` starts: its text up to the first value other than the
    unit code (the code named may be either unit of a move)."""
    heads = []
    for key in case.refused:
        for code in {case.code, IN, OUT, SIBLING}:
            text = _plain(t(key, code=code, name=MARK, role=MARK, unit=MARK, number=MARK))
            heads.append(text.split(MARK)[0])
    assert all(len(head) > 15 for head in heads), heads
    return heads


def _check(
    t: Translator, case: Case, actor: str, allowed: bool, answer: str, before: Any, after: Any
) -> list[str]:
    """What is wrong with one case's outcome (nothing: [])."""
    wrong = []
    (state_before, audits_before), (state_after, audits_after) = before, after
    if allowed:
        if not answer.startswith(case.done):
            wrong.append(f"expected done, got {answer[:70]!r}")
        if case.writes and state_after == state_before:
            wrong.append("allowed but nothing changed")
        if case.writes and audits_after <= audits_before:
            wrong.append("allowed but not audited")
        if not case.writes and state_after != state_before:
            wrong.append("asking changed the database")
    else:
        if not any(answer.startswith(head) for head in _refusals(t, case)):
            wrong.append(f"expected a refusal, got {answer[:70]!r}")
        if (state_after, audits_after) != (state_before, audits_before):
            wrong.append("refused but the database changed")
    return [f"{actor}: {case.command!r}: {w}" for w in wrong]


async def test_each_new_command_by_each_role_in_and_out_of_scope(
    make_harness: MakeHarness, db_url: str, sandbox: Any
) -> None:
    config_admin = sandbox.create_user(first_name="Config", language_code="vi")
    async with make_harness(db_url=db_url, bot={"admins": [config_admin.id]}) as h:
        scene, actors = await _scene(h, config_admin)
        await publish_sample(h, scene)
        t = h.rt.texts.for_lang("vi")
        wrong: list[str] = []
        seen: set[tuple[str, bool]] = set()
        for case in CASES:
            for actor, allowed in zip(ACTORS, case.allowed, strict=True):
                await _restore(h, scene, case)
                before = await _state(h)
                answer, followed = await _run(h, actors[actor], case)
                after = await _state(h)
                wrong += _check(t, case, actor, allowed, answer, before, after)
                if allowed and case.press is not None and followed is None:
                    wrong.append(f"{actor}: {case.command!r}: no {case.press!r} button")
                seen.add((case.command.split()[0], allowed))
        assert wrong == []
        # Every command of the issue is here, allowed to someone and refused to someone.
        commands = {c for c, _ in seen}
        assert commands == {
            "/member_add",
            "/member_rename",
            "/member_move",
            "/member_remove",
            "/rotate_link",
            "/join_approval",
            "/meeting",
            "/mark",
            "/grant",
            "/revoke",
            "/forget",
            "/leave",
        }
        assert all((c, True) in seen and (c, False) in seen for c in commands)
