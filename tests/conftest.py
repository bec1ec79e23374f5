"""Shared fixtures: fresh migrated databases (SQLite and PostgreSQL), sandbox server, running bot."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sandbox import FloodLimits, SandboxServer
from storage.db import SessionFactory, create_engine, session_factory, upgrade_sync
from tests.kit.harness import FakeClock, Harness, MakeHarness, bot_on_sandbox, make_settings
from tests.kit.paths import PG_ADMIN_DSN

_PG_TEMPLATE = f"chithi_tpl_{os.getpid()}"


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + database


async def _pg_exec(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated template database on the local PostgreSQL, or None (with the reason printed)."""
    try:
        asyncio.run(
            _pg_exec(f"DROP DATABASE IF EXISTS {_PG_TEMPLATE}", f"CREATE DATABASE {_PG_TEMPLATE}")
        )
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc.__class__.__name__}: {exc}"
        print(f"\n[chithi tests] {reason}; PostgreSQL variants are skipped")
        yield None
        return
    upgrade_sync(_pg_url(_PG_TEMPLATE))
    yield _PG_TEMPLATE
    asyncio.run(_pg_exec(f"DROP DATABASE IF EXISTS {_PG_TEMPLATE} WITH (FORCE)"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    target = tmp_path / f"chithi-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file for one test."""
    return _fresh_sqlite(sqlite_template, tmp_path)


@asynccontextmanager
async def _fresh_pg(template: str | None) -> AsyncIterator[str]:
    if template is None:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_DSN}")
    name = f"chithi_t_{uuid.uuid4().hex[:10]}"
    await _pg_exec(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield _pg_url(name)
    finally:
        await _pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def pg_url(pg_template: str | None) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for one test (skipped without PostgreSQL)."""
    async with _fresh_pg(pg_template) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    pg_template: str | None,
    tmp_path: Path,
) -> AsyncIterator[str]:
    """The same test on a fresh SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield _fresh_sqlite(sqlite_template, tmp_path)
        return
    async with _fresh_pg(pg_template) as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return session_factory(engine)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "botapi_raw: the test sends deliberately wrong requests to the sandbox; only the "
        "sandbox's answers are checked against the Bot API specification",
    )


@pytest.fixture(autouse=True)
def botapi_log(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Every request made to any sandbox during the test, and every answer it gave, must conform
    to the published Bot API (tests/kit/botapi_spec.py); a violation fails the test at teardown (so
    calls made while the bot shuts down count too). Tests marked ``botapi_raw`` send wrong
    requests on purpose: only the answers are checked there."""
    from sandbox.server import CALL_OBSERVERS
    from tests.kit.botapi_spec import CallLog

    log = CallLog(requests=request.node.get_closest_marker("botapi_raw") is None)
    CALL_OBSERVERS.append(log.observe)
    try:
        yield log
    finally:
        CALL_OBSERVERS.remove(log.observe)
    problems = log.problems()
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        pytest.fail(f"Bot API: {len(problems)} violation(s):\n  {shown}{more}", pytrace=False)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server on 127.0.0.1 (flood limits off unless a test turns them on)."""
    server = SandboxServer(limits=FloodLimits.disabled())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> FakeClock:
    """The test's clock: the bot reads it (``Harness.clock``); tests move it, never sleep."""
    return FakeClock()


@pytest.fixture
def make_harness(sandbox: SandboxServer, sqlite_url: str, clock: FakeClock) -> MakeHarness:
    """``async with make_harness(**overrides) as h``: a running bot on the test's sandbox.

    ``db_url`` (default: the test's SQLite file), ``clock`` (default: the test's ``clock``);
    any other keyword is a settings section merged over the test settings, e.g.
    ``make_harness(delivery={"retry_base_seconds": 0.05})``."""
    test_clock = clock

    def make(
        *, db_url: str | None = None, clock: Callable[[], datetime] | None = None, **overrides: Any
    ) -> AbstractAsyncContextManager[Harness]:
        settings = make_settings(db_url or sqlite_url, **overrides)
        return bot_on_sandbox(sandbox, settings, clock=clock or test_clock)

    return make


@pytest.fixture
async def harness(make_harness: MakeHarness) -> AsyncIterator[Harness]:
    """A running bot (SQLite) on the sandbox server, with the test's clock."""
    async with make_harness() as h:
        yield h
