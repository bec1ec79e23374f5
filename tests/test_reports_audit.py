"""/reports <number>: the units that submitted the current cycle (text, or the file sent again)
and those that did not; /audit and ``chithi audit``: the audit log, newest first, filtered and
paged. End to end through the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main as cli_main
from bot.i18n import Texts
from bot.services.tg_text import TEXT_LIMIT, tg_len
from bot.services.unit_reports import ReportsView, UnitReport, render_pages
from storage.models import AuditEvent, Directive, ReportCycle
from tests.kit.harness import Harness, buttons_of
from tests.kit.reminders import draft, fast_harness, naive, publish_as, start_private
from tests.kit.scene import build_scene

NUMBER = "12-KH/TU"
T = Texts("vi").for_lang("vi")


@pytest.fixture
async def h(sandbox: Any, db_url: str, clock: Any) -> AsyncIterator[Harness]:
    async with fast_harness(sandbox, db_url, clock) as harness:
        yield harness


def quarterly() -> Any:
    return draft(
        NUMBER,
        kind="KH",
        title="Kế hoạch thực hiện Chỉ thị về mạng xã hội",
        requires_study=False,
        report_by=naive("31/03/2027 17:00"),
        report_every="quarter",
    )


def button(message: dict[str, Any], prefix: str) -> str:
    [data] = [b["callback_data"] for b in buttons_of(message) if b["text"].startswith(prefix)]
    return str(data)


async def test_reports_lists_submitted_and_missing_and_resends_the_file(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1")
    await publish_as(h, scene, quarterly())
    sec01, sec = scene.users["sec_dx01"], scene.users["sec_dx"]
    await h.send(sec01, f"/report {NUMBER} Chi bộ đã học tập 4/4 đảng viên <đạt>.")
    before = len(h.bot_messages(sec.id))
    h.sandbox.send_document(
        h.token, sec.id, b"%PDF-1.4 bao cao", "bao-cao-dx.pdf", caption=f"/report {NUMBER} BP-DX"
    )
    await h.settle(lambda: len(h.bot_messages(sec.id)) == before + 1)

    [listing] = await h.send(sec, f"/reports {NUMBER}")
    text = listing["text"]
    assert text.startswith(f"📝 Báo cáo của các đơn vị — {NUMBER}")
    assert "Kỳ 1 (hạn 31/03/2027 17:00): 2/6 đơn vị đã nộp." in text
    assert "✅ Thành ủy Đồng Xoài (BP-DX) — nộp lúc 10/01/2027 08:00" in text
    assert "📎 Tệp 1: bao-cao-dx.pdf" in text
    assert "Chi bộ đã học tập 4/4 đảng viên <đạt>." in text
    assert "⏳ Chưa nộp (4):" in text and "⏳ Chi bộ ấp 2 (BP-DX-02)" in text
    assert text.index("✅") < text.index("Chưa nộp")

    # The file button sends the stored document again, in private.
    data = button(listing, "📎")
    before = len(h.bot_messages(sec.id))
    await h.press(sec, sec.id, listing["message_id"], data)
    await h.sandbox.wait_for(lambda: len(h.bot_messages(sec.id)) > before)
    resent = h.bot_messages(sec.id)[-1]
    assert resent["document"]["file_name"] == "bao-cao-dx.pdf"
    async with h.db() as s:
        stored = await s.scalar(
            select(ReportCycle.document_file_id).where(ReportCycle.document_file_id.is_not(None))
        )
    assert resent["document"]["file_id"] == stored

    # A cell's secretary sees their own unit only; pressing another unit's file is refused.
    [own] = await h.send(sec01, f"/reports {NUMBER}")
    assert "1/1 đơn vị đã nộp" in own["text"] and "BP-DX)" not in own["text"]
    forged = h.sandbox.press_button(
        h.token, sec01.id, sec01.id, own["message_id"], data, forged=True
    )
    await h.sandbox.wait_for(lambda: forged in h.sandbox.callback_answers)
    assert h.sandbox.callback_answers[forged]["text"] == "Nút này không còn hợp lệ."

    [plain] = await h.send(scene.users["m1"], f"/reports {NUMBER}")
    assert plain["text"] == "Lệnh /reports dành cho bí thư và quản trị viên."
    [unknown] = await h.send(sec01, "/reports 9999-XX")
    assert unknown["text"].startswith("Không tìm thấy văn bản số 9999-XX.")

    # Asked in a group: only a pointer there.
    group = scene.groups["BP-DX-01"].id
    before = len(h.bot_messages(sec.id))
    [pointer] = await h.send(sec, f"/reports {NUMBER}", chat_id=group)
    assert pointer["text"] == T("names-sent-private")
    await h.sandbox.wait_for(lambda: len(h.bot_messages(sec.id)) > before)
    assert "2/6 đơn vị đã nộp" in h.bot_messages(sec.id)[-1]["text"]


def test_long_report_lists_are_paged_within_telegrams_limit() -> None:
    from zoneinfo import ZoneInfo

    directive = Directive(number=NUMBER, title="t", issuer="i")
    at = datetime(2027, 1, 10, tzinfo=UTC)
    view = ReportsView(directive, 0, at + timedelta(days=30))
    for i in range(120):
        view.submitted.append(
            UnitReport(
                i, f"U{i}", f"Chi bộ số {i} 😀", at, "Nội dung rất dài 😀 " * 50, "f.pdf", True
            )
        )
        view.missing.append(
            UnitReport(1000 + i, f"M{i}", f"Chi bộ thiếu {i}", None, None, None, False)
        )
    pages = render_pages(T, view, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert len(pages) > 5
    assert all(tg_len(text) <= TEXT_LIMIT for text, _ in pages)
    assert sorted(c for _, cycles in pages for c in cycles) == list(range(120))
    joined = "\n".join(text for text, _ in pages)
    assert all(f"(U{i})" in joined and f"(M{i})" in joined for i in range(120))
    assert pages[-1][0].endswith(f"Trang {len(pages)}/{len(pages)}")


async def test_audit_lists_filters_and_pages(h: Harness) -> None:
    scene = await build_scene(h)
    await start_private(h, scene, "admin", "sec_dx", "sec_dx01")
    await publish_as(h, scene, quarterly())
    await h.send(scene.users["sec_dx01"], f"/report {NUMBER} Xong.")
    admin = scene.users["admin"]
    [first] = await h.send(admin, "/audit")
    lines = [line for line in first["text"].splitlines() if line.startswith("•")]
    assert "report" in lines[0] and NUMBER in lines[0]  # newest first
    assert any("publish" in line for line in lines[1:])
    [only] = await h.send(admin, "/audit report")
    assert all("report" in line for line in only["text"].splitlines() if line.startswith("•"))
    assert "publish" not in only["text"]
    [later] = await h.send(admin, "/audit 01/01/2030")
    assert later["text"].endswith("Không có thao tác nào khớp điều kiện.")
    [bad] = await h.send(admin, "/audit 32/13/2026")
    assert (
        bad["text"] == 'Không đọc được ngày "32/13/2026". Dùng dạng dd/mm/yyyy, ví dụ 01/11/2026.'
    )
    [refused] = await h.send(scene.users["sec_dx"], "/audit")
    assert refused["text"] == "Lệnh /audit dành cho quản trị viên."

    async with h.db() as s:
        s.add_all(
            AuditEvent(
                at=h.rt.now() - timedelta(minutes=i),
                actor="42",
                action="bulk",
                subject=f"s{i}",
                detail={"i": i},
            )
            for i in range(40)
        )
    [page1] = await h.send(admin, "/audit bulk 42")
    assert "s0" in page1["text"] and "Trang 1" in page1["text"]
    assert page1["text"].count("•") == 15
    data = button(page1, "Trang sau")
    await h.press(admin, admin.id, page1["message_id"], data)

    def edited() -> str:
        found = [m for m in h.bot_messages(admin.id) if m["message_id"] == page1["message_id"]]
        return str(found[-1].get("text", ""))

    await h.sandbox.wait_for(lambda: "Trang 2" in edited())
    assert "bulk s15 " in edited() and "bulk s0 " not in edited()


def test_cli_audit(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from storage.db import create_engine, session_factory, transaction

    async def fill() -> None:
        engine = create_engine(sqlite_url)
        async with transaction(session_factory(engine)) as s:
            at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
            s.add_all(
                AuditEvent(at=at + timedelta(days=i), actor=str(i % 2), action=a, subject=f"x{i}")
                for i, a in enumerate(["export", "report", "export", "publish"])
            )
        await engine.dispose()

    asyncio.run(fill())
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    base = ["--config", str(config), "audit"]
    assert cli_main(base) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[3] for line in out] == ["x3", "x2", "x1", "x0"]
    assert cli_main([*base, "--action", "export"]) == 0
    assert [line.split("\t")[3] for line in capsys.readouterr().out.splitlines()] == ["x2", "x0"]
    assert cli_main([*base, "--since", "22/11/2026", "--actor", "1", "--limit", "5"]) == 0
    assert [line.split("\t")[3] for line in capsys.readouterr().out.splitlines()] == ["x3"]
    assert cli_main([*base, "--since", "hôm qua"]) == 2
