"""The DOCX draft of the report (bot.services.report_draft): it opens with python-docx and holds
the roll-up's exact figures, on SQLite and PostgreSQL; ``chithi report-draft`` and the admins'
/report_draft send the same document."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from sqlalchemy import select

from bot.cli import main as cli_main
from bot.i18n import Texts
from bot.services.report_draft import build_report_draft
from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Directive, Unit
from tests.kit.harness import MakeHarness
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.reminders import start_private
from tests.kit.scene import build_scene
from tests.kit.tree3 import NOW, province

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T = Texts("vi").for_lang("vi")


def _texts(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(p.text for p in cell.paragraphs)
    return paragraphs, tables


async def test_the_draft_holds_the_exact_figures(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        made = await province(s)
        directive, p = made["directive"], made["p"]
        assert isinstance(directive, Directive) and isinstance(p, Unit)
        data = await build_report_draft(s, directive, p, NOW, TZ, T, actor="7")
    paragraphs, tables = _texts(data)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐƠN VỊ P",
        "…, ngày 01 tháng 12 năm 2026",
        "BÁO CÁO",
        "Kết quả học tập, quán triệt và triển khai thực hiện công văn số 1-CV/T",
        "I. Tình hình triển khai",
        "II. Kết quả cụ thể",
        "III. Đánh giá chung",
        "T/M BAN THƯỜNG VỤ",
        "1. Tổng số đảng viên phải học tập: 20; đã nhận văn bản: 15 (75,0%); "
        "đã học tập, quán triệt: 11 (55,0%).",
        "Trong đó: tự xác nhận 8 đồng chí; học tập tại buổi sinh hoạt 2 đồng chí; "
        "do bí thư ghi nhận 1 đồng chí.",
        # D1 (6/15) and D2 (5/5); the untargeted D3 has nobody and is left out.
        "- Cấp 2: 2 đơn vị, 20 đảng viên, đã học tập 11 (55,0%); 1 đơn vị đạt 100%.",
        # C1 6/10, C2 0/4, C4 5/5 (the empty C3 left out).
        "- Cấp 3: 3 đơn vị, 19 đảng viên, đã học tập 11 (57,9%); 1 đơn vị đạt 100%.",
        "Cấp 2:",
        "- Đơn vị D1: Công văn số 9-CV/D1 ngày … về t.",
    ):
        assert expected in paragraphs, expected
    [table] = [t for t in tables if t[0][0] == "Đơn vị"]
    assert table == [
        ["Đơn vị", "Số đảng viên", "Đã nhận", "Đã học tập", "Tỷ lệ %"],
        ["Đơn vị P", "20", "15", "11", "55,0"],
        ["Đơn vị D1", "15", "10", "6", "40,0"],
        ["Đơn vị D2", "5", "5", "5", "100,0"],
    ]
    async with transaction(sessions) as s:
        audited = (await s.scalars(select(AuditEvent))).one()
    assert (audited.actor, audited.action, audited.subject) == ("7", "report-draft", "1-CV/T")


def test_cli_report_draft(sqlite_url: str, tmp_path: Path) -> None:
    import asyncio

    from storage.db import create_engine, session_factory

    async def fill() -> None:
        engine = create_engine(sqlite_url)
        async with transaction(session_factory(engine)) as s:
            await province(s)
        await engine.dispose()

    asyncio.run(fill())
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    out = tmp_path / "draft.docx"
    argv = ["--config", str(config), "report-draft", "1-CV/T", "--unit", "D1", "--out", str(out)]
    assert cli_main(argv) == 0
    _, tables = _texts(out.read_bytes())
    [table] = [t for t in tables if t[0][0] == "Đơn vị"]
    assert table[1:] == [
        ["Đơn vị D1", "15", "10", "6", "40,0"],
        ["Đơn vị C1", "10", "8", "6", "60,0"],
        ["Đơn vị C2", "4", "1", "0", "0,0"],
    ]
    assert cli_main(["--config", str(config), "report-draft", "nope"]) == 2


async def test_report_draft_command_for_admins_only(make_harness: MakeHarness) -> None:
    async with make_harness() as h:
        scene = await build_scene(h)
        await start_private(h, scene, "admin", "sec_dx")
        await publish_sample(h, scene)
        admin = scene.users["admin"]
        [sent] = await h.send(admin, f"/report_draft {NUMBER}")
        assert sent["document"]["file_name"] == "bao-cao-1208-CV_BTGTU.docx"
        data = bytes(h.sandbox.files[sent["document"]["file_id"]].data)
        paragraphs, _ = _texts(data)
        assert "Kết quả học tập, quán triệt và triển khai thực hiện công văn số 1208-CV/BTGTU" in (
            paragraphs
        )
        [refused] = await h.send(scene.users["sec_dx"], f"/report_draft {NUMBER}")
        assert refused["text"] == "Lệnh /report_draft dành cho quản trị viên."
