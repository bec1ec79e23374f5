"""Engine and session setup, and Alembic upgrades, for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).parent / "migrations"

SessionFactory = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy (not the driver) open transactions, so that they can be IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at BEGIN: a deferred transaction that reads and then writes
    fails at once (SQLITE_BUSY) when another writer committed in between; an immediate one
    waits its turn under busy_timeout instead."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(
            url, echo=echo, hide_parameters=not echo, connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        # Error messages (and so tracebacks in the log) never carry the statement's values:
        # names and message texts stay out of log lines. ``echo`` (debugging) shows them.
        hide_parameters=not echo,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        # Each length of an IN list is its own statement to PostgreSQL; batched work (presses,
        # outbox rows) uses many lengths, and the default of 100 prepared statements per
        # connection kept evicting them (a prepare round trip each time).
        connect_args={"prepared_statement_cache_size": 1000},
    )


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any error."""
    async with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` (blocking; creates the SQLite file if needed)."""
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Run migrations from async code (Alembic's env runs its own event loop in a thread)."""
    await asyncio.to_thread(upgrade_sync, url, revision)
