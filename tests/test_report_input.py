"""What a secretary sends with /report is cleaned once, on the way in (bot.services.reports)."""

from __future__ import annotations

from bot.services.reports import ReportInput


def test_control_characters_are_dropped_and_lines_kept() -> None:
    sent = ReportInput("/report 1208-CV/BTGTU Đã\x00 học\x07 tập\nđủ 20/20", "f1", "bao\x00cao.pdf")
    assert sent.text == "/report 1208-CV/BTGTU Đã học tập\nđủ 20/20"
    assert sent.document_name == "baocao.pdf" and sent.document_file_id == "f1"
