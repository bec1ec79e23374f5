"""Worker processes of ``chithi run --workers N`` meet here before the webhook is set.

Telegram (and the sandbox) open the webhook's connections as soon as updates are waiting and
keep them open. Had worker 0 set the webhook the moment it listened, every connection made
before the other workers had bound the shared port would land on worker 0 and stay there (the
kernel spreads connections over the processes listening *when each connection is made*). So
each worker marks in a folder the parent made that it listens, and worker 0 sets the webhook
once all have (or after a bounded wait, with a warning: a slow worker then starts with fewer
connections instead of keeping the bot from starting).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

WAIT_SECONDS = 60.0
LOOK_EVERY = 0.05


@dataclass(frozen=True)
class StartGate:
    folder: Path
    workers: int

    def arrive(self, index: int) -> None:
        """Worker ``index`` listens on the shared port."""
        (self.folder / f"worker-{index}").touch()

    def arrived(self) -> int:
        return sum(1 for _ in self.folder.glob("worker-*"))

    async def everyone(self, timeout: float = WAIT_SECONDS) -> bool:
        """Wait until every worker listens; False (logged) if some did not within ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (arrived := self.arrived()) < self.workers:
            if loop.time() >= deadline:
                log.warning(
                    "%d of %d worker processes listen after %.0f s; setting the webhook anyway",
                    arrived,
                    self.workers,
                    timeout,
                )
                return False
            await asyncio.sleep(LOOK_EVERY)
        return True
