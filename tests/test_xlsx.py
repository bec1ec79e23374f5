"""The minimal XLSX writer of the exports (bot.services.xlsx): what openpyxl reads back."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.services.xlsx import workbook


def test_cells_read_back_as_written() -> None:
    rows = [
        ("Văn bản", "Cấp", "Tỷ lệ (%)"),
        ("a & b <c>", 3, 75.5, None, " lề trái", "dòng 1\ndòng 2", "'=1+1", ""),
        ("ký tự\x01 điều khiển", 0, -2.25),
    ]
    data = workbook([("Tổng hợp", rows), ("Đảng viên <&>", [("Họ tên",)]), ("Trống", [])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tổng hợp", "Đảng viên <&>", "Trống"]
    read = [tuple(c.value for c in row) for row in book["Tổng hợp"].iter_rows()]
    assert read[0][:3] == ("Văn bản", "Cấp", "Tỷ lệ (%)")
    # The empty text at the end is no cell: the sheet is seven columns wide.
    assert read[1] == ("a & b <c>", 3, 75.5, None, " lề trái", "dòng 1\ndòng 2", "'=1+1")
    assert read[2][:3] == ("ký tự điều khiển", 0, -2.25)  # XML cannot hold a control character
    cells = list(book["Tổng hợp"].iter_rows())
    assert cells[1][6].data_type == "s"  # text, never a formula
    assert [[c.value for c in r] for r in book["Đảng viên <&>"].iter_rows()] == [["Họ tên"]]
    assert book["Trống"].max_row == 1 and book["Trống"]["A1"].value is None
