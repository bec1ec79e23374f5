"""``chithi run --sender-only`` as a real subprocess, against a sandbox in the test process."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.services import outbox
from sandbox import SandboxServer
from storage.db import SessionFactory
from tests.kit.paths import ROOT


def write_config(
    path: Path, sandbox: SandboxServer, token: str, db_url: str, *, time_scale: float
) -> Path:
    """A config for a sender process: this sandbox, this database, sped-up limits."""
    path.write_text(
        f"""
[bot]
token = "{token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"

[database]
url = "{db_url}"
auto_upgrade = false

[flood]
time_scale = {time_scale}

[delivery]
poll_interval_seconds = 0.05
counter_refresh_seconds = 3600
# Long on purpose: a restarted sender must take back a dead one's rows without waiting.
claim_lease_seconds = 120

[log]
level = "WARNING"
""",
        encoding="utf-8",
    )
    return path


@dataclass
class SenderProcess:
    proc: asyncio.subprocess.Process
    log: IO[bytes]

    @classmethod
    async def start(cls, config: Path, log_path: Path) -> SenderProcess:
        log = log_path.open("ab")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run", "--sender-only",
            stdout=asyncio.subprocess.PIPE, stderr=log, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        return cls(proc, log)

    async def started(self, timeout: float = 30.0) -> str:
        """Wait for the "sender is running" line; returns it."""
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"sender exited with {await self.proc.wait()}; see {self.log.name}")
        return line.decode().strip()

    async def kill(self) -> None:
        """kill -9, and reap it (a zombie would still look alive)."""
        self.proc.kill()
        await self.proc.wait()
        self.log.close()

    async def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM: finish what is in flight, hand back the rest, exit."""
        if self.proc.returncode is None:
            self.proc.terminate()
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        self.log.close()
        return code


def make_groups(sandbox: SandboxServer, token: str, n: int) -> list[int]:
    ids = []
    for i in range(n):
        chat = sandbox.create_chat("supergroup", f"Chi bộ {i:04d}")
        sandbox.add_bot_to_chat(chat.id, token, announce=False)
        ids.append(chat.id)
    return ids


def posts_per_chat(sandbox: SandboxServer, chats: Sequence[int]) -> dict[int, int]:
    return {chat: len(sandbox.messages(chat)) for chat in chats}


async def wait_until_all_sent(sessions: SessionFactory, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with sessions() as s:
            if await outbox.count_unsent(s) == 0:
                return
        if loop.time() > deadline:
            raise TimeoutError("the restarted sender did not finish")
        await asyncio.sleep(0.1)
