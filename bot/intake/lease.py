"""One poller per bot: a lease taken before polling starts, held while the process runs.

Two processes polling one token take the updates from each other in turns (each getUpdates
ends the other's with 409 Conflict), forever. So the poller first takes a lease on "the
poller of this bot": a PostgreSQL advisory lock (session level, on a connection kept open;
released by PostgreSQL if the process dies), or with SQLite, whose database is a local file,
an exclusive ``flock`` on a file next to it (released by the kernel likewise). A second
poller finds the lease taken and stops with one line. A poller elsewhere (another database)
is still caught: its 409 ends polling (``bot.polling``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import is_sqlite


class LeaseTaken(Exception):
    """Another process holds the lease of this bot's poller."""


def lease_key(bot_id: int) -> int:
    """A signed 64-bit advisory-lock key for "the poller of bot ``bot_id``"."""
    digest = hashlib.blake2b(f"chithi-poller:{bot_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _flock(path: Path) -> IO[bytes]:
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise LeaseTaken(str(path)) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    return handle


class PollerLease:
    def __init__(self, engine: AsyncEngine, url: str, bot_id: int) -> None:
        self.engine = engine
        self.url = url
        self.bot_id = bot_id
        self._conn: AsyncConnection | None = None
        self._file: IO[bytes] | None = None

    async def acquire(self) -> None:
        """Take the lease or raise :class:`LeaseTaken`."""
        if is_sqlite(self.url):
            database = make_url(self.url).database or ""
            self._file = _flock(Path(f"{database or 'memory'}.poller-{self.bot_id}.lock"))
            return
        conn = await self.engine.connect()
        got = await conn.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": lease_key(self.bot_id)}
        )
        await conn.commit()
        if not got:
            await conn.close()
            raise LeaseTaken("advisory lock")
        self._conn = conn

    async def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": lease_key(self.bot_id)}
                )
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
