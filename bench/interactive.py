"""Is the bot still responsive while it delivers at full speed? A directive goes to N unit chats
at Telegram's real limits (30 messages/s per bot, 1/s per chat, 20/min per group) while members
press the buttons under the posts already delivered and secretaries send ``/pending``.

    PYTHONPATH=. python bench/interactive.py [--chats 1000] [--press-rate 20]
                                             [--command-every 1] [--backend sqlite postgresql]

The sandbox (Telegram's stand-in, with the scripted members) runs in its own process; the bot
(real PTB client polling over HTTP, the outbox sender, the jobs) and its database in this one.
Prints, per database: press → toast and command → reply latencies (p50, p99, max: from the
update being queued at the sandbox to the bot's answer reaching it), the delivery rate (posts
per second, first to last, and from the publish commit to the last post), 429 answers, and
whether every post went out once. Targets: toast p99 < 300 ms, reply p99 < 2 s, delivery
≥ 27/s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import sys
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    fill_province,
    fresh_database,
    machine,
    percentile,
    publish_to_province,
    sandbox_province,
)

MEMBERS_PER_CHAT = 5
SECRETARIES = 20  # the first member of the first cells: each asks /pending about their cell
NUMBER = "88-CV/BENCH"


def _driver(conn: Connection, chats: int, seed: int) -> None:
    asyncio.run(_drive(conn, chats, seed))


async def _drive(conn: Connection, n_chats: int, seed: int) -> None:
    """Sandbox side: people and chats; then, while the posts go out, press and ask."""
    from sandbox import FloodLimits, SandboxServer
    from sandbox.server import CALL_OBSERVERS
    from sandbox.state import RecordedCall

    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    # Telegram's real limits; bots may write to members who never wrote to them (the
    # secretaries' private chats exist before the run).
    server = SandboxServer(limits=FloodLimits(enabled=True), require_start=False)
    await server.start()
    token = server.create_bot(username="chithi_bot", first_name="Chithi")
    chats = sandbox_province(server, token, n_chats, MEMBERS_PER_CHAT, announce=False)
    group_ids = {chat_id for chat_id, _ in chats}
    secretaries = [users[0] for _, users in chats[:SECRETARIES]]

    posts: dict[int, int] = {}  # chat -> message id of the post, as delivered
    post_at: list[float] = []
    answered: dict[str, float] = {}
    replies: dict[int, list[float]] = {uid: [] for uid in secretaries}
    sends: Counter[str] = Counter({"duplicate posts": 0})
    samples: dict[str, str] = {}

    def observe(_: Any, call: RecordedCall) -> None:
        if call.method == "sendMessage":
            sends["429" if call.error_code == 429 else "ok" if call.ok else "other"] += 1
        if not call.ok:
            return
        if call.method == "sendMessage" and call.chat_id in group_ids:
            if call.chat_id in posts:
                sends["duplicate posts"] += 1
            posts[call.chat_id] = int(call.result["message_id"])
            post_at.append(call.at)
        elif call.method == "answerCallbackQuery":
            answered[str(call.params.get("callback_query_id"))] = call.at
        elif call.method == "sendMessage" and call.chat_id in replies:
            replies[call.chat_id].append(call.at)
            samples.setdefault("reply", str(call.params.get("text", "")).splitlines()[0])

    CALL_OBSERVERS.append(observe)
    conn.send((server.url, token, chats))
    command, options = await loop.run_in_executor(None, conn.recv)
    assert command == "run"
    started = time.monotonic()  # the directive and its outbox rows are committed
    data = f"c:{options['directive_id']}:r"
    pressed: dict[str, float] = {}
    asked: list[tuple[int, float]] = []
    members = dict(chats)

    async def every(period: float, act: Any) -> None:
        """Call ``act`` every ``period`` seconds (open loop) while posts are going out."""
        if period <= 0:
            return
        begun, n = time.monotonic(), 0
        while len(posts) < n_chats:
            due = begun + n * period
            if time.monotonic() >= due:
                n += 1
                act()
            await asyncio.sleep(max(0.0, min(0.05, due - time.monotonic())))

    def press() -> None:
        """A member of a chat whose post is out presses ✅."""
        out = list(posts)
        if out:
            chat_id = rng.choice(out)
            uid = rng.choice(members[chat_id])
            qid = server.press_button(token, uid, chat_id, posts[chat_id], data)
            pressed[qid] = time.monotonic()

    def ask() -> None:
        """A secretary (in turn) sends /pending."""
        uid = secretaries[len(asked) % len(secretaries)]
        asked.append((uid, time.monotonic()))
        server.send_text(token, uid, f"/pending {NUMBER}")

    rate = options["press_rate"]
    pressing = every(1.0 / rate if rate > 0 else 0.0, press)
    asking = every(options["command_every"], ask)
    all_out = server.wait_for(lambda: len(posts) >= n_chats, timeout=options["limit"])
    await asyncio.wait_for(asyncio.gather(pressing, asking, all_out), options["limit"])
    with_answer = lambda: all(q in answered for q in pressed)  # noqa: E731
    await server.wait_for(with_answer, timeout=30)
    await asyncio.sleep(3)  # the last replies
    CALL_OBSERVERS.remove(observe)
    reply_latencies, unanswered_commands = [], 0
    for uid, at in asked:
        after = [r for r in replies[uid] if r >= at]
        if after:
            reply_latencies.append(min(after) - at)
            replies[uid].remove(min(after))
        else:
            unanswered_commands += 1
    conn.send(
        {
            "toasts": [answered[q] - at for q, at in pressed.items() if q in answered],
            "unanswered_presses": sum(1 for q in pressed if q not in answered),
            "replies": reply_latencies,
            "unanswered_commands": unanswered_commands,
            "posts": len(posts),
            "first_post": min(post_at) - started,
            "last_post": max(post_at) - started,
            "sends": dict(sends),
            "flood": server.stats.flood.total,
            "reply_sample": samples.get("reply", ""),
            "flood_by_reason": dict(server.stats.flood.by_reason),
        }
    )
    await loop.run_in_executor(None, conn.recv)
    await server.stop()


async def _bot_side(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text

    from bot.app import build_application, running
    from bot.config import Settings

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_driver, args=(child, args.chats, args.seed), daemon=True)
    proc.start()
    url, token, chats = parent.recv()
    async with fresh_database(backend) as db_url:
        await fill_province(db_url, chats, secretaries=SECRETARIES)
        if backend == "postgresql":
            from storage.db import create_engine

            engine = create_engine(db_url)
            async with engine.connect() as connection:  # statistics, as in service
                await connection.execute(text("ANALYZE"))
                await connection.commit()
            await engine.dispose()
        settings = Settings.model_validate(
            {
                "database": {"url": db_url, "auto_upgrade": False},
                "log": {"level": "WARNING"},
                "delivery": {"counter_refresh_seconds": args.counter_refresh},
            }
        )  # Telegram's real limits
        app = build_application(
            settings, token=token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot"
        )
        async with running(app, freeze_heap=True):
            rt = app.bot_data.runtime
            assert rt is not None
            directive_id = await publish_to_province(
                rt.sessions,
                number=NUMBER,
                title="Về việc thử nghiệm gửi tin khi đang có người bấm",
                issuer="Ban Tuyên giáo",
                body="Đề nghị các chi bộ xác nhận đã nhận, đã học tập.",
                now=rt.now(),
                tz=settings.locale.tz,
                texts=rt.texts,
            )
            options = {
                "directive_id": directive_id,
                "press_rate": args.press_rate,
                "command_every": args.command_every,
                "limit": args.limit,
            }
            sender: Any = rt.sender
            round_trips = _time_sends(sender)
            lags: list[float] = []
            probe = asyncio.create_task(_loop_lag(lags))
            parent.send(("run", options))
            loop = asyncio.get_running_loop()
            stats: dict[str, Any] = await loop.run_in_executor(None, parent.recv)
            probe.cancel()
            stats["sender"] = sender.describe()
            stats["round_trips"] = round_trips
            stats["lags"] = lags
        parent.send("stop")
    proc.join(timeout=10)
    return stats


def _time_sends(sender: Any) -> list[float]:
    """Time each of the sender's Bot API sends (start to answer): the pacing counts a message
    from its answer, so the round trip is what a second of sending costs beyond the limit."""
    port, times = sender.port, []
    send = port.send

    async def timed(target: int, payload: dict[str, Any]) -> int:
        began = time.monotonic()
        try:
            return int(await send(target, payload))
        finally:
            times.append(time.monotonic() - began)

    port.send = timed
    return times


async def _loop_lag(lags: list[float], every: float = 0.01) -> None:
    """How late the bot's event loop wakes a 10 ms sleep (what every task waits for)."""
    while True:
        began = time.monotonic()
        await asyncio.sleep(every)
        lags.append(time.monotonic() - began - every)


def _report(backend: str, stats: dict[str, Any], chats: int) -> None:
    ms = 1000.0
    toasts, replies = (
        sorted(stats["toasts"]) or [float("nan")],
        sorted(stats["replies"]) or [float("nan")],
    )
    span = stats["last_post"] - stats["first_post"]
    rate = (stats["posts"] - 1) / span if span > 0 else float("nan")
    print(
        f"  press → toast     p50 {percentile(toasts, 50) * ms:6.0f} ms · "
        f"p99 {percentile(toasts, 99) * ms:6.0f} ms · max {toasts[-1] * ms:6.0f} ms "
        f"(n={len(toasts)}, unanswered {stats['unanswered_presses']}; target p99 < 300 ms)"
    )
    print(
        f"  /pending → reply  p50 {percentile(replies, 50) * ms:6.0f} ms · "
        f"p99 {percentile(replies, 99) * ms:6.0f} ms · max {replies[-1] * ms:6.0f} ms "
        f"(n={len(replies)}, unanswered {stats['unanswered_commands']}; target p99 < 2 s); "
        f"a reply begins {stats['reply_sample']!r}"
    )
    print(
        f"  delivery          {rate:5.1f} posts/s first to last · "
        f"{stats['posts'] / stats['last_post']:5.1f}/s from the publish commit "
        f"({stats['posts']}/{chats} posts in {stats['last_post']:.1f} s; target ≥ 27/s)"
    )
    print(
        f"  sendMessage       {stats['sends']} · 429 answered {stats['flood']} "
        f"{stats['flood_by_reason']} · sender: {stats['sender'].get('flood_answers')} 429s seen"
    )
    trips, lags = sorted(stats["round_trips"]), sorted(stats["lags"])
    print(
        f"  why               a post's round trip (send → answer) p50 "
        f"{percentile(trips, 50) * ms:.0f} ms, p99 {percentile(trips, 99) * ms:.0f} ms "
        f"(a post counts from its answer); the bot's event loop wakes late by p50 {percentile(lags, 50) * ms:.1f} ms, p99 "
        f"{percentile(lags, 99) * ms:.0f} ms, max {lags[-1] * ms:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--press-rate", type=float, default=20.0, help="presses per second (0: none)"
    )
    parser.add_argument(
        "--command-every",
        type=float,
        default=1.0,
        help="seconds between /pending commands (0: none)",
    )
    parser.add_argument("--limit", type=float, default=150.0, help="seconds the run may take")
    parser.add_argument(
        "--counter-refresh", type=float, default=5.0, help="[delivery] counter_refresh_seconds"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"one directive to {args.chats} group chats at Telegram's limits (30/s per bot, 1/s per "
        f"chat, 20/min per group); meanwhile {args.press_rate:g} presses/s on the posts already "
        f"out ({MEMBERS_PER_CHAT} members per chat) and a /pending every {args.command_every:g} s "
        f"({SECRETARIES} cell secretaries in turn); counters redrawn every "
        f"{args.counter_refresh:g} s; sandbox in a separate process",
        flush=True,
    )
    for backend in args.backend:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n{backend}: load average before the run {load}", flush=True)
        _report(backend, asyncio.run(_bot_side(backend, args)), args.chats)


if __name__ == "__main__":
    main()
