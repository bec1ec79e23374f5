"""``chithi broadcast`` in its own process against the harness's database: it queues the
announcement, the running bot sends it, and the command follows until the totals."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.delivery.telegram_port import qr_png
from storage.models import Broadcast, Delivery
from tests.kit.broadcasting import GROUPS, many_groups
from tests.kit.harness import Harness, bot_on_sandbox, make_settings
from tests.kit.paths import ROOT
from tests.kit.scene import build_scene


def write_config(tmp_path: Path, h: Harness) -> Path:
    config = tmp_path / "chithi.toml"
    config.write_text(f'[database]\nurl = "{h.settings.database.url}"\n', encoding="utf-8")
    return config


async def chithi(
    tmp_path: Path, h: Harness, *args: str, stdin: bytes | None = None
) -> asyncio.subprocess.Process:
    config = write_config(tmp_path, h)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "broadcast",
        *args,
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def output(process: asyncio.subprocess.Process, stdin: bytes | None = None) -> list[str]:
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=25)
    assert process.returncode == 0, err.decode()
    return [line for line in out.decode().splitlines() if line.strip()]


async def test_cli_broadcast_is_sent_by_the_running_bot(harness: Harness, tmp_path: Path) -> None:
    h = harness
    scene = await build_scene(h)
    lines = await output(
        await chithi(tmp_path, h, "--text", "Lịch tiếp dân tuần tới", "--targets", "BP-DX")
    )
    assert lines[0] == "Thông báo #1: 2 nhóm đã vào hàng đợi. Chithi đang chạy sẽ gửi đi."
    assert lines[-1] == "✅ Hoàn tất: đã gửi 2 · lỗi 0"
    for code in ("BP-DX-01", "BP-DX-02"):
        [post] = h.bot_messages(scene.groups[code].id)
        assert post["text"] == "Lịch tiếp dân tuần tới" and "reply_markup" not in post
    assert h.bot_messages(scene.groups["BP-BL-01"].id) == []

    # A photo from a file, pinned, to the whole tree (the bot may pin in one group only).
    h.sandbox.add_bot_to_chat(scene.groups["BP-BL-01"].id, h.token, status="administrator")
    photo = tmp_path / "lich-truc.png"
    photo.write_bytes(qr_png("https://binhphuoc.gov.vn"))
    lines = await output(
        await chithi(
            tmp_path, h, "--text", "Lịch trực", "--file", str(photo), "--targets", "BP", "--pin"
        )
    )
    assert lines[-1] == "✅ Hoàn tất: đã gửi 3 · lỗi 0"
    for group in scene.groups.values():
        [photo_post] = [m for m in h.bot_messages(group.id) if m.get("photo")]
        assert photo_post["caption"] == "Lịch trực"
        assert photo_post["pinned"] == (group is scene.groups["BP-BL-01"])


async def test_cli_refuses_unknown_units_and_missing_files(
    harness: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = harness
    await build_scene(h)
    config = write_config(tmp_path, h)
    for args, error in [
        (("--targets", "BP-XX"), 'Không gửi thông báo — Không có đơn vị mã "BP-XX".'),
        (("--targets", "BP", "--file", "khong-co.pdf"), "không tìm thấy tệp khong-co.pdf."),
    ]:
        # In this process (in a thread, with its own event loop): the same code, faster.
        argv = ["--config", str(config), "broadcast", "--text", "x", *args]
        assert await asyncio.to_thread(cli_main, argv) == 1
        assert error in capsys.readouterr().err
    async with h.db() as s:
        assert await s.scalar(select(func.count(Broadcast.id))) == 0


async def test_ctrl_c_asks_and_stops_the_rest(
    sandbox: Any, sqlite_url: str, clock: Any, tmp_path: Path
) -> None:
    settings = make_settings(sqlite_url, flood={"global_per_second": 10})
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene = await build_scene(h)
        groups = await many_groups(h, scene, GROUPS)
        process = await chithi(
            tmp_path, h, "--text", "Dừng giữa chừng", "--targets", "BP-PL", stdin=b""
        )
        posted = lambda: sum(len(h.bot_messages(g)) for g in groups)  # noqa: E731
        await h.sandbox.wait_for(lambda: posted() >= 5, timeout=15)
        process.send_signal(signal.SIGINT)
        lines = await output(process, b"c\n")
        assert "Dừng gửi phần còn lại? [c/K]:" in "\n".join(lines)
        assert lines[-1].startswith("⏹ Đã dừng: đã gửi ")
        async with h.db() as s:
            cancelled = await s.scalar(
                select(func.count(Delivery.id)).where(Delivery.last_error == "cancelled")
            )
        assert cancelled and cancelled > 0
        assert lines[-1].endswith(f"· huỷ {cancelled}")
        assert "Đã dừng: không gửi thêm tin nào nữa." in "\n".join(lines)
