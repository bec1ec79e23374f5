"""The README's first command runs the demo when no token is configured: it must work, show
what a member sees, explain its figures, and say how to reach its database afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_run_without_token_plays_the_demo_to_its_summary(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHITHI_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Chithi — bản chạy thử" in out
    assert "👤 Thu (Chi bộ trạm y tế 1 (Đồng Xoài)): /link BP-DX-01" in out
    assert "Chào mừng đồng chí! Đồng chí là Nguyễn Văn An trong danh sách" in out
    assert "📄 Công văn số 1208-CV/BTGTU" in out
    # the whole post, its deadlines and its buttons as drawn under it
    assert (
        "        ⏰ Thời hạn:\n"
        "        • Xác nhận đã nhận trước 17:00 Thứ Bảy, 20/02/2027\n"
        "        • Học tập xong trước 17:00 Thứ Hai, 01/03/2027\n"
        "        \n"
        "        Đã nhận 0/16 · Đã học 0/16\n"
        "        [ ✅ Đã nhận ]  [ 📖 Đã học tập ]\n"
    ) in out
    assert "dòng nữa" not in out
    # the QR photo is sent before the end
    assert "🖼 (ảnh mã QR)\n        Mã QR: Trang Tự hào Bình Phước" in out
    assert "Đã nhận 2/16 · Đã học 1/16" in out
    assert "Chưa nhận (14):" in out
    # every figure explained: 426 + 3 = 429, the 16 of the cell, the 3 messages
    assert "Đã nhập 56 đơn vị và 426 người." in out
    assert "có 13 người trong danh sách mẫu. Thêm 3 người" in out
    assert "Vậy chi bộ có 16 người, cả danh sách 429." in out
    assert "Tóm tắt: 56 đơn vị; 429 người (426 trong danh sách mẫu + 3 của cảnh này" in out
    assert "3 tin gửi qua hàng đợi (bài đăng, ảnh mã QR, bản riêng cho An;" in out
    assert "sendPhoto 1" in out
    assert (tmp_path / "data" / "demo.db").exists()  # SQLite in a local file
    assert str((tmp_path / "data" / "demo.db").resolve()) in out
    assert "Traceback" not in done.stderr

    # The closing lines print the command to reach the demo's data; it works as printed.
    [command] = [
        line.strip()
        for line in out.splitlines()
        if line.strip().startswith("CHITHI_DATABASE__URL=")
    ]
    assert (
        command
        == "CHITHI_DATABASE__URL=sqlite+aiosqlite:///data/demo.db chithi units links --out qr/"
    )
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    links = subprocess.run(
        command,
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PATH": path},
        timeout=120,
    )
    assert links.returncode == 0, links.stderr[-3000:]
    assert "BP-DX-01  Chi bộ trạm y tế 1" in links.stdout
    assert len(list((tmp_path / "qr").glob("*.png"))) == 56
