"""A units CSV whose parent chain is deeper than a stored path can hold is refused with the row
where the branch gets too deep, and nothing is written; a chain of thousands neither recurses
nor takes quadratic time. On SQLite (which would store the long path) and PostgreSQL (which
would refuse it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.i18n import Texts
from bot.services.tree import PATH_MAX, ImportRejected, import_units
from storage.db import SessionFactory, transaction
from storage.models import Unit


def _chain(depth: int) -> str:
    """U0 (the top) ← U1 ← ... ← U<depth-1>; unit Uk is on line k + 2 and k levels deep."""
    rows = ["code,parent_code,name,kind", "U0,,Top,province"]
    rows += [f"U{k},U{k - 1},Unit {k},cell" for k in range(1, depth)]
    return "\n".join(rows) + "\n"


async def _units(sessions: SessionFactory) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count(Unit.id))) or 0


@pytest.mark.parametrize("depth", [300, 5000])
async def test_too_deep_a_chain_is_refused_at_its_row_and_nothing_is_written(
    sessions: SessionFactory, depth: int
) -> None:
    with pytest.raises(ImportRejected) as caught:
        async with transaction(sessions) as s:
            await import_units(s, _chain(depth), "deep.csv")
    [error] = caught.value.errors
    assert (error.column, error.reason) == ("parent_code", "import-too-deep")
    # "/1/2/.../<id>/": the first unit whose path would not fit is 100-200 levels down
    too_deep = error.line - 2
    assert 100 < too_deep < PATH_MAX // 2
    assert error.args == {"depth": too_deep, "max": too_deep - 1}
    assert await _units(sessions) == 0


async def test_a_deep_chain_that_fits_gets_its_paths(sessions: SessionFactory) -> None:
    async with transaction(sessions) as s:
        result = await import_units(s, _chain(100))
    assert result.created == 100
    async with sessions() as s:
        units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    ids = [units[f"U{k}"].id for k in range(100)]
    deepest = units["U99"]
    assert deepest.depth == 99
    assert deepest.path == "/" + "/".join(map(str, ids)) + "/"


def test_the_command_line_names_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "t.db"}"\n')
    csv = tmp_path / "deep.csv"
    csv.write_text(_chain(2000), encoding="utf-8")
    assert cli_main(["--config", str(config), "units", "import", str(csv)]) == 1
    err = capsys.readouterr().err.splitlines()
    t = Texts().for_lang("vi")
    assert err[0] == t("import-rejected", file=str(csv), count=1)
    assert err[1].startswith(f"  {csv} dòng ")
    assert "nằm sâu" in err[1] and len(err) == 2
