"""Every figure is over the unit's roster: people on the list count whether or not they use
Telegram. Counters on posts, /pending's three lists (in Vietnamese order), summaries,
reminders' summaries and escalations as delivered."""

from __future__ import annotations

from typing import Any

from bot.i18n import Texts
from bot.services import reminder_text
from bot.services.names import folded, sort_names, vietnamese_sort_key
from bot.services.pending import PendingReport, UnitPending
from bot.services.pending_text import render_pages
from bot.services.reminder_scope import member_scope
from bot.services.reminder_text import When
from bot.services.tg_text import html_len
from storage.models import Directive
from tests.kit.harness import MakeHarness, buttons_of
from tests.kit.publishing import NUMBER, post_in, publish_sample
from tests.kit.reminders import (
    Inbox,
    draft,
    fast_harness,
    local,
    naive,
    publish_as,
    start_private,
    tick,
)
from tests.kit.roster import CELL, twenty_in_the_cell
from tests.kit.scene import build_scene


def test_names_sort_by_given_name_in_vietnamese_order() -> None:
    names = ["Nguyễn Văn Ân", "Trần Thị Anh", "Lê Văn Bình", "Phạm Đức", "Hoàng Văn Dũng"]
    names.append("Vũ Thị Ánh")
    # ICU vi: a < á < ă < â (tone before the letter's own diacritic); given name first
    assert sort_names(names) == [
        "Trần Thị Anh",
        "Vũ Thị Ánh",
        "Nguyễn Văn Ân",
        "Lê Văn Bình",
        "Hoàng Văn Dũng",
        "Phạm Đức",
    ]
    assert sort_names(["Lê Đạt", "Lê Duy", "Lê Dung"]) == ["Lê Dung", "Lê Duy", "Lê Đạt"]
    assert sort_names(["Ngô Ưng", "Trần Uy", "Lê Văn"]) == ["Trần Uy", "Ngô Ưng", "Lê Văn"]
    assert sort_names(["Đặng Thị Yến", "Bùi Thị Yến"]) == ["Bùi Thị Yến", "Đặng Thị Yến"]
    assert sorted(["Đức", "Dung"]) == ["Dung", "Đức"] and sorted(["Ư", "V"]) == ["V", "Ư"]
    assert isinstance(vietnamese_sort_key("Nguyễn Văn An"), bytes)
    assert folded("Lê Đức Ưng") == "le duc ung"


async def _tap(h: Any, user: Any, message: dict[str, Any], label: str) -> dict[str, Any]:
    [data] = [b["callback_data"] for b in buttons_of(message) if b["text"].startswith(label)]
    return await h.press(user, user.id, message["message_id"], data)


async def test_counters_pending_and_summaries_count_the_whole_roster(
    make_harness: MakeHarness, db_url: str
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene = await build_scene(h)
        await twenty_in_the_cell(h, scene)  # 20 on the list, 5 of them use Telegram
        directive_id = await publish_sample(h, scene)
        cell = scene.groups[CELL].id
        post = post_in(h, cell)
        assert post["text"].endswith("Đã nhận 0/20 · Đã học 0/20")

        await h.press(scene.users["m1"], cell, post["message_id"], f"c:{directive_id}:r")
        await h.press(scene.users["m2"], cell, post["message_id"], f"c:{directive_id}:s")
        secretary = scene.users["sec_dx01"]
        [choice] = await h.send(secretary, f"/mark {NUMBER} le duy")
        assert choice["text"] == f"Ghi nhận thay cho đồng chí nào (văn bản {NUMBER})?"
        answer = await _tap(h, secretary, choice, "✅ Đã nhận — Lê Duy")
        assert answer["text"] == f"✅ Đã ghi nhận thay: đồng chí Lê Duy đã nhận văn bản {NUMBER}."
        await h.settle(lambda: post_in(h, cell)["text"].endswith("Đã nhận 3/20 · Đã học 1/20"))

        [reply] = await h.send(secretary, f"/pending {NUMBER}")
        lines = reply["text"].splitlines()
        assert "⏳ Chi bộ trạm y tế 1 (BP-DX-01): nhận 3/20 · học 1/20" in lines
        assert "   Chưa nhận (3): Trịnh Văn An, Vũ Kim Mai, Đặng Thị Yến" in lines
        assert "   Đã nhận, chưa học tập (2): Lê Duy, Phan Minh Tuấn" in lines
        not_using = [
            "Lý Văn Anh",
            "Trần Thị Anh",
            "Vũ Thị Ánh",
            "Nguyễn Văn Ân",
            "Lê Văn Bình",
            "Đinh Văn Dung",
            "Hoàng Văn Dũng",
            "Phạm Đức",
            "Mai Thị Hà",
            "Cao Văn Hải",
            "Tô Thị Ơn",
            "Trần Văn Uy",
            "Ngô Thị Ưng",
            "Bùi Thị Yến",
        ]
        expected = "   Chưa sử dụng Chithi, cần liên hệ trực tiếp (14): " + ", ".join(not_using)
        assert expected in lines
        assert "Lý Thanh Dung" not in reply["text"]  # studied: on no list

        # The secretary's summary: the whole roster, those not using the bot apart.
        async with h.db() as s:
            scope = await member_scope(s, directive_id, "study_by")
            directive = await s.get(Directive, directive_id)
        [unit] = [u for u in scope.units.values() if u.code == CELL]
        assert (unit.total, unit.done) == (20, 1)
        assert unit.pending == ["Trịnh Văn An", "Vũ Kim Mai", "Phan Minh Tuấn", "Đặng Thị Yến"]
        assert unit.offline == sort_names([*not_using, "Lê Duy"])
        assert directive is not None
        t = h.rt.texts.for_lang("vi")
        text = reminder_text.unit_summary(t, directive, "study_by", unit, When("x", "y"))["text"]
        assert isinstance(text, str)
        head, names, offline = text.splitlines()
        assert "còn 19/20 chưa học tập" in head
        assert names == "Chưa xác nhận: Trịnh Văn An, Vũ Kim Mai, Phan Minh Tuấn, Đặng Thị Yến"
        assert offline.startswith("Chưa sử dụng Chithi, cần liên hệ trực tiếp hoặc qua điện")
        assert offline.endswith(": " + ", ".join(sort_names([*not_using, "Lê Duy"])))


def test_pending_pages_fit_with_long_lists_of_people_not_using_the_bot() -> None:
    units = []
    for u in range(20):
        offline = [f"Đặng Thị Ngườ𝕚{u:02d}x{i:03d}" for i in range(120)]  # astral: 2 units each
        units.append(
            UnitPending(
                code=f"C{u:02d}",
                name=f"Chi bộ {u}",
                depth=1,
                total=125,
                missing_received=[f"Lê Văn A{u:02d}"],
                missing_studied=[f"Lê Văn B{u:02d}"],
                not_using=offline,
            )
        )
    directive = Directive(number="CT-2022/TU", title="Chỉ thị", requires_study=True)
    pages = render_pages(Texts().for_lang("vi"), PendingReport(directive, units))
    assert len(pages) > 5
    assert all(html_len(p) <= 4096 for p in pages)  # Telegram's limit, in its units
    everything = "\n".join(pages)
    for unit in units:
        for name in [*unit.not_using, *unit.missing_received, *unit.missing_studied]:
            assert everything.count(name) == 1
    assert everything.count("Chưa sử dụng Chithi, cần liên hệ trực tiếp (120)") == 20


async def test_reminders_summaries_and_escalations_count_the_whole_roster(
    sandbox: Any, db_url: str, clock: Any
) -> None:
    """Through the reminder tick and the outbox to the sandbox: the cell's secretary's summary
    and the district secretary's escalation are over the 20 on the cell's list (15 of them
    without Telegram), the names not using the bot listed apart."""
    async with fast_harness(sandbox, db_url, clock) as h:
        scene = await build_scene(h)
        await twenty_in_the_cell(h, scene)
        await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1", "m2")
        inbox = Inbox(h, scene)
        number = "45-CV/HU"
        directive_id = await publish_as(h, scene, draft(number, study_by=naive("20/01/2027 17:00")))
        m2 = scene.users["m2"]
        await h.press(m2, m2.id, h.bot_messages(m2.id)[-1]["message_id"], f"c:{directive_id}:s")
        inbox.take()

        h.rt.clock.now = local("17/01/2027 17:00")  # type: ignore[attr-defined]
        await tick(h)
        [summary, *_] = inbox.take()["sec_dx01"]
        head, pending, offline = summary.splitlines()
        assert head.startswith(f"📋 Chi bộ trạm y tế 1: còn 19/20 chưa học tập văn bản {number}.")
        assert pending == ("Chưa xác nhận: Trịnh Văn An, Vũ Kim Mai, Phan Minh Tuấn, Đặng Thị Yến")
        names = offline.split(": ", 1)[1].split(", ")
        assert len(names) == 15 and names == sort_names(names)
        assert offline.startswith("Chưa sử dụng Chithi, cần liên hệ trực tiếp")

        h.rt.clock.now = local("20/01/2027 17:00")  # type: ignore[attr-defined]
        await tick(h)
        escalation = inbox.take()["sec_dx"][-1]
        assert escalation.startswith(f"🚨 Đã quá hạn học tập văn bản {number}")
        assert "• Chi bộ trạm y tế 1 (BP-DX-01): 1/20 (5%)" in escalation.splitlines()
        overall = inbox.last("admin")["text"]
        assert "toàn bộ 1/24 người đã học tập (4%)" in overall  # 20 + BP-DX's 4 outside it
