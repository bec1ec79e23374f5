"""Periodic reports: quarterly over a year gives four deadlines per unit, each with its
reminders and escalation; a secretary's /report closes only their unit's cycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from storage import queries
from storage.models import Membership, ReportCycle, Unit
from tests.kit.harness import Harness
from tests.kit.reminders import (
    Inbox,
    draft,
    fast_harness,
    local,
    naive,
    next_due,
    publish_as,
    shown,
    start_private,
    tick,
)
from tests.kit.scene import Scene, build_scene

NUMBER = "12-KH/TU"
UNITS = ["BP-DX", "BP-DX-01", "BP-DX-02", "BP-DX-03", "BP-DX-04", "BP-DX-05"]


@pytest.fixture
async def h(sandbox: Any, sqlite_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, sqlite_url, clock) as harness:
        yield harness


def quarterly(**fields: Any) -> Any:
    return draft(
        NUMBER,
        kind="KH",
        title="Kế hoạch thực hiện Chỉ thị về mạng xã hội",
        requires_study=False,
        report_by=naive("31/03/2027 17:00"),
        report_every="quarter",
        **fields,
    )


async def walk_until(h: Harness, moment: datetime) -> None:
    """Tick at every reminder time up to ``moment`` (the clock jumps from one to the next)."""
    while (due := await next_due(h)) is not None and due <= moment:
        h.rt.clock.now = due  # type: ignore[attr-defined]
        await tick(h)
    h.rt.clock.now = moment  # type: ignore[attr-defined]


async def cycles(h: Harness) -> dict[str, list[tuple[int, str, bool]]]:
    async with h.db() as s:
        rows = await s.execute(
            select(Unit.code, ReportCycle.cycle, ReportCycle.due_at, ReportCycle.submitted_at)
            .join(Unit, Unit.id == ReportCycle.unit_id)
            .order_by(Unit.code, ReportCycle.cycle)
        )
        found: dict[str, list[tuple[int, str, bool]]] = {}
        for code, cycle, due, submitted in rows:
            found.setdefault(code, []).append((cycle, shown(due), submitted is not None))
        return found


async def report(h: Harness, scene: Scene, who: str, text: str) -> str:
    [reply] = await h.send(scene.users[who], text)
    return str(reply["text"])


async def test_quarterly_reports_over_a_year(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1")
    await publish_as(h, scene, quarterly())
    inbox = Inbox(h, scene)
    assert await cycles(h) == {code: [(0, "31/03/2027 17:00", False)] for code in UNITS}

    assert (await report(h, scene, "m1", f"/report {NUMBER} xong")).startswith(
        "Chỉ bí thư (người phụ trách) của đơn vị mới nộp được báo cáo."
    )
    assert (await report(h, scene, "sec_dx01", f"/report {NUMBER}")).startswith(
        "Chưa có nội dung báo cáo."
    )
    assert await report(
        h, scene, "sec_dx01", f"/report {NUMBER} Chi bộ đã học tập 4/4 đảng viên.\nĐạt 100%."
    ) == (
        f"✅ Đã nhận báo cáo kỳ 1 (hạn 17:00 Thứ Tư, 31/03/2027) của Chi bộ trạm y tế 1 "
        f"về văn bản {NUMBER}. Cảm ơn!"
    )
    found = await cycles(h)
    assert found["BP-DX-01"] == [(0, "31/03/2027 17:00", True)]
    assert all(not done for code in UNITS[:1] + UNITS[2:] for _, _, done in found[code])
    async with h.db() as s:
        text = await s.scalar(select(ReportCycle.text).where(ReportCycle.submitted_at.is_not(None)))
    assert text == "Chi bộ đã học tập 4/4 đảng viên.\nĐạt 100%."
    inbox.take()

    # The first quarter: reminders to the units that have not reported, then the escalation.
    await walk_until(h, local("31/03/2027 17:00"))
    got = inbox.take()
    assert sorted(got) == ["admin", "sec_dx"]
    assert [t.split("\n")[0] for t in got["sec_dx"]] == [
        f"📝 Thành ủy Đồng Xoài chưa nộp báo cáo kỳ 1 về Kế hoạch số {NUMBER}."
    ] * 3 + [
        f"🚨 Đã quá hạn báo cáo kỳ 1 văn bản {NUMBER} (17:00 Thứ Tư, 31/03/2027). "
        "Các đơn vị trực thuộc Thành ủy Đồng Xoài chưa nộp đủ báo cáo (số đơn vị đã nộp):"
    ]
    assert got["sec_dx"][-1].split("\n")[1:] == [
        "• Chi bộ ấp 2 (BP-DX-02): 0/1 (0%)",
        "• Chi bộ cơ quan UBND 3 (BP-DX-03): 0/1 (0%)",
        "• Chi bộ khu phố 4 (BP-DX-04): 0/1 (0%)",
        "• Chi bộ trạm y tế 5 (BP-DX-05): 0/1 (0%)",
    ]
    assert got["admin"] == [
        f"📊 Hết hạn báo cáo kỳ 1 văn bản {NUMBER} (17:00 Thứ Tư, 31/03/2027): "
        "1/6 đơn vị đã nộp báo cáo (16%)."
    ]
    # The second quarter opened; a document captioned /report closes it for BP-DX-01 only.
    found = await cycles(h)
    assert all(rows[-1][:2] == (1, "30/06/2027 17:00") for rows in found.values())
    sec = scene.users["sec_dx01"]
    h.sandbox.send_document(
        h.token, sec.id, b"%PDF-1.4 bao cao", "bao-cao-quy-2.pdf", caption=f"/report {NUMBER}"
    )
    await h.settle(lambda: len(h.bot_messages(sec.id)) == inbox.seen["sec_dx01"] + 1)
    assert inbox.take()["sec_dx01"] == [
        f"✅ Đã nhận báo cáo kỳ 2 (hạn 17:00 Thứ Tư, 30/06/2027) của Chi bộ trạm y tế 1 "
        f"về văn bản {NUMBER}. Cảm ơn!"
    ]

    await walk_until(h, local("31/12/2027 23:59"))
    found = await cycles(h)
    expected = ["31/03/2027 17:00", "30/06/2027 17:00", "30/09/2027 17:00", "31/12/2027 17:00"]
    for code in UNITS:
        in_2027 = [due for _, due, _ in found[code] if due.endswith("2027 17:00")]
        assert in_2027 == expected, code
        assert found[code][-1][:2] == (4, "31/03/2028 17:00")  # next year's first quarter
    submitted = {(code, c) for code, rows in found.items() for c, _, done in rows if done}
    assert submitted == {("BP-DX-01", 0), ("BP-DX-01", 1)}
    async with h.db() as s:
        doc = await s.scalar(
            select(ReportCycle.document_name).where(
                ReportCycle.cycle == 1, ReportCycle.document_file_id.is_not(None)
            )
        )
    assert doc == "bao-cao-quy-2.pdf"

    got = inbox.take()
    marks = {key: [t[:1] for t in texts] for key, texts in got.items()}
    assert marks["sec_dx"] == (["📝"] * 3 + ["🚨"]) * 3  # quarters 2, 3 and 4
    assert marks["sec_dx01"] == ["📝"] * 6  # quarters 3 and 4; quarter 2 was reported
    assert marks["admin"] == ["📊"] * 3
    assert "BP-DX-01" not in got["sec_dx"][3]  # reported in quarter 2
    assert "• Chi bộ trạm y tế 1 (BP-DX-01): 0/1 (0%)" in got["sec_dx"][7]


async def test_a_late_report_fills_the_oldest_open_cycle_and_a_secretary_picks_the_unit(
    h: Harness,
) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "sec_dx", "admin")
    await publish_as(h, scene, quarterly())
    async with h.db() as s:
        member = await queries.member_by_telegram_id(s, scene.id("sec_dx"))
        dx02 = await queries.unit_by_code(s, "BP-DX-02")
        assert member is not None and dx02 is not None
        s.add(Membership(member_id=member.id, unit_id=dx02.id, role="secretary"))
    assert await report(h, scene, "sec_dx", f"/report {NUMBER} Đã học tập") == (
        "Đồng chí phụ trách nhiều đơn vị (BP-DX, BP-DX-02). Xin ghi rõ mã đơn vị: "
        f"/report {NUMBER} MÃ-ĐƠN-VỊ nội dung."
    )
    assert (await report(h, scene, "admin", f"/report {NUMBER} ok")).startswith(
        f"Văn bản {NUMBER} không yêu cầu đơn vị đồng chí phụ trách nộp báo cáo."
    )
    assert (await report(h, scene, "sec_dx", "/report 9-XX ok")).startswith(
        "Không tìm thấy văn bản số 9-XX."
    )
    await walk_until(h, local("01/04/2027 09:00"))  # quarter 1 passed unreported
    reply = await report(h, scene, "sec_dx", f"/report {NUMBER} bp-dx-02 Báo cáo quý 1")
    assert reply == (
        f"✅ Đã nhận báo cáo kỳ 1 của Chi bộ ấp 2 về văn bản {NUMBER} "
        "(nộp sau hạn 17:00 Thứ Tư, 31/03/2027). Cảm ơn!"
    )
    reply = await report(h, scene, "sec_dx", f"/report {NUMBER} BP-DX-02 Báo cáo quý 2")
    assert reply.startswith("✅ Đã nhận báo cáo kỳ 2 (hạn 17:00 Thứ Tư, 30/06/2027)")
    reply = await report(h, scene, "sec_dx", f"/report {NUMBER} BP-DX-02 Quý 2, bản sửa")
    assert reply == f"✅ Đã cập nhật báo cáo kỳ 2 của Chi bộ ấp 2 về văn bản {NUMBER}."
    found = await cycles(h)
    assert [done for _, _, done in found["BP-DX-02"]] == [True, True]
    assert [done for _, _, done in found["BP-DX"]] == [False, False]
