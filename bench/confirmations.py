"""Presses handled per second and press-to-answer latency, through the sandbox Bot API server.

The sandbox (with the scripted members) runs in its own process; the bot (real PTB client,
polling over HTTP) and its database in this one. Presses are offered open-loop at a fixed rate;
latency is from the press being queued to the bot's answerCallbackQuery reaching the server
(a request, or by webhook the call carried in the answer to the press).

    python bench/confirmations.py [--rate 500] [--modes baseline polling webhook-1 webhook-2]
    python bench/confirmations.py --overload [--presses 10000] [--rate 500] [--backend ...]

By default it compares the ways updates come in (``bench/intake.py``): on one PostgreSQL
database and one sandbox, Chithi polling, Chithi by webhook with 1 and 2 worker processes,
and a stock PTB Application (the baseline), each at a fixed rate and at capacity.
``--overload`` is the run below: one bot, offered more than it can record.

The target (issue #3): at least 500 presses/s with p99 under 200 ms on this 2-core machine. At
the default rate the figures say whether the bot keeps up and how long a press waits; a higher
``--rate`` (offered faster than handled) measures capacity and overload: the bot then answers
the presses beyond what it can record with a "busy, press again" toast, and those members press
again ``--retry-after`` seconds later, round after round, until every member is recorded. The
run checks that nothing is lost (every press answered; the database holds exactly the members
told "recorded") and prints the peak memory of both processes and how long the backlog took
to drain. Every wait is bounded (``--limit``): a run that cannot finish says so and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import gc
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Coroutine
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    CHATS,
    RssSampler,
    fill_province,
    fresh_database,
    machine,
    percentile,
    publish_to_province,
    sandbox_province,
)
from bench.intake import MODES, compare, stop_bots

MAX_ROUNDS = 30  # rounds of pressing again after a "busy" toast


def _driver(conn: Connection, presses: int) -> None:
    asyncio.run(_drive(conn, presses))


async def _drive(conn: Connection, presses: int) -> None:
    """Sandbox side: create people and chats, then press at the requested rate; press again
    after a "busy" toast; report every press and its answer."""
    from sandbox import FloodLimits, SandboxServer

    loop = asyncio.get_running_loop()
    server = SandboxServer(limits=FloodLimits.disabled())
    await server.start()
    token = server.create_bot(username="chithi_bot", first_name="Chithi")
    per_chat = presses // CHATS
    chats = sandbox_province(server, token, CHATS, per_chat)
    conn.send((server.url, token, chats))
    command, options = await loop.run_in_executor(None, conn.recv)
    assert command == "run"
    rate, busy_text, retry_after = options["rate"], options["busy_text"], options["retry_after"]
    data = f"c:{options['directive_id']}:r"
    posts = {}
    for chat_id, _ in chats:
        [post] = [m for m in server.messages(chat_id) if m.get("reply_markup")]
        posts[chat_id] = post["message_id"]
    order = [
        (chat_id, uid)
        for i in range(per_chat)
        for chat_id, users in chats
        for uid in users[i : i + 1]
    ]
    pressed_at: dict[str, float] = {}
    presser: dict[str, tuple[int, int]] = {}

    async def offer(batch: list[tuple[int, int]]) -> list[str]:
        """Press at ``rate`` (open loop); the server keeps serving between presses."""
        ids = []
        began = time.monotonic()
        for n, (chat_id, uid) in enumerate(batch):
            delay = began + n / rate - time.monotonic()
            await asyncio.sleep(max(0.0, delay))
            qid = server.press_button(token, uid, chat_id, posts[chat_id], data)
            pressed_at[qid] = time.monotonic()
            presser[qid] = (chat_id, uid)
            ids.append(qid)
        return ids

    # The sandbox stands in for Telegram's servers and records every call: its heap grows
    # through the run, and its full collections (0.1-0.3 s, every few seconds by the end)
    # would stall the presses and the timestamps measured here. Not the bot's latency: the
    # sandbox collects no garbage while presses are timed.
    gc.collect()
    gc.freeze()
    gc.disable()
    deadline = loop.time() + options["limit"]
    rounds: list[list[str]] = []
    pending = order
    offered_end = 0.0
    with RssSampler() as rss:
        while pending and len(rounds) < MAX_ROUNDS:
            if rounds:  # those told "busy" press again a little later
                await asyncio.sleep(retry_after)
            ids = await offer(pending)
            rounds.append(ids)
            offered_end = offered_end or time.monotonic()
            # Cheap predicate: it runs on every server event (an all(...) would be O(n^2)).
            try:
                await server.wait_for(
                    lambda: len(server.callback_answers) >= len(pressed_at),
                    timeout=max(1.0, deadline - loop.time()),
                )
            except TimeoutError:
                break
            busy = [q for q in ids if server.callback_answers[q].get("text") == busy_text]
            pending = [presser[q] for q in busy]
    gc.enable()
    answered = {
        c.params.get("callback_query_id"): c.at
        for c in server.calls
        if c.method == "answerCallbackQuery"
    }
    texts = {q: server.callback_answers[q].get("text") for q in pressed_at if q in answered}
    told_recorded = sorted(
        {presser[q][1] for q, text in texts.items() if text != busy_text}, key=int
    )
    first_round = [q for q in rounds[0] if q in answered]
    start = min(pressed_at.values())
    conn.send(
        {
            "offered": len(rounds[0]),
            "offered_seconds": offered_end - start,
            "first_latencies": [answered[q] - pressed_at[q] for q in first_round],
            "recorded_latencies": [
                answered[q] - pressed_at[q] for q, text in texts.items() if text != busy_text
            ],
            "timeline": sorted(
                (pressed_at[q] - start, answered[q] - pressed_at[q]) for q in first_round
            ),
            "first_round_seconds": max((answered[q] for q in first_round), default=start) - start,
            "last_answer": max(answered.values(), default=start) - start,
            "offered_end": offered_end - start,
            "rounds": [len(r) for r in rounds],
            "busy": sum(1 for text in texts.values() if text == busy_text),
            "unanswered": sum(len(r) for r in rounds) - len(texts),
            "told_recorded": told_recorded,
            "toasts": sorted({t for t in texts.values() if t and t != busy_text}),
            "sandbox_rss": (rss.start_mb, rss.peak_mb),
        }
    )
    await loop.run_in_executor(None, conn.recv)
    await server.stop()


async def _bot_side(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.app import build_application, running
    from bot.config import Settings
    from bot.intake.press_lane import lane_of
    from storage.models import Confirmation, Delivery, Member

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_driver, args=(child, args.presses), daemon=True)
    proc.start()
    url, token, chats = parent.recv()
    async with fresh_database(backend) as db_url:
        await fill_province(db_url, chats)
        settings = Settings.model_validate(
            {
                "database": {"url": db_url, "auto_upgrade": False},
                "log": {"level": "WARNING"},
            }
        )
        app = build_application(
            settings, token=token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot"
        )
        async with running(app, freeze_heap=True):
            rt = app.bot_data.runtime
            assert rt is not None
            directive_id = await publish_to_province(
                rt.sessions,
                number="BENCH-1",
                title="Bench",
                body="Đo tốc độ.",
                now=rt.now(),
                tz=settings.locale.tz,
                texts=rt.texts,
            )
            posted_by = time.monotonic() + 60
            while True:  # wait for every post to be out
                async with rt.sessions() as s:
                    busy = await s.scalar(
                        select(func.count(Delivery.id)).where(Delivery.state != "sent")
                    )
                if not busy:
                    break
                if time.monotonic() > posted_by:
                    raise RuntimeError(f"{busy} of {CHATS} posts still not sent after 60 s")
                await asyncio.sleep(0.2)
            if backend == "postgresql":
                # Statistics for the tables just filled in bulk, as a database in service has
                # them; otherwise autovacuum analyses them at some moment during the run.
                async with rt.engine.connect() as connection:
                    await connection.execute(text("ANALYZE"))
                    await connection.commit()
            options = {
                "rate": args.rate,
                "directive_id": directive_id,
                "busy_text": rt.texts(settings.locale.default_language, "press-busy"),
                "retry_after": args.retry_after,
                "limit": args.limit,
            }
            loop = asyncio.get_running_loop()
            with RssSampler() as rss:
                parent.send(("run", options))
                stats: dict[str, Any] = await loop.run_in_executor(None, parent.recv)
            stats["bot_rss"] = (rss.start_mb, rss.peak_mb)
            async with rt.sessions() as s:
                stats["recorded"] = await s.scalar(select(func.count(Confirmation.id)))
                recorded_ids = await s.scalars(
                    select(Member.telegram_id).join(
                        Confirmation, Confirmation.member_id == Member.id
                    )
                )
                stats["recorded_ids"] = sorted(recorded_ids.all())
            batcher = rt.presses
            assert batcher is not None
            stats["batches"] = (batcher.batches, batcher.presses, batcher.busy_seconds)
            lane = lane_of(rt)
            stats["lane"] = (lane.peak_accepted, lane.peak_spawned, lane.capacity)
        parent.send("stop")
    proc.join(timeout=10)
    return stats


def _report(backend: str, stats: dict[str, Any], presses: int) -> None:
    first = sorted(stats["first_latencies"])
    recorded = sorted(stats["recorded_latencies"])
    told = stats["told_recorded"]
    never = presses - len(told)  # members never told "recorded" (unanswered or still busy)
    mismatch = len(set(told) ^ set(stats["recorded_ids"]))
    ms = 1000.0
    print(
        f"{backend:>10}: offered {stats['offered'] / stats['offered_seconds']:6.0f}/s · "
        f"answered {len(first) / stats['first_round_seconds']:6.0f}/s · "
        f"recorded {len(told) / stats['last_answer']:6.0f}/s "
        f"({len(told)} in {stats['last_answer']:.1f} s) · "
        f"first answers p50 {percentile(first, 50) * ms:6.1f} ms p99 {percentile(first, 99) * ms:6.1f}"
        f" ms max {first[-1] * ms if first else float('nan'):6.1f} ms"
    )
    print(
        f"{'':>10}  busy toasts {stats['busy']} · rounds {stats['rounds']} · "
        f"recorded answers p99 {percentile(recorded, 99) * ms:.0f} ms · drain "
        f"{stats['last_answer'] - stats['offered_end']:.1f} s after the last first press"
    )
    print(
        f"{'':>10}  lost: {stats['unanswered']} presses unanswered, {never} members never "
        f"recorded · database {stats['recorded']} confirmations, "
        f"{mismatch} differ from the members told 'recorded' · every member recorded: "
        f"{'yes' if len(stats['recorded_ids']) == presses else 'NO'} · toasts {stats['toasts']}"
    )
    accepted, spawned, capacity = stats["lane"]
    print(
        f"{'':>10}  peak RSS: bot {stats['bot_rss'][0]:.0f} → {stats['bot_rss'][1]:.0f} MiB, "
        f"sandbox {stats['sandbox_rss'][0]:.0f} → {stats['sandbox_rss'][1]:.0f} MiB · lane: "
        f"peak {accepted}/{capacity} accepted, {spawned} handed over"
    )
    seconds: dict[int, list[float]] = {}
    for at, latency in stats["timeline"]:
        seconds.setdefault(int(at), []).append(latency)
    print(
        f"{'':>10}  p99 of first answers per second of the run (ms): "
        + " ".join(f"{percentile(sorted(v), 99) * ms:.0f}" for _, v in sorted(seconds.items()))
    )
    batches, pressed, busy = stats["batches"]
    print(
        f"{'':>10}  {batches} transactions, {pressed / max(batches, 1):.1f} presses each, "
        f"{busy / max(batches, 1) * ms:.1f} ms each ({busy:.1f} s in all)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--overload",
        action="store_true",
        help="the overload run (one bot in this process, busy presses pressed again) "
        "instead of the comparison of intakes",
    )
    parser.add_argument(
        "--modes", nargs="+", default=list(MODES), choices=MODES, help="comparison: bots to run"
    )
    parser.add_argument(
        "--fixed-presses", type=int, default=2000, help="comparison: presses at --rate"
    )
    parser.add_argument(
        "--capacity-presses", type=int, default=3000, help="comparison: presses all at once"
    )
    parser.add_argument("--log", default="bench-intake.log", help="comparison: the bots' output")
    parser.add_argument("--presses", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="presses offered per second")
    parser.add_argument(
        "--retry-after", type=float, default=2.0, help="seconds before pressing again if busy"
    )
    parser.add_argument(
        "--limit", type=float, default=240.0, help="seconds the presses may take in all"
    )
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if not args.overload:
        args.limit = min(args.limit, 60.0)  # per phase
        print(
            f"intakes on PostgreSQL, one sandbox (own process), {CHATS} chats: "
            f"{args.fixed_presses} presses at {args.rate:g}/s, then {args.capacity_presses} "
            "at once (capacity: answered per second until the last answer)",
            flush=True,
        )
        # Each bot: start, two phases of at most --limit, stop (a loaded machine needs them all).
        bound = 60.0 + len(args.modes) * (2 * args.limit + 90.0)
        asyncio.run(_watched(compare(args), bound, "comparison"))
        return
    print(
        f"presses: {args.presses} in {CHATS} chats, offered at {args.rate:g}/s "
        f"(open loop), sandbox in a separate process; 'busy' pressed again after "
        f"{args.retry_after:g} s",
        flush=True,
    )
    for backend in args.backend:
        stats = asyncio.run(_watched(_bot_side(backend, args), args.limit + 300, backend))
        _report(backend, stats, args.presses)


async def _watched(run: Coroutine[Any, Any, Any], bound: float, what: str) -> Any:
    """Run, or after ``bound`` seconds say where every task of the bot's process waits and
    end the process (from a thread: a task that never returns cannot block it)."""
    loop = asyncio.get_running_loop()

    def give_up() -> None:
        print(f"{what:>10}: did not finish within {bound:.0f} s; its tasks:", flush=True)
        for task in asyncio.all_tasks(loop):
            print(f"  {task.get_name()}: {' <- '.join(_awaiting(task.get_coro()))}")
        sys.stdout.flush()
        stop_bots()
        os._exit(1)

    def expire() -> None:
        loop.call_soon_threadsafe(give_up)
        time.sleep(5)  # still here: the event loop itself is stuck
        print(f"{what:>10}: did not finish within {bound:.0f} s; its threads:", flush=True)
        faulthandler.dump_traceback(file=sys.stdout)
        stop_bots()
        os._exit(1)

    watchdog = threading.Timer(bound, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        return await run
    finally:
        watchdog.cancel()


def _awaiting(coro: object) -> list[str]:
    """Where a coroutine waits, outermost first (its chain of awaits)."""
    where = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            where.append(
                f"{frame.f_code.co_name} ({Path(frame.f_code.co_filename).name}:{frame.f_lineno})"
            )
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return where


if __name__ == "__main__":
    main()
