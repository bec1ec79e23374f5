"""``chithi units links``: one join link and one QR code PNG per unit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from storage import queries
from storage.db import create_engine, session_factory
from storage.models import Unit
from tests.kit.paths import SAMPLE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _config(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return config


def test_units_links_writes_a_png_per_unit_and_prints_the_links(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, sqlite_url))
    assert main(["--config", config, "units", "import", str(SAMPLE / "units.csv")]) == 0
    out = tmp_path / "qr"
    capsys.readouterr()
    code = main(
        ["--config", config, "units", "links", "--out", str(out), "--unit", "BP-DX", "--sheet"]
    )
    printed = capsys.readouterr().out
    assert code == 0
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == {f"BP-DX{suffix}.png" for suffix in ("", "-01", "-02", "-03", "-04", "-05")}
    for png in out.glob("*.png"):
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 100
    assert "BP-DX-01  Chi bộ trạm y tế 1 (thuộc Thành ủy Đồng Xoài)" in printed
    assert "Đã ghi 6 mã QR vào" in printed
    assert (out / "sheet.html").read_text(encoding="utf-8").count("<img") == 6


def test_printed_links_carry_each_units_token(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, sqlite_url))
    assert main(["--config", config, "units", "import", str(SAMPLE / "units.csv")]) == 0
    capsys.readouterr()
    args = [
        "--config",
        config,
        "units",
        "links",
        "--out",
        str(tmp_path),
        "--bot-username",
        "@cb_bot",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out

    async def stored_units() -> dict[str, Unit]:
        engine = create_engine(sqlite_url)
        async with session_factory(engine)() as s:
            units = await queries.units_by_code(s)
        await engine.dispose()
        return units

    units = asyncio.run(stored_units())
    assert len(list(tmp_path.glob("*.png"))) == len(units) == 56
    for unit in units.values():
        assert f"https://t.me/cb_bot?start={unit.join_token}" in printed


def test_unknown_unit_is_reported(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, sqlite_url))
    assert (
        main(["--config", config, "units", "links", "--unit", "BP-ZZ", "--out", str(tmp_path)]) == 1
    )
    assert 'Không có đơn vị nào mã "BP-ZZ".' in capsys.readouterr().err
