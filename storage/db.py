"""Engine and session setup, and Alembic upgrades, for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, text
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


async def plan_with_values(session: AsyncSession) -> None:
    """For the rest of ``session``'s transaction, PostgreSQL plans each statement with its
    values (``plan_cache_mode = force_custom_plan``) instead of the generic plan asyncpg's
    prepared statements get after five runs. For a statement run many times with values that
    change its best plan: the reminder tick's keyset pages over a sub-tree, whose generic plan
    walked every unit of the sub-tree for each page (345 ms a page against 12 ms); the reads
    over a sub-tree (/pending, the roll-up, the exports), asked by cells and the province alike
    on the same pooled connections (a province /pending now and then took 550 ms instead of
    80). SQLite: nothing to do."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


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
    # ANALYZE samples this many rows an index (see refresh_statistics).
    cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    cursor.close()


ANALYSIS_LIMIT = 1000


async def refresh_statistics(factory: SessionFactory) -> bool:
    """SQLite: refresh the query planner's statistics (ANALYZE, each index sampled, see
    ``ANALYSIS_LIMIT``: milliseconds on millions of rows). Without them SQLite guesses every
    table's size alike: the province's /pending walked all 50,000 memberships and looked up
    each one's unit, instead of walking the sub-tree's units and their memberships by index
    (90 against 60 ms). PostgreSQL keeps its own (autovacuum): nothing to do, False."""
    async with factory() as session:
        if session.get_bind().dialect.name != "sqlite":
            return False
        async with session.begin():
            await session.execute(text("ANALYZE"))
    return True


# An execution option: the transaction only reads (see ``reading``).
READ_ONLY = "chithi_read_only"


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at BEGIN: a deferred transaction that reads and then writes
    fails at once (SQLITE_BUSY) when another writer committed in between; an immediate one
    waits its turn under busy_timeout instead. A transaction that only reads (``reading``)
    begins deferred and takes no write lock: readers never wait for writers under WAL."""
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
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


@asynccontextmanager
async def reading(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A transaction that only reads: on SQLite it takes no write lock (a deferred BEGIN);
    whatever it would write is rolled back."""
    async with factory() as session:
        await session.connection(execution_options={READ_ONLY: True})
        try:
            yield session
        finally:
            await session.rollback()


# -- one transaction held for (part of) an update -------------------------------------------------
#
# An update's handlers normally open short transactions of their own (``transaction``). A
# dialogue step must not: its draft is read, changed and written back, and two steps of one
# person may run at once in two processes (Telegram sends a private chat's messages and the
# same person's button presses in two queues). So the step reads its draft in a transaction
# that holds the draft's row (``SELECT ... FOR UPDATE``; SQLite's write lock) and every
# transaction of its handlers is a savepoint in it (``update_unit``) until the draft has been
# written: the other step waits for that commit, then reads the draft as it now stands.


@dataclass(eq=False)
class UpdateScope:
    """The handling of one update (see ``update_scope``): the transaction it holds, if any."""

    task: asyncio.Task[Any] | None
    session: AsyncSession | None = None
    release: bool = False  # commit the held transaction once the current savepoint ends
    depth: int = 0

    async def close(self, commit: bool) -> None:
        session, self.session, self.release = self.session, None, False
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()


_SCOPE: ContextVar[UpdateScope | None] = ContextVar("chithi_update_scope", default=None)


def current_scope() -> UpdateScope | None:
    """The update being handled by this task, if it runs in an ``update_scope``."""
    scope = _SCOPE.get()
    if scope is None or scope.task is not asyncio.current_task():
        return None  # a task started from the update's handlers does not share its session
    return scope


@asynccontextmanager
async def update_scope() -> AsyncIterator[UpdateScope]:
    """Mark the handling of one update: a transaction held in it (``hold``) is committed when
    the draft it holds was written (``release_after_unit``) or, at the latest, at the end."""
    scope = UpdateScope(asyncio.current_task())
    token = _SCOPE.set(scope)
    try:
        yield scope
    except BaseException:
        await scope.close(commit=False)
        raise
    else:
        await scope.close(commit=True)
    finally:
        _SCOPE.reset(token)


async def hold(factory: SessionFactory) -> AsyncSession | None:
    """Open (once) the transaction held by the current update; None outside an update scope."""
    scope = current_scope()
    if scope is None:
        return None
    if scope.session is None:
        session = factory()
        await session.begin()
        scope.session = session
    return scope.session


def release_after_unit() -> None:
    """The held row has been written: commit (and let go of it) when the current unit ends."""
    scope = current_scope()
    if scope is not None and scope.session is not None:
        scope.release = True


@asynccontextmanager
async def update_unit(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A unit of work of an update's handler: a savepoint in the transaction the update holds
    (see above), else a transaction of its own (``transaction``)."""
    scope = current_scope()
    if scope is None or scope.session is None:
        async with transaction(factory) as session:
            yield session
        return
    session, was = scope.session, scope.release
    scope.depth += 1
    try:
        async with session.begin_nested():
            yield session
    except BaseException:
        scope.release = was  # rolled back to the savepoint: nothing of it was written
        raise
    finally:
        scope.depth -= 1
    if scope.release and scope.depth == 0:
        await scope.close(commit=True)


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
