"""Forwarding down (issue 13, item 1) end to end: the scene of the letters. The province
publishes 1208-CV/BTGTU; the Hớn Quản district secretary forwards it from chat as 1539-CV/HU
with a cover note to its cells; members there press once on the forwarded post and are
counted for both; the roll-up of the original counts them once and shows the district's
document; a later deadline and a unit outside the secretary's sub-tree are refused; a
directive that must reach every cell names the districts that have not forwarded it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import exports
from bot.services import forward as fw
from bot.services.buttons import confirm_data
from bot.services.drafts import DraftError, read_directive_file
from bot.services.publish import publish
from bot.services.rollup import rollup
from bot.services.stats_text import unforwarded_line
from bot.services.tree import import_members, import_units
from storage import queries
from storage.models import Chat, Confirmation, Delivery, Directive
from tests.kit.harness import FakeClock, Harness, MakeHarness, buttons_of
from tests.kit.lifecycle import button, edits_per_message
from tests.kit.paths import SAMPLE
from tests.kit.reminders import local

ORIGINAL = "1208-CV/BTGTU"
OWN = "1539-CV/HU"
COVER = "Thường trực Huyện ủy đề nghị các chi bộ trực thuộc quán triệt Công văn 1208-CV/BTGTU."

# (key, name, unit, role)
PEOPLE = [
    ("admin", "Lê Ngọc Nhung", "BP-BTG", "admin"),
    ("sec_hq", "Nguyễn Văn Hùng", "BP-HQ", "secretary"),
    ("sec_dx", "Hoàng Mỹ Trang", "BP-DX", "secretary"),
    ("h1", "Phan Minh Tuấn", "BP-HQ-01", "member"),
    ("h2", "Lý Thanh Dung", "BP-HQ-01", "member"),
    ("h3", "Đỗ Xuân Hải", "BP-HQ-02", "member"),
]
GROUPS = ["BP-HQ-01", "BP-HQ-02"]


@pytest.fixture
async def h(make_harness: MakeHarness, db_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with make_harness(db_url=db_url) as harness:
        yield harness


async def _scene(h: Harness) -> dict[str, Any]:
    users: dict[str, Any] = {}
    for key, name, _unit, _role in PEOPLE:
        users[key] = h.user(name.rpartition(" ")[2], last_name=None, language="vi")
    rows = ["telegram_id,full_name,username,unit_code,role,language"]
    rows += [f"{users[k].id},{n},,{u},{r},vi" for k, n, u, r in PEOPLE]
    async with h.db() as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with h.db() as s:
        await import_members(s, "\n".join(rows) + "\n")
    for code in GROUPS:
        group = h.group(f"Nhóm {code}")
        users[code] = group
        for key, _n, unit, _r in PEOPLE:
            if unit == code:
                h.sandbox.add_chat_member(group.id, users[key].id)
        h.sandbox.add_chat_member(group.id, users["sec_hq"].id, status="administrator")
        h.sandbox.add_bot_to_chat(group.id, h.token, by_user_id=users["sec_hq"].id)
        async with h.db() as s:
            unit = await queries.unit_by_code(s, code)
            assert unit is not None
            s.add(Chat(telegram_id=group.id, type=group.type, title=group.title, unit_id=unit.id))
    await h.settle()
    return users


def _letter(number: str) -> Any:
    return next(d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == number)


async def _publish(h: Harness, users: dict[str, Any], draft: Any, who: str = "admin") -> int:
    async with h.db() as s:
        publisher = await queries.member_by_telegram_id(s, users[who].id)
        result = await publish(
            s,
            draft,
            publisher=publisher,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
            reminder_settings=h.settings.reminders,
        )
        directive_id = result.directive.id
    await h.outbox_idle()
    return directive_id


async def _post(h: Harness, directive_id: int, chat_id: int) -> int:
    """The message id of the directive's post (its last part: the one with the buttons)."""
    async with h.db() as s:
        rows = await s.scalars(
            select(Delivery.message_id)
            .where(
                Delivery.directive_id == directive_id,
                Delivery.target_telegram_id == chat_id,
                Delivery.kind == "post",
            )
            .order_by(Delivery.id)
        )
        return int(list(rows)[-1] or 0)


def _press_data(msg: dict[str, Any], action: str) -> str:
    return next(
        b["callback_data"] for b in buttons_of(msg) if b["callback_data"].endswith(f":{action}")
    )


async def _tap(h: Harness, user: Any, msg: dict[str, Any], action: str, replies: int = 1) -> list:
    chat = user.id
    before = len(h.bot_messages(chat))
    await h.press(user, chat, msg["message_id"], _press_data(msg, action))
    await h.settle(lambda: len(h.bot_messages(chat)) >= before + replies)
    return h.bot_messages(chat)[before:]


async def test_the_letters_scene_forward_from_chat_one_press_counts_once(h: Harness) -> None:
    users = await _scene(h)
    sec = users["sec_hq"]
    for key in ("sec_hq", "h3"):
        await h.send(users[key], "/start")
    original_id = await _publish(h, users, _letter(ORIGINAL))

    # Another district's secretary cannot carry it into Hớn Quản; a number never received is
    # not found.
    [start] = await h.send(sec, "/forward 9999-CV/XX")
    assert start["text"].startswith("⚠️ Không tìm thấy văn bản số 9999-CV/XX")

    [usage] = await h.send(sec, "/forward")
    assert usage["text"].startswith("Cách dùng: /forward <số hiệu>")

    # The secretary's private copy carries "Chuyển tiếp"; a plain member's does not.
    copy = [m for m in h.bot_messages(sec.id) if m.get("reply_markup")][-1]
    labels = [b["text"] for b in buttons_of(copy)]
    assert "📨 Chuyển tiếp" in labels
    plain = [m for m in h.bot_messages(users["h3"].id) if m.get("reply_markup")][-1]
    assert "📨 Chuyển tiếp" not in [b["text"] for b in buttons_of(plain)]
    before = len(h.bot_messages(sec.id))
    await h.press(sec, sec.id, copy["message_id"], f"fwd:{original_id}")
    await h.settle(lambda: len(h.bot_messages(sec.id)) > before)
    [ask] = h.bot_messages(sec.id)[before:]
    assert f"Chuyển tiếp văn bản số {ORIGINAL} xuống Huyện ủy Hớn Quản" in ask["text"]
    assert "Số hiệu văn bản của đơn vị" in ask["text"]
    [ask] = await h.send(sec, OWN)
    assert "Nội dung công văn chuyển tiếp" in ask["text"]
    [ask] = await h.send(sec, COVER)
    assert "Gửi đến đơn vị nào?" in ask["text"] and "BP-HQ (Huyện ủy Hớn Quản)" in ask["text"]

    # A unit outside the secretary's sub-tree is refused, the question asked again.
    [ask] = await h.send(sec, "BP-DX-01")
    assert ask["text"].startswith(
        '⚠️ Đồng chí chỉ được gửi đến các đơn vị mình phụ trách; "BP-DX-01" nằm ngoài.'
    )
    assert "Gửi đến đơn vị nào?" in ask["text"]
    [ask] = await _tap(h, sec, ask, "all")
    assert "Hạn nhận của đơn vị đồng chí (không muộn hơn 20/02/2027 17:00)" in ask["text"]

    # A deadline later than the original's is refused with what the latest may be.
    [ask] = await h.send(sec, "25/02/2027 17:00")
    assert ask["text"].startswith(
        "⚠️ Hạn xác nhận đã nhận (receive_by): 25/02/2027 17:00 muộn hơn hạn của văn bản gốc"
        f" số {ORIGINAL} (20/02/2027 17:00). Xin đặt hạn không muộn hơn 20/02/2027 17:00."
    )
    [ask] = await h.send(sec, "18/02/2027 17:00")
    assert "Hạn học tập" in ask["text"]
    replies = await _tap(h, sec, ask, "keep", replies=2)
    preview, note = replies[0], replies[-1]
    assert COVER in preview["text"]
    assert f"Văn bản gửi kèm: số {ORIGINAL}" in preview["text"]
    assert "trang Tự hào Bình Phước" in preview["text"]  # the original's own text
    assert "Gửi đến: BP-HQ" in note["text"]
    done = (await _tap(h, sec, note, "go"))[0]
    assert done["text"].startswith(f"✅ Đã ban hành văn bản {OWN} chuyển tiếp văn bản {ORIGINAL}")
    await h.outbox_idle()

    async with h.db() as s:
        mine = (await s.scalars(select(Directive).where(Directive.number == OWN))).one()
        hq = await queries.unit_by_code(s, "BP-HQ")
        assert hq is not None
        assert (mine.parent_id, mine.issuer_unit_id, mine.issuer) == (
            original_id,
            hq.id,
            "Huyện ủy Hớn Quản",
        )
        assert mine.receive_by is not None and mine.receive_by.replace(tzinfo=None) == local(
            "18/02/2027 17:00"
        ).replace(tzinfo=None)
        assert mine.study_by is not None and mine.study_by.replace(tzinfo=None) == local(
            "01/03/2027 17:00"
        ).replace(tzinfo=None)
        forwarded_id = mine.id

    # Members read the cover letter with the original in their group, and press once.
    group = users["BP-HQ-01"].id
    post = await _post(h, forwarded_id, group)
    shown = next(m for m in h.bot_messages(group) if m["message_id"] == post)
    assert COVER in shown["text"] and f"Văn bản gửi kèm: số {ORIGINAL}" in shown["text"]
    for key in ("h1", "h2"):
        await h.press(users[key], group, post, confirm_data(forwarded_id, "studied"))
    await h.press(
        users["h3"],
        users["BP-HQ-02"].id,
        await _post(h, forwarded_id, users["BP-HQ-02"].id),
        confirm_data(forwarded_id, "received"),
    )
    # h1 also presses the original's post in the same group: still counted once.
    await h.press(
        users["h1"],
        group,
        await _post(h, original_id, group),
        confirm_data(original_id, "received"),
    )

    async with h.db() as s:
        got = {(c.directive_id, c.member_id, c.kind) for c in await s.scalars(select(Confirmation))}
        ids = {
            k: (await queries.member_by_telegram_id(s, users[k].id)).id for k in ("h1", "h2", "h3")
        }  # type: ignore[union-attr]
        for key in ("h1", "h2"):
            for directive_id in (original_id, forwarded_id):
                assert (directive_id, ids[key], "received") in got
                assert (directive_id, ids[key], "studied") in got
        assert (original_id, ids["h3"], "received") in got
        assert (original_id, ids["h3"], "studied") not in got
        original = await s.get(Directive, original_id)
        province = await queries.unit_by_code(s, "BP")
        assert original is not None and province is not None
        figures = await rollup(s, original, province, h.rt.now())
        assert (figures.root.received, figures.root.studied, figures.root.forwarded) == (3, 2, 1)
        by_code = {f.code: f for f in figures.units.values()}
        assert (by_code["BP-HQ"].received, by_code["BP-HQ"].forwarded) == (3, 1)
        assert by_code["BP-HQ-01"].studied == 2
        assert by_code["BP-DX"].forwarded == 0

    # /stats on the original, asked in chat: each member once, the district's document named.
    [stats] = await h.send(users["admin"], f"/stats {ORIGINAL}")
    text = stats["text"]
    assert "đã nhận 3 (" in text and "đã học tập 2 (" in text, text
    assert "văn bản triển khai: 1" in text
    assert f"Văn bản triển khai đã ban hành: {OWN} (Huyện ủy Hớn Quản)" in text
    hq_line = next(line for line in text.splitlines() if "(BP-HQ)" in line)
    assert "văn bản 1" in hq_line
    [stats] = await h.send(sec, f"/stats {ORIGINAL}")
    assert stats["text"].splitlines()[2] == "Huyện ủy Hớn Quản (BP-HQ)"
    assert f"Văn bản triển khai đã ban hành: {OWN} (Huyện ủy Hớn Quản)" in stats["text"]


async def test_forwarding_rules_on_every_path(h: Harness) -> None:
    """The TOML path obeys the same rule (a later deadline refused, nothing written); a
    secretary cannot forward a directive to a unit outside their sub-tree; a directive that
    must reach every cell lists the districts that have not forwarded it yet."""
    users = await _scene(h)
    original = dataclasses.replace(_letter(ORIGINAL), depth="cell")
    original_id = await _publish(h, users, original)
    late = dataclasses.replace(_letter(OWN), study_by=original.study_by.replace(day=2))  # type: ignore[union-attr]
    with pytest.raises(DraftError) as refused:
        await _publish(h, users, late, who="sec_hq")
    assert refused.value.key == "forward-deadline-late"
    outside = dataclasses.replace(_letter(OWN), targets=["BP-DX"])
    with pytest.raises(DraftError) as refused:
        await _publish(h, users, outside, who="sec_hq")
    assert refused.value.key == "publish-outside-subtree"
    async with h.db() as s:
        assert (await s.scalars(select(Directive).where(Directive.number == OWN))).all() == []
        d = await s.get(Directive, original_id)
        assert d is not None
        before = [u.code for u in await fw.unforwarded(s, d)]
    assert "BP-HQ" in before and "BP-DX" in before and "BP" not in before

    await _publish(h, users, _letter(OWN), who="sec_hq")
    async with h.db() as s:
        d = await s.get(Directive, original_id)
        assert d is not None
        after = [u.code for u in await fw.unforwarded(s, d)]
        line = unforwarded_line(h.rt.texts.for_lang("vi"), await fw.unforwarded(s, d))
    assert after == [c for c in before if c != "BP-HQ"]
    assert line is not None and line.startswith("Chưa chuyển tiếp xuống chi bộ: BP-DX (")


WARD, WARD_CELL, WARD_OWN = "BP-HQ-TH", "BP-HQ-TH-01", "25-CV/ĐU"


async def _ward(h: Harness, users: dict[str, Any]) -> None:
    """A commune's party committee under Hớn Quản with one cell: a fourth level."""
    async with h.db() as s:
        await import_units(
            s,
            "code,parent_code,name,kind\n"
            f"{WARD},BP-HQ,Đảng ủy xã Tân Hưng,commune\n"
            f"{WARD_CELL},{WARD},Chi bộ ấp 1,cell\n",
        )
    for key, name in (("sec_th", "Trần Văn Lộc"), ("t1", "Vương Thị Hoa")):
        users[key] = h.user(name.rpartition(" ")[2], last_name=None, language="vi")
    rows = [
        "telegram_id,full_name,username,unit_code,role,language",
        f"{users['sec_th'].id},Trần Văn Lộc,,{WARD},secretary,vi",
        f"{users['t1'].id},Vương Thị Hoa,,{WARD_CELL},member,vi",
    ]
    async with h.db() as s:
        await import_members(s, "\n".join(rows) + "\n")


async def test_every_level_s_document_counts_and_stats_names_who_has_not_forwarded(
    h: Harness,
) -> None:
    """Province → district → commune → cell: the commune forwards the district's document;
    one press there counts for all three; /stats on the original names both documents and
    counts them at every level; while the directive (``depth = "cell"``) has not been carried
    down, /stats names the branches still to forward it."""
    users = await _scene(h)
    await _ward(h, users)
    await h.send(users["t1"], "/start")
    original_id = await _publish(h, users, dataclasses.replace(_letter(ORIGINAL), depth="cell"))

    [stats] = await h.send(users["sec_hq"], f"/stats {ORIGINAL}")
    assert (
        "Chưa chuyển tiếp xuống chi bộ: BP-HQ (Huyện ủy Hớn Quản), "
        f"{WARD} (Đảng ủy xã Tân Hưng)" in stats["text"]
    ), stats["text"]
    [stats] = await h.send(users["admin"], f"/stats {ORIGINAL}")
    assert "Chưa chuyển tiếp xuống chi bộ: BP-DX (Thành ủy Đồng Xoài), " in stats["text"]
    assert "… và 7 đơn vị khác" in stats["text"]  # 12 branches: five named, the rest counted

    district_id = await _publish(h, users, _letter(OWN), who="sec_hq")
    ward = dataclasses.replace(
        _letter(OWN),
        number=WARD_OWN,
        issuer="Đảng ủy xã Tân Hưng",
        issuer_unit=WARD,
        targets=[WARD],
        forwards=OWN,
        body="Đảng ủy xã đề nghị các chi bộ quán triệt Công văn 1539-CV/HU (gửi kèm).",
    )
    ward_id = await _publish(h, users, ward, who="sec_th")

    # The commune's member reads the commune's cover note with the district's, presses once.
    t1 = users["t1"]
    copy = next(m for m in h.bot_messages(t1.id) if confirm_data(ward_id, "studied") in str(m))
    await h.press(t1, t1.id, copy["message_id"], confirm_data(ward_id, "studied"))
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, t1.id)
        assert member is not None
        got = {
            (c.directive_id, c.kind)
            for c in await s.scalars(
                select(Confirmation).where(Confirmation.member_id == member.id)
            )
        }
        assert got == {
            (d, k) for d in (original_id, district_id, ward_id) for k in ("received", "studied")
        }
        original = await s.get(Directive, original_id)
        province = await queries.unit_by_code(s, "BP")
        assert original is not None and province is not None
        figures = await rollup(s, original, province, h.rt.now())
        by_code = {f.code: f for f in figures.units.values()}
        assert (figures.root.forwarded, by_code["BP-HQ"].forwarded) == (2, 2)
        assert (by_code[WARD].forwarded, by_code[WARD].studied, by_code["BP-HQ"].studied) == (
            1,
            1,
            1,
        )
        left = [u.code for u in await fw.unforwarded(s, original)]
        assert "BP-HQ" not in left and WARD not in left and "BP-DX" in left
        # The export's summary sheet: the same figures, level by level.
        data = await exports.collect(
            s,
            [original],
            [province],
            h.rt.now(),
            h.settings.locale.tz,
            h.rt.texts.for_lang("vi"),
            ORIGINAL,
        )
        forwarded = data.summary.header.index("Văn bản triển khai")
        studied = data.summary.header.index("Đã học tập")
        rows = {row[2]: row for row in data.summary.rows}
        assert [rows[c][forwarded] for c in ("BP", "BP-HQ", WARD, "BP-DX")] == [2, 2, 1, 0]
        assert [rows[c][studied] for c in ("BP", "BP-HQ", WARD, WARD_CELL)] == [1, 1, 1, 1]

    [stats] = await h.send(users["admin"], f"/stats {ORIGINAL}")
    assert (
        f"Văn bản triển khai đã ban hành: {OWN} (Huyện ủy Hớn Quản), "
        f"{WARD_OWN} (Đảng ủy xã Tân Hưng)" in stats["text"]
    ), stats["text"]
    assert "văn bản triển khai: 2" in stats["text"]
    [stats] = await h.send(users["sec_hq"], f"/stats {ORIGINAL}")
    assert "Chưa chuyển tiếp" not in stats["text"]
    ward_line = next(line for line in stats["text"].splitlines() if f"({WARD})" in line)
    assert "văn bản 1" in ward_line


QUIZ = [
    {
        "question": "Công văn đề nghị tham gia trang nào?",
        "options": ["Tự hào Bình Phước", "Trang khác"],
        "answer": 0,
    }
]


async def _studied(h: Harness, user: Any) -> set[int]:
    """The directives ``user`` is recorded as having studied."""
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, user.id)
        assert member is not None
        rows = await s.scalars(
            select(Confirmation.directive_id).where(
                Confirmation.member_id == member.id, Confirmation.kind == "studied"
            )
        )
        return set(rows)


async def test_questions_and_a_secretary_s_mark_on_the_forwarded_document_count_for_both(
    h: Harness,
) -> None:
    """The province's letter asks for its questions to be answered: forwarded from chat, the
    district's document asks the same ones; a press on it proves nothing until they are
    answered, then counts for both; a secretary's /mark on it counts for both too."""
    users = await _scene(h)
    sec = users["sec_hq"]
    for key in ("sec_hq", "h1"):
        await h.send(users[key], "/start")
    original = dataclasses.replace(_letter(ORIGINAL), quiz=QUIZ, pass_mark=1)
    original_id = await _publish(h, users, original)

    [ask] = await h.send(sec, f"/forward {ORIGINAL}")
    assert "Số hiệu văn bản của đơn vị" in ask["text"]
    await h.send(sec, OWN)
    [ask] = await h.send(sec, COVER)
    [ask] = await _tap(h, sec, ask, "all")
    [ask] = await _tap(h, sec, ask, "keep")
    note = (await _tap(h, sec, ask, "keep", replies=2))[-1]
    await _tap(h, sec, note, "go")
    await h.outbox_idle()
    async with h.db() as s:
        mine = (await s.scalars(select(Directive).where(Directive.number == OWN))).one()
        assert (mine.quiz, mine.pass_mark) == (QUIZ, 1)  # the original's proof goes down
        forwarded_id = mine.id

    # A press on the district's post opens the questions: nothing studied yet.
    h1, group = users["h1"], users["BP-HQ-01"].id
    post = await _post(h, forwarded_id, group)
    toast = await h.press(h1, group, post, confirm_data(forwarded_id, "studied"))
    assert "Câu hỏi đã được gửi tới đồng chí" in str(toast.get("text"))
    assert await _studied(h, h1) == set()
    await h.settle(lambda: any("câu 1/1" in m.get("text", "") for m in h.bot_messages(h1.id)))
    question = next(m for m in h.bot_messages(h1.id) if "câu 1/1" in m.get("text", ""))
    right = buttons_of(question)[0]["callback_data"]
    await h.press(h1, h1.id, question["message_id"], right)
    await h.settle(
        lambda: bool(h.bot_messages(h1.id)) and "✅" in h.bot_messages(h1.id)[-1].get("text", "")
    )
    assert await _studied(h, h1) == {forwarded_id, original_id}

    # A document forwarding it without the questions (a TOML file): a bare press there is
    # studied for that document only; the province's letter still wants its answers.
    bare = dataclasses.replace(
        _letter(OWN), number="1540-CV/HU", targets=["BP-HQ-02"], quiz=[], pass_mark=None
    )
    bare_id = await _publish(h, users, bare, who="sec_hq")
    h3, other = users["h3"], users["BP-HQ-02"].id
    await h.press(h3, other, await _post(h, bare_id, other), confirm_data(bare_id, "studied"))
    assert await _studied(h, h3) == {bare_id}

    # The district's secretary marks a member of another cell as having studied it.
    [choose] = await h.send(sec, f"/mark {OWN} Hải")
    studied = next(b for b in buttons_of(choose) if b["text"].startswith("📖"))
    toast = await h.press(sec, sec.id, choose["message_id"], studied["callback_data"])
    assert toast["text"] == (f"📖 Đã ghi nhận thay: đồng chí Đỗ Xuân Hải đã học tập văn bản {OWN}.")
    assert await _studied(h, h3) == {bare_id, forwarded_id, original_id}

    async with h.db() as s:
        d = await s.get(Directive, original_id)
        province = await queries.unit_by_code(s, "BP")
        assert d is not None and province is not None
        figures = await rollup(s, d, province, h.rt.now())
    assert figures.root.studied == 2
    assert (figures.root.studied_by["press"], figures.root.studied_by["behalf"]) == (1, 1)


async def test_amending_the_original_redraws_the_documents_that_carry_it_once(h: Harness) -> None:
    users = await _scene(h)
    original_id = await _publish(h, users, _letter(ORIGINAL))
    forwarded_id = await _publish(h, users, _letter(OWN), who="sec_hq")
    group = users["BP-HQ-01"].id
    carried = await _post(h, forwarded_id, group)
    own_post = await _post(h, original_id, group)
    since = len(h.sandbox.calls)

    admin = users["admin"]
    [menu] = await h.send(admin, f"/amend {ORIGINAL}")
    await h.press(admin, admin.id, menu["message_id"], button(menu, ":body"))
    await h.settle(lambda: "Xin gửi toàn bộ nội dung" in h.bot_messages(admin.id)[-1]["text"])
    [menu] = await h.send(admin, "Đề nghị tham gia trang Tự hào Bình Phước trước ngày 15/02/2027.")
    await h.press(admin, admin.id, menu["message_id"], button(menu, ":go"))
    await h.outbox_idle()

    edits = edits_per_message(h, since)
    assert (edits[(group, carried)], edits[(group, own_post)]) == (1, 1)
    shown = next(m for m in h.bot_messages(group) if m["message_id"] == carried)
    assert f"Văn bản gửi kèm số {ORIGINAL} đã sửa đổi ngày" in shown["text"]
    assert "trước ngày 15/02/2027" in shown["text"]  # the amended text it carries
    assert "Thường trực Huyện ủy đề nghị các cơ quan" in shown["text"]  # its own cover note
    assert [b["text"] for b in buttons_of(shown)][:2] == ["✅ Đã nhận", "📖 Đã học tập"]
