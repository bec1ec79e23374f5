"""/stats: a directive's completion at a unit and its child units, worst first, with drill
down/up buttons; the open directives of a sub-tree; refusals. End to end through the sandbox
with known confirmations (SQLite and PostgreSQL), and the page bound with 300 child units."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.i18n import Texts
from bot.services.buttons import stats_view_data
from bot.services.rollup import Figures, Rollup, rollup, totals
from bot.services.stats import StatsView
from bot.services.stats_text import render_view
from bot.services.tg_text import html_len
from bot.services.tree import import_units
from storage import queries
from storage.db import SessionFactory, transaction
from storage.models import Confirmation, Directive, DirectiveTarget, Member, Membership, Unit
from tests.kit.harness import JSON, Harness, MakeHarness, buttons_of
from tests.kit.paths import SAMPLE
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import Scene, build_scene

INVALID = "Nút này không còn hợp lệ."
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def confirm_known(h: Harness, scene: Scene, directive_id: int) -> None:
    """BP-DX-01 (4 people): 3 received, 2 studied (m1 in the app, m2 at a meeting);
    BP-DX-02 (2): m4 received; BP-BL-01 (1): m6 received and studied (recorded on behalf)."""
    plan = {
        "m1": [("received", "press"), ("studied", "press")],
        "m2": [("received", "press"), ("studied", "meeting")],
        "m3": [("received", "press")],
        "m4": [("received", "press")],
        "m6": [("received", "press"), ("studied", "behalf")],
    }
    async with h.db() as s:
        for key, rows in plan.items():
            member = await queries.member_by_telegram_id(s, scene.id(key))
            assert member is not None
            s.add_all(
                Confirmation(
                    directive_id=directive_id, member_id=member.id, kind=k, how=how, at=NOW
                )
                for k, how in rows
            )


def button(message: JSON, prefix: str) -> str:
    [data] = [b["callback_data"] for b in buttons_of(message) if b["text"].startswith(prefix)]
    return str(data)


async def press_and_read(h: Harness, user: object, message: JSON, data: str) -> JSON:
    chat = message["chat"]["id"]
    toast = await h.press(user, chat, message["message_id"], data)
    assert toast.get("text") in (None, ""), toast
    await h.settle()  # the answer comes before the edit
    [now] = [m for m in h.bot_messages(chat) if m["message_id"] == message["message_id"]]
    return now


async def test_stats_figures_drill_down_and_up(make_harness: MakeHarness, db_url: str) -> None:
    async with make_harness(db_url=db_url) as h:
        scene = await build_scene(h)
        directive_id = await publish_sample(h, scene)
        await confirm_known(h, scene, directive_id)
        admin = scene.users["admin"]

        [top] = await h.send(admin, f"/stats {NUMBER}")
        text = top["text"]
        assert text.startswith(f"📊 Kết quả thực hiện — {NUMBER}")
        assert "Tỉnh ủy Bình Phước (BP)\n" in text
        assert "10 người · đã nhận 5 (50%) · đã học tập 3 (30%)" in text
        assert "Học tập: tại hội nghị 1 · trên ứng dụng 1 · bí thư ghi nhận hộ 1" in text
        lines = text.splitlines()
        children = lines[lines.index("Đơn vị trực thuộc (thấp nhất trước):") + 1 :]
        assert children[0].startswith("1. Ban Tuyên giáo Tỉnh ủy (BP-BTG) — 1 người · nhận 0%")
        assert children[1].startswith(
            "2. Thành ủy Đồng Xoài (BP-DX) — 8 người · nhận 50% · học 25% (hội nghị 1, ứng dụng 1)"
        )
        assert children[2].startswith(
            "3. Thị ủy Bình Long (BP-BL) — 1 người · nhận 100% · học 100% (hội nghị 0, ứng dụng 1)"
        )
        assert "12. Huyện ủy Hớn Quản (BP-HQ) — chưa có ai trong danh sách" in text
        assert len(children) == 12  # eleven districts and the department, one line each

        # Drill into Đồng Xoài, then back up.
        down = await press_and_read(h, admin, top, button(top, "Thành ủy Đồng Xoài"))
        text = down["text"]
        assert "Thành ủy Đồng Xoài (BP-DX)\n8 người · đã nhận 4 (50%) · đã học tập 2 (25%)" in text
        assert "Chi bộ trạm y tế 1 (BP-DX-01) — 4 người · nhận 75% · học 50%" in text
        assert "Chi bộ ấp 2 (BP-DX-02) — 2 người · nhận 50% · học 0%" in text
        assert text.index("(BP-DX-02)") < text.index("(BP-DX-01)") < text.index("(BP-DX-04)")
        up = button(down, "⬆️ Lên Tỉnh ủy Bình Phước")
        back = await press_and_read(h, admin, down, up)
        assert "10 người · đã nhận 5 (50%) · đã học tập 3 (30%)" in back["text"]

        # The district's secretary starts at the district and cannot go above it.
        sec = scene.users["sec_dx"]
        [mine] = await h.send(sec, f"/stats {NUMBER}")
        assert "Thành ủy Đồng Xoài (BP-DX)\n8 người" in mine["text"]
        assert not [b for b in buttons_of(mine) if b["text"].startswith("⬆️")]
        [cell] = await h.send(sec, f"/stats {NUMBER} BP-DX-01")
        assert (
            "Chi bộ trạm y tế 1 (BP-DX-01)\n4 người · đã nhận 3 (75%) · đã học tập 2 (50%)"
            in (cell["text"])
        )
        assert "Đơn vị này không có đơn vị trực thuộc." in cell["text"]
        assert button(cell, "⬆️ Lên Thành ủy Đồng Xoài")

        # Without a number: the open directives of the sub-tree, a button for each.
        [listing] = await h.send(sec, "/stats")
        assert listing["text"].startswith("📊 Văn bản đang mở — Thành ủy Đồng Xoài (BP-DX)")
        assert f"• {NUMBER} — " in listing["text"]
        assert "nhận 50% · học 25% (8 người)" in listing["text"]
        opened = await press_and_read(h, sec, listing, button(listing, NUMBER))
        assert "Thành ủy Đồng Xoài (BP-DX)\n8 người" in opened["text"]


async def test_stats_refusals(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    directive_id = await publish_sample(h, scene)
    sec_dx01 = scene.users["sec_dx01"]
    # Another unit's sub-tree and a unit that does not exist: one answer.
    [other] = await h.send(sec_dx01, f"/stats {NUMBER} BP-DX")
    [unknown] = await h.send(sec_dx01, f"/stats {NUMBER} BP-XX")
    assert other["text"].replace("BP-DX", "BP-XX") == unknown["text"]
    assert other["text"].startswith('Không có đơn vị mã "BP-DX" trong các đơn vị đồng chí')
    [no_number] = await h.send(sec_dx01, "/stats 9999-XX")
    assert no_number["text"].startswith("Không tìm thấy văn bản số 9999-XX.")
    [member] = await h.send(scene.users["m1"], f"/stats {NUMBER}")
    assert member["text"] == "Lệnh /stats dành cho bí thư, phó bí thư và quản trị viên."

    # A forged drill into the district above: refused, the message unchanged.
    [mine] = await h.send(sec_dx01, f"/stats {NUMBER}")
    async with h.db() as s:
        district = await queries.unit_by_code(s, "BP-DX")
        assert district is not None
    forged = stats_view_data(directive_id, district.id)
    query = h.sandbox.press_button(
        h.token, sec_dx01.id, sec_dx01.id, mine["message_id"], forged, forged=True
    )
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[query]["text"] == INVALID
    [still] = [m for m in h.bot_messages(sec_dx01.id) if m["message_id"] == mine["message_id"]]
    assert still["text"] == mine["text"]
    # Asked in a group (figures only, so answered there), the secretary's buttons are pressed
    # by a member: the presser's own rights are checked, nothing is sent.
    group = scene.groups["BP-DX-01"]
    [shared] = await h.send(scene.users["sec_dx"], f"/stats {NUMBER}", chat_id=group.id)
    assert "Thành ủy Đồng Xoài (BP-DX)\n" in shared["text"]
    before = len(h.bot_messages(group.id))
    toast = await h.press(
        scene.users["m1"], group.id, shared["message_id"], button(shared, "📊 Biểu đồ")
    )
    assert toast["text"] == INVALID
    await h.settle()
    assert len(h.bot_messages(group.id)) == before


def test_a_page_fits_with_300_child_units() -> None:
    t = Texts().for_lang("vi")
    directive = Directive(id=1, number="23-CT/TU", title="Chỉ thị " * 40, requires_study=True)
    root = Figures(1, "P", "Tỉnh ủy", "/1/", 0, None, members=60_000)
    units = {1: root}
    for i in range(300):
        f = Figures(
            i + 2,
            f"P-{i:03d}-" + "X" * 24,
            "Đảng bộ xã " + "Đông Hưng Thuận " * 6 + str(i),
            f"/1/{i + 2}/",
            1,
            1,
            members=200,
            received=200 - i % 200,
            studied=150 - i % 150,
        )
        f.studied_by.update(press=100, meeting=50)
        f.reports_owed, f.reports_done, f.forwarded = 12, 11, 3
        units[f.unit_id] = f
    view = StatsView(Rollup(directive, root, units), Unit(id=1, code="P", name="Tỉnh ủy"), None)
    seen = 0
    pages = render_view(t, view, 0).pages
    assert pages >= 15  # at most 20 lines a page, fewer when long lines would not fit
    for page in range(pages):
        shown = render_view(t, view, page)
        assert html_len(shown.text) <= 4096
        seen += len(shown.children)
    assert seen == 300
    first = render_view(t, view, 0)
    assert f"… và {300 - len(first.children)} đơn vị khác" in first.text
    assert (
        first.text.endswith(f"Trang 1/{pages}") and first.children[0].unit_id == 151
    )  # 1 of 200 studied
    last = render_view(t, view, 99)  # a page past the end: the last
    assert last.text.endswith(f"Trang {pages}/{pages}") and "đơn vị khác" not in last.text


async def test_totals_match_the_rollup_root(sessions: SessionFactory) -> None:
    """The /stats list's per-directive figures are those of the roll-up (SQLite, PostgreSQL)."""
    async with transaction(sessions) as s:
        await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with transaction(sessions) as s:
        units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
        people = [Member(full_name=f"Người {i}") for i in range(12)]
        s.add_all(people)
        await s.flush()
        home = ["BP-DX-01"] * 5 + ["BP-DX-02"] * 3 + ["BP-BL-01"] * 4
        s.add_all(
            Membership(member_id=m.id, unit_id=units[c].id)
            for m, c in zip(people, home, strict=True)
        )
        s.add(Membership(member_id=people[0].id, unit_id=units["BP-DX"].id))  # in two units
        one = Directive(number="1-CV/T", title="a", issuer="i", body="")
        two = Directive(number="2-CV/T", title="b", issuer="i", body="", requires_study=False)
        s.add_all([one, two])
        await s.flush()
        s.add_all(
            [
                DirectiveTarget(directive_id=one.id, unit_id=units["BP"].id),
                DirectiveTarget(directive_id=one.id, unit_id=units["BP-DX"].id),  # overlapping
                DirectiveTarget(directive_id=two.id, unit_id=units["BP-DX-02"].id),
            ]
        )
        s.add_all(
            Confirmation(directive_id=one.id, member_id=m.id, kind="received", at=NOW)
            for m in people[::2]
        )
        s.add_all(
            Confirmation(directive_id=one.id, member_id=m.id, kind="studied", at=NOW)
            for m in people[:4]
        )
        s.add_all(
            Confirmation(directive_id=two.id, member_id=m.id, kind="received", at=NOW)
            for m in people[5:7]
        )
        await s.flush()
        for code in ("BP", "BP-DX", "BP-BL-01"):
            found = await totals(s, [one.id, two.id], units[code])
            for d in (one, two):
                r = (await rollup(s, d, units[code], NOW)).root
                assert (found[d.id].members, found[d.id].received, found[d.id].studied) == (
                    r.members,
                    r.received,
                    r.studied,
                ), (code, d.number)
        dx = await totals(s, [one.id, two.id], units["BP-DX"])
        assert (dx[one.id].members, dx[one.id].received, dx[one.id].studied) == (8, 4, 4)
        assert (dx[two.id].members, dx[two.id].received) == (3, 2)
        assert await totals(s, [], units["BP"]) == {}
