"""The README's first command runs the demo when no token is configured: it must work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_run_without_token_plays_the_demo_to_its_summary(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHITHI_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Chithi — bản chạy thử" in out
    assert "👤 Thu (Chi bộ trạm y tế 1 (Đồng Xoài)): /link BP-DX-01" in out
    assert "Đã tham gia đơn vị!" in out
    assert "📄 Công văn số 1208-CV/BTGTU" in out
    assert "Đã nhận 2/16 · Đã học 1/16" in out
    assert "Chưa nhận (14):" in out
    assert "Tóm tắt: 56 đơn vị, 429 người, 1 nhóm đã gắn" in out
    assert (tmp_path / "data" / "demo.db").exists()  # SQLite in a local file
    assert "Traceback" not in done.stderr
