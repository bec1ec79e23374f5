"""Is the bot still responsive while it delivers at full speed? A directive goes to N unit chats
at Telegram's real limits (30 messages/s per bot, 1/s per chat, 20/min per group) while members
press the buttons under the posts already delivered and secretaries send ``/pending``.

    PYTHONPATH=. python bench/interactive.py [--chats 1000] [--members 5000 50000]
        [--press-rate 20] [--command-every 1] [--province-every 2] [--no-idle]
        [--backend sqlite postgresql]

The sandbox (Telegram's stand-in, with the scripted members) runs in its own process; the bot
(real PTB client polling over HTTP, the outbox sender, the jobs) and its database in this one.
Each province size (``--members``, spread over the chats; a province secretary asks about
all of them) on each database, with the interactive load and again without it (sends alone),
printed side by side: press → toast and command → reply latencies (p50, p99, max: from the
update being queued at the sandbox to the bot's answer reaching it; cell secretaries and the
province secretary apart), the bot's event-loop lag, the delivery rate (posts per second,
first to last, and from the publish commit), 429 answers, and whether every post went out
once. Targets at 50,000 members: toast p99 < 100 ms, province /pending p99 < 300 ms, loop lag
p99 < 50 ms, sends ≥ 29/s.
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


def _driver(conn: Connection, chats: int, per_chat: int, seed: int) -> None:
    asyncio.run(_drive(conn, chats, per_chat, seed))


async def _drive(conn: Connection, n_chats: int, per_chat: int, seed: int) -> None:
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
    chats = sandbox_province(server, token, n_chats, per_chat, announce=False)
    group_ids = {chat_id for chat_id, _ in chats}
    secretaries = [users[0] for _, users in chats[:SECRETARIES]]
    # The province's secretary: /pending about the whole province (every member's name).
    head = server.create_user(first_name="Bí thư Tỉnh ủy").id

    posts: dict[int, int] = {}  # chat -> message id of the post, as delivered
    post_at: list[float] = []
    sent_at: list[float] = []  # every message the bot sent: posts and replies
    answered: dict[str, float] = {}
    replies: dict[int, list[float]] = {uid: [] for uid in [*secretaries, head]}
    sends: Counter[str] = Counter({"duplicate posts": 0})
    samples: dict[str, str] = {}

    def observe(_: Any, call: RecordedCall) -> None:
        if call.method == "sendMessage":
            sends["429" if call.error_code == 429 else "ok" if call.ok else "other"] += 1
        if not call.ok:
            return
        if call.method == "sendMessage":
            sent_at.append(call.at)
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
    conn.send((server.url, token, chats, head))
    command, options = await loop.run_in_executor(None, conn.recv)
    assert command == "run"
    started = time.monotonic()  # the directive and its outbox rows are committed
    data = f"c:{options['directive_id']}:r"
    pressed: dict[str, float] = {}
    asked: list[tuple[int, float]] = []
    asked_province: list[tuple[int, float]] = []
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

    def ask_province() -> None:
        asked_province.append((head, time.monotonic()))
        server.send_text(token, head, f"/pending {NUMBER}")

    rate = options["press_rate"]
    pressing = every(1.0 / rate if rate > 0 else 0.0, press)
    asking = every(options["command_every"], ask)
    asking_province = every(options["province_every"], ask_province)
    all_out = server.wait_for(lambda: len(posts) >= n_chats, timeout=options["limit"])
    await asyncio.wait_for(
        asyncio.gather(pressing, asking, asking_province, all_out), options["limit"]
    )
    with_answer = lambda: all(q in answered for q in pressed)  # noqa: E731
    await server.wait_for(with_answer, timeout=30)
    await asyncio.sleep(3)  # the last replies
    CALL_OBSERVERS.remove(observe)

    def latencies(questions: list[tuple[int, float]]) -> tuple[list[float], int]:
        """Each question's first reply after it; how many got none."""
        found, unanswered = [], 0
        for uid, at in questions:
            after = [r for r in replies[uid] if r >= at]
            if after:
                found.append(min(after) - at)
                replies[uid].remove(min(after))
            else:
                unanswered += 1
        return found, unanswered

    reply_latencies, unanswered_commands = latencies(asked)
    province_latencies, unanswered_province = latencies(asked_province)
    conn.send(
        {
            "toasts": [answered[q] - at for q, at in pressed.items() if q in answered],
            "unanswered_presses": sum(1 for q in pressed if q not in answered),
            "replies": reply_latencies,
            "unanswered_commands": unanswered_commands,
            "province_replies": province_latencies,
            "unanswered_province": unanswered_province,
            "posts": len(posts),
            # Replies share the bot's 30 messages a second with the posts.
            "sends_in_span": sum(1 for at in sent_at if min(post_at) <= at <= max(post_at)),
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


async def _bot_side(
    backend: str, args: argparse.Namespace, per_chat: int, load: bool
) -> dict[str, Any]:
    from sqlalchemy import text

    from bot.app import build_application, running
    from bot.config import Settings

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_driver, args=(child, args.chats, per_chat, args.seed), daemon=True)
    proc.start()
    url, token, chats, head = parent.recv()
    async with fresh_database(backend) as db_url:
        await fill_province(db_url, chats, secretaries=SECRETARIES, province_secretary=head)
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
                "press_rate": args.press_rate if load else 0.0,
                "command_every": args.command_every if load else 0.0,
                "province_every": args.province_every if load else 0.0,
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


def _figures(stats: dict[str, Any], chats: int) -> dict[str, str]:
    """One run's figures, by row of the side-by-side table."""
    ms = 1000.0

    def dist(values: list[float], unanswered: int) -> str:
        if not values:
            return "-" if not unanswered else f"none answered ({unanswered})"
        v = sorted(values)
        text = (
            f"{percentile(v, 50) * ms:.0f} / {percentile(v, 99) * ms:.0f} / {v[-1] * ms:.0f}"
            f" (n={len(v)})"
        )
        return text + (f" +{unanswered} unanswered" if unanswered else "")

    span = stats["last_post"] - stats["first_post"]
    rate = (stats["posts"] - 1) / span if span > 0 else float("nan")
    trips, lags = sorted(stats["round_trips"]), sorted(stats["lags"])
    return {
        "press → toast ms p50/p99/max": dist(stats["toasts"], stats["unanswered_presses"]),
        "cell /pending ms p50/p99/max": dist(stats["replies"], stats["unanswered_commands"]),
        "province /pending ms p50/p99/max": dist(
            stats["province_replies"], stats["unanswered_province"]
        ),
        "loop lag ms p50/p99/max": (
            f"{percentile(lags, 50) * ms:.1f} / {percentile(lags, 99) * ms:.0f} / "
            f"{lags[-1] * ms:.0f}"
        ),
        "posts/s first→last (from commit)": (
            f"{rate:.1f} ({stats['posts'] / stats['last_post']:.1f})"
        ),
        "all sends/s (posts + replies)": f"{(stats['sends_in_span'] - 1) / span:.1f}"
        if span > 0
        else "-",
        "posts out / duplicates": f"{stats['posts']}/{chats} / {stats['sends']['duplicate posts']}",
        "429 answered": f"{stats['flood']}",
        "post round trip ms p50/p99": (
            f"{percentile(trips, 50) * ms:.0f} / {percentile(trips, 99) * ms:.0f}"
        ),
    }


def _table(columns: list[tuple[str, dict[str, str]]]) -> None:
    width = max(30, *(len(v) + 2 for _, f in columns for v in f.values()))
    label = max(len(k) for _, f in columns for k in f) + 2
    print("\n" + " " * label + "".join(f"{name:>{width}}" for name, _ in columns))
    for row in columns[0][1]:
        print(f"{row:<{label}}" + "".join(f"{f[row]:>{width}}" for _, f in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--members",
        type=int,
        nargs="+",
        default=[1000 * MEMBERS_PER_CHAT],
        help="province sizes (members, spread over the chats), e.g. 5000 50000",
    )
    parser.add_argument(
        "--press-rate", type=float, default=20.0, help="presses per second (0: none)"
    )
    parser.add_argument(
        "--command-every",
        type=float,
        default=1.0,
        help="seconds between cell secretaries' /pending (0: none)",
    )
    parser.add_argument(
        "--province-every",
        type=float,
        default=2.0,
        help="seconds between the province secretary's /pending (0: none)",
    )
    parser.add_argument(
        "--no-idle",
        action="store_true",
        help="skip the same run with the interactive load off (compared side by side)",
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
        f"out, a /pending every {args.command_every:g} s ({SECRETARIES} cell secretaries in "
        f"turn) and the province secretary's /pending every {args.province_every:g} s; "
        f"counters redrawn every {args.counter_refresh:g} s; sandbox in a separate process. "
        f"Targets at 50,000 members: toast p99 < 100 ms, province /pending p99 < 300 ms, loop "
        f"lag p99 < 50 ms, sends ≥ 29/s",
        flush=True,
    )
    columns: list[tuple[str, dict[str, str]]] = []
    for members in args.members:
        per_chat = max(1, members // args.chats)
        all_members = args.chats * per_chat
        for backend in args.backend:
            for load in (True,) if args.no_idle else (True, False):
                name = f"{backend} {all_members:,} {'load' if load else 'idle'}"
                avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                print(f"{name}: load average before the run {avg}", flush=True)
                stats = asyncio.run(_bot_side(backend, args, per_chat, load))
                columns.append((name, _figures(stats, args.chats)))
                print(f"  {columns[-1][1]}; a reply begins {stats['reply_sample']!r}", flush=True)
                if stats["province_replies"]:
                    order = ", ".join(f"{x * 1000:.0f}" for x in stats["province_replies"])
                    print(f"  province /pending ms, in the order asked: {order}", flush=True)
    _table(columns)


if __name__ == "__main__":
    main()
