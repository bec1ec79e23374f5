"""One directive to N unit chats on the sandbox at Telegram's real limits: Chithi's sender
against a naive loop over ``bot.send_message`` with PTB's AIORateLimiter, in the same run.

    PYTHONPATH=. python bench/delivery.py [--chats 1000] [--time-scale 1]

The sandbox runs as its own process (as Telegram would be), enforcing 30 messages/s per bot,
1/s per chat and 20/min per group (windows divided by --time-scale). Prints machine info,
then for each contender: achieved messages/s, time to last delivery, 429 answers, duplicates,
lost; for Chithi also the crash window (Bot API call returned -> 'sent' committed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import telegram
from sqlalchemy import select
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import publish_to_all, seed_province, states  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.sender import OutboxSender  # noqa: E402
from bot.delivery.sender_main import sender_bot  # noqa: E402
from bot.delivery.telegram_port import TelegramPort, keyboard  # noqa: E402
from bot.i18n import Texts  # noqa: E402
from bot.services.render import compose  # noqa: E402
from storage.db import create_engine, session_factory, transaction, upgrade  # noqa: E402
from storage.models import Delivery  # noqa: E402

CHITHI_TOKEN = "7100000001:bench-chithi-sender"
BASELINE_TOKEN = "7100000002:bench-naive-ratelimiter"


@dataclass
class Result:
    name: str
    messages: int
    t_start: float
    calls: list[dict[str, Any]] = field(default_factory=list)
    lost_exceptions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def schedule(self) -> list[int]:
        """Successful sends in each 1-s window from the first send: the sender's schedule."""
        times = sorted(c["at"] for c in self.calls if c["ok"] and c["method"] == "sendMessage")
        if not times:
            return []
        counts = Counter(int(t - times[0]) for t in times)
        return [counts[i] for i in range(int(times[-1] - times[0]) + 1)]

    def figures(self, chats: list[int]) -> dict[str, Any]:
        ok = [c for c in self.calls if c["ok"] and c["method"] == "sendMessage"]
        refused = [c for c in self.calls if c["error_code"] == 429]
        per_chat = Counter(c["chat_id"] for c in ok)
        times = sorted(c["at"] for c in ok)
        last = times[-1] if times else self.t_start
        span = (times[-1] - times[0]) if len(times) > 1 else 0.0
        return {
            "delivered": len(ok),
            "time_to_last_s": last - self.t_start,
            "overall_msg_s": len(ok) / (last - self.t_start) if ok else 0.0,
            "sustained_msg_s": (len(ok) - 1) / span if span else 0.0,
            "requests": len([c for c in self.calls if c["method"] == "sendMessage"]),
            "answered_429": len(refused),
            "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
            "lost": sum(1 for chat in chats if per_chat[chat] == 0),
        }


def machine_info() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; {platform.platform()}; load average {load}",
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]


async def start_sandbox(time_scale: float) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--port", "0", "--token", CHITHI_TOKEN,
        "--time-scale", str(time_scale),
        stdout=asyncio.subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        if not line:
            raise RuntimeError("the sandbox did not start")
        if line.startswith("Sandbox Bot API server:"):
            return proc, line.split(":", 1)[1].strip()


async def make_chats(http: aiohttp.ClientSession, token: str, n: int) -> list[int]:
    async def one(i: int) -> int:
        body = {"type": "supergroup", "title": f"Chi bộ {i:04d}"}
        async with http.post("/_sandbox/chats", json=body) as resp:
            chat_id = int((await resp.json())["result"]["id"])
        body2 = {"chat_id": chat_id, "token": token, "announce": False}
        async with http.post("/_sandbox/bot_members", json=body2) as resp:
            assert (await resp.json())["ok"]
        return chat_id

    ids: list[int] = []
    for start in range(0, n, 50):
        ids += await asyncio.gather(*(one(i) for i in range(start, min(n, start + 50))))
    return ids


async def calls_of(http: aiohttp.ClientSession, token: str) -> list[dict[str, Any]]:
    async with http.get("/_sandbox/calls") as resp:
        return [c for c in (await resp.json())["result"] if c["token"] == token]


async def run_chithi(
    url: str, http: aiohttp.ClientSession, chats: list[int], args: argparse.Namespace, db: str
) -> tuple[Result, dict[str, Any]]:
    settings = Settings.model_validate({
        "bot": {"token": CHITHI_TOKEN, "base_url": f"{url}/bot", "base_file_url": f"{url}/file/bot"},
        "database": {"url": db},
        "flood": {"time_scale": args.time_scale},
        "delivery": {"counter_refresh_seconds": 3600},
    })  # fmt: skip
    await upgrade(db)
    engine = create_engine(db)
    sessions = session_factory(engine)
    texts = Texts()
    async with transaction(sessions) as session:
        await seed_province(session, chats)
    async with transaction(sessions) as session:
        published = await publish_to_all(session, texts)
    t_start = time.monotonic()  # the directive and its outbox rows are committed
    async with sender_bot(settings) as bot:
        sender = OutboxSender(sessions, TelegramPort(bot), settings, texts)
        await sender.drain(timeout=3600)  # until every row is sent or failed
    total = published.messages
    async with sessions() as session:
        final = await states(session)
        payload = (await session.scalars(select(Delivery.payload).limit(1))).one()
    await engine.dispose()
    result = Result("Chithi OutboxSender", total, t_start, await calls_of(http, CHITHI_TOKEN))
    result.extra = {"states": final, **sender.describe()}
    return result, payload


async def run_baseline(
    url: str,
    http: aiohttp.ClientSession,
    chats: list[int],
    payload: dict[str, Any],
    args: argparse.Namespace,
) -> Result:
    scale = args.time_scale
    limiter = AIORateLimiter(
        overall_time_period=1 / scale, group_time_period=60 / scale, max_retries=args.retries
    )
    bot = ExtBot(
        BASELINE_TOKEN,
        base_url=f"{url}/bot",
        base_file_url=f"{url}/file/bot",
        rate_limiter=limiter,
        request=HTTPXRequest(connection_pool_size=64),
    )
    text, markup = compose(payload), keyboard(payload.get("buttons"))
    lost = 0
    async with bot:
        t_start = time.monotonic()
        for chat in chats:  # the naive loop
            try:
                await bot.send_message(chat, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            except telegram.error.TelegramError:
                lost += 1
    result = Result(
        f"naive loop + AIORateLimiter(max_retries={args.retries})",
        len(chats),
        t_start,
        await calls_of(http, BASELINE_TOKEN),
    )
    result.lost_exceptions = lost
    return result


def show(result: Result, chats: list[int]) -> None:
    f = result.figures(chats)
    print(f"\n== {result.name}: {result.messages} messages to {len(chats)} chats")
    print(f"  achieved           {f['overall_msg_s']:.1f} messages/s overall "
          f"({f['sustained_msg_s']:.1f}/s first to last delivery)")  # fmt: skip
    print(f"  time to last       {f['time_to_last_s']:.1f} s")
    share = 100 * f["answered_429"] / max(1, f["requests"])
    print(f"  429 answers        {f['answered_429']} of {f['requests']} requests ({share:.2f}%)")
    print(f"  duplicates         {f['duplicates']}")
    print(f"  lost               {f['lost']}")
    schedule = result.schedule()
    if schedule:
        inner = schedule[1:-1] or schedule  # the first and last seconds are partial
        gaps = sum(1 for n in inner if n < 29)
        print(f"  schedule           sends per 1-s window (full windows): min {min(inner)}, "
              f"max {max(inner)}, {gaps} of {len(inner)} windows below 29")  # fmt: skip
        print(f"  per second         {' '.join(str(n) for n in schedule[:40])}")
    if "window" in result.extra:
        w = result.extra["window"]
        print(f"  crash window       mean {w['mean_ms']:.2f} ms, median {w['p50_ms']:.2f} ms, "
              f"p99 {w['p99_ms']:.2f} ms, max {w['max_ms']:.2f} ms (n={w['n']}): "
              "Bot API call returned -> 'sent' committed")  # fmt: skip
        print(f"  outbox states      {result.extra['states']}; sender: "
              f"{result.extra['flood_answers']} 429s seen, {result.extra['retries']} retries")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    for line in machine_info():
        print(line)
    print(f"Sandbox limits: 30 msg/s per bot, 1/s per chat, 20/min per group; "
          f"time scale {args.time_scale:g}; {args.chats} chats per contender")  # fmt: skip
    proc, url = await start_sandbox(args.time_scale)
    try:
        async with aiohttp.ClientSession(base_url=url) as http:
            body = {"username": "naive_bot", "token": BASELINE_TOKEN}
            async with http.post("/_sandbox/bots", json=body) as resp:
                assert (await resp.json())["ok"]
            ours = await make_chats(http, CHITHI_TOKEN, args.chats)
            theirs = await make_chats(http, BASELINE_TOKEN, args.chats)
            with tempfile.TemporaryDirectory() as tmp:
                db = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
                chithi, payload = await run_chithi(url, http, ours, args, db)
            show(chithi, ours)
            if not args.skip_baseline:
                show(await run_baseline(url, http, theirs, payload, args), theirs)
    finally:
        proc.terminate()
        await proc.wait()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=1.0, help="shrink limit windows")
    parser.add_argument("--database", default=None, help="an empty database URL (default: "
                        "a temporary SQLite file)")  # fmt: skip
    parser.add_argument("--retries", type=int, default=3, help="AIORateLimiter max_retries")
    parser.add_argument("--skip-baseline", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
