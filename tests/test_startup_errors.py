"""``chithi run`` that cannot start says why in one line on stderr and exits non-zero: the
database unreachable or missing, the Bot API unreachable, the token refused at start or later
(the poller no longer retries a refused token forever)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from sandbox import SandboxServer
from tests.kit.paths import PG_ADMIN_DSN, ROOT

FAKE_TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp_path: Path, *, token: str, base_url: str, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[bot]
token = "{token}"
base_url = "{base_url}"

[database]
url = "{db_url}"

[locale]
default_language = "en"
""",
        encoding="utf-8",
    )
    return path


async def _run(config: Path, timeout: float = 60.0) -> tuple[int, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        _out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, err.decode().splitlines()


def _pg(database: str, port: int = 5432) -> str:
    host = PG_ADMIN_DSN.split("@", 1)[1].split("/", 1)[0].split(":")[0]
    user = PG_ADMIN_DSN.split("://", 1)[1].split("@", 1)[0]
    return f"postgresql+asyncpg://{user}@{host}:{port}/{database}"


def _one_line(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    assert len(lines[0]) < 300, lines[0]
    assert lines[0].startswith("chithi: ")
    return lines[0]


async def test_postgresql_port_closed(sandbox: SandboxServer, tmp_path: Path) -> None:
    port = _closed_port()
    token = sandbox.create_bot(username="chithi_bot")
    config = _config(tmp_path, token=token, base_url=sandbox.base_url, db_url=_pg("x", port))
    code, err = await _run(config)
    line = _one_line(err)
    assert code != 0
    assert "cannot connect to the database" in line and f":{port}/x" in line
    assert "[database] url" in line


async def test_postgresql_database_missing(
    sandbox: SandboxServer, tmp_path: Path, pg_template: str | None
) -> None:
    if pg_template is None:
        import pytest

        pytest.skip("PostgreSQL not reachable")
    token = sandbox.create_bot(username="chithi_bot")
    db_url = _pg("chithi_no_such_database")
    config = _config(tmp_path, token=token, base_url=sandbox.base_url, db_url=db_url)
    code, err = await _run(config)
    line = _one_line(err)
    assert code != 0
    assert "chithi_no_such_database does not exist" in line
    assert "createdb chithi_no_such_database" in line


async def test_bot_api_unreachable(tmp_path: Path) -> None:
    port = _closed_port()
    config = _config(
        tmp_path,
        token=FAKE_TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    code, err = await _run(config)
    line = _one_line(err)
    assert code != 0
    assert f"cannot reach the Bot API at http://127.0.0.1:{port}/bot" in line
    assert FAKE_TOKEN.split(":")[1] not in line


async def test_token_refused_at_start(sandbox: SandboxServer, tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        token=FAKE_TOKEN,  # the sandbox knows no such bot: 401, as Telegram for a wrong token
        base_url=sandbox.base_url,
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    code, err = await _run(config)
    line = _one_line(err)
    assert code != 0
    assert "refused the token" in line and "[bot] token" in line
    assert FAKE_TOKEN.split(":")[1] not in line


async def test_token_refused_while_polling_stops_the_bot(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    token = sandbox.create_bot(username="chithi_bot")
    # getMe passes; then every getUpdates is refused, as when the token is revoked.
    sandbox.fail_next("getUpdates", count=1000, status=401, description="Unauthorized")
    config = _config(
        tmp_path,
        token=token,
        base_url=sandbox.base_url,
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    code, err = await _run(config)
    lines = [line for line in err if " INFO " not in line]  # start-up progress at INFO
    line = _one_line(lines)
    assert code != 0
    assert "refused the token" in line
    assert sum(1 for c in sandbox.calls if c.method == "getUpdates") == 1
