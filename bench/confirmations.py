"""Presses handled per second and press-to-answer latency, through the sandbox Bot API server.

The sandbox (with the scripted members) runs in its own process; the bot (real PTB client,
polling over HTTP) and its database in this one. Presses are offered open-loop at a fixed rate;
latency is from the press being queued to the bot's answerCallbackQuery reaching the server.

    python bench/confirmations.py [--presses 10000] [--rate 500] [--backend sqlite postgresql]

The target (issue #3): at least 500 presses/s with p99 under 200 ms on this 2-core machine. At
the default rate the figures say whether the bot keeps up and how long a press waits; a higher
``--rate`` (offered faster than handled) measures capacity, with latency then mostly queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database, machine, percentile

CHATS = 100


def _driver(conn: Connection, presses: int) -> None:
    asyncio.run(_drive(conn, presses))


async def _drive(conn: Connection, presses: int) -> None:
    """Sandbox side: create people and chats, then press at the requested rate."""
    from bot.sandbox import FloodLimits, SandboxServer

    loop = asyncio.get_running_loop()
    server = SandboxServer(limits=FloodLimits.disabled())
    await server.start()
    token = server.create_bot(username="chithi_bot", first_name="Chithi")
    per_chat = presses // CHATS
    chats = []
    for c in range(CHATS):
        chat = server.create_chat(type="supergroup", title=f"Chi bộ {c}")
        users = [server.create_user(first_name=f"Người {c}-{i}").id for i in range(per_chat)]
        for uid in users:
            server.add_chat_member(chat.id, uid)
        server.add_bot_to_chat(chat.id, token, by_user_id=users[0])
        chats.append((chat.id, users))
    conn.send((server.url, token, chats))
    command, rate, directive_id = await loop.run_in_executor(None, conn.recv)
    assert command == "run"
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
    # The sandbox stands in for Telegram's servers and records every call: its heap grows
    # through the run, and its full collections (0.1-0.3 s, every few seconds by the end)
    # would stall the presses and the timestamps measured here. Not the bot's latency: the
    # sandbox collects no garbage while presses are timed.
    gc.collect()
    gc.freeze()
    gc.disable()
    start = time.monotonic()
    for n, (chat_id, uid) in enumerate(order):
        due = start + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        qid = server.press_button(token, uid, chat_id, posts[chat_id], f"c:{directive_id}:r")
        pressed_at[qid] = time.monotonic()
    # Cheap predicate: it runs on every server event (an all(...) here would be O(n^2)).
    await server.wait_for(lambda: len(server.callback_answers) >= len(pressed_at), timeout=600)
    gc.enable()
    answered = {
        c.params.get("callback_query_id"): c.at
        for c in server.calls
        if c.method == "answerCallbackQuery"
    }
    latencies = [answered[q] - t for q, t in pressed_at.items()]
    first, last = min(pressed_at.values()), max(answered[q] for q in pressed_at)
    texts = {server.callback_answers[q].get("text") for q in pressed_at}
    timeline = sorted((t - first, answered[q] - t) for q, t in pressed_at.items())
    conn.send(
        {
            "latencies": latencies,
            "timeline": timeline,
            "elapsed": last - first,
            "toasts": sorted(texts),
        }
    )
    await loop.run_in_executor(None, conn.recv)
    await server.stop()


async def _bot_side(backend: str, presses: int, rate: float) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.app import build_application, running
    from bot.config import Settings
    from bot.services.drafts import DirectiveDraft
    from bot.services.publish import publish
    from bot.services.tree import import_members, import_units
    from storage import queries
    from storage.models import Chat, Confirmation, Delivery

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_driver, args=(child, presses), daemon=True)
    proc.start()
    url, token, chats = parent.recv()
    async with fresh_database(backend) as db_url:
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
            units = "code,parent_code,name,kind\nROOT,,Tỉnh,province\n" + "".join(
                f"C{c},ROOT,Chi bộ {c},cell\n" for c in range(CHATS)
            )
            members = "telegram_id,full_name,username,unit_code,role,language\n" + "".join(
                f"{uid},Người {c}-{i},,C{c},member,vi\n"
                for c, (_, users) in enumerate(chats)
                for i, uid in enumerate(users)
            )
            async with rt.sessions() as s, s.begin():
                await import_units(s, units)
            async with rt.sessions() as s, s.begin():
                await import_members(s, members)
                for c, (chat_id, _) in enumerate(chats):
                    unit = await queries.unit_by_code(s, f"C{c}")
                    assert unit is not None
                    s.add(
                        Chat(telegram_id=chat_id, type="supergroup", title=f"C{c}", unit_id=unit.id)
                    )
            draft = DirectiveDraft(
                number="BENCH-1",
                title="Bench",
                issuer="Bench",
                targets=["ROOT"],
                requires_study=True,
                body="Đo tốc độ.",
            )
            async with rt.sessions() as s, s.begin():
                result = await publish(
                    s,
                    draft,
                    publisher=None,
                    config_admins=[],
                    now=rt.now(),
                    tz=settings.locale.tz,
                    texts=rt.texts,
                )
                directive_id = result.directive.id
            while True:  # wait for every post to be out
                async with rt.sessions() as s:
                    busy = await s.scalar(
                        select(func.count(Delivery.id)).where(Delivery.state != "sent")
                    )
                if not busy:
                    break
                await asyncio.sleep(0.2)
            if backend == "postgresql":
                # Statistics for the tables just filled in bulk, as a database in service has
                # them; otherwise autovacuum analyses them at some moment during the run.
                async with rt.engine.connect() as connection:
                    await connection.execute(text("ANALYZE"))
                    await connection.commit()
            parent.send(("run", rate, directive_id))
            loop = asyncio.get_running_loop()
            stats: dict[str, Any] = await loop.run_in_executor(None, parent.recv)
            async with rt.sessions() as s:
                stats["recorded"] = await s.scalar(select(func.count(Confirmation.id)))
            batcher = rt.extras["presses"]
            stats["batches"] = (batcher.batches, batcher.presses, batcher.busy_seconds)  # type: ignore[attr-defined]
        parent.send("stop")
    proc.join(timeout=10)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="presses offered per second")
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"presses: {args.presses} in {CHATS} chats, offered at {args.rate:g}/s "
        "(open loop), sandbox in a separate process"
    )
    for backend in args.backend:
        stats = asyncio.run(_bot_side(backend, args.presses, args.rate))
        lat = sorted(stats["latencies"])
        rate = len(lat) / stats["elapsed"]
        print(
            f"{backend:>10}: {rate:7.0f} presses/s · p50 {percentile(lat, 50) * 1000:6.1f} ms "
            f"· p99 {percentile(lat, 99) * 1000:6.1f} ms · max {lat[-1] * 1000:6.1f} ms · "
            f"recorded {stats['recorded']}/{len(lat)} · toasts {stats['toasts']}"
        )
        seconds: dict[int, list[float]] = {}
        for at, latency in stats["timeline"]:
            seconds.setdefault(int(at), []).append(latency)
        print(
            f"{'':>10}  p99 per second of the run (ms): "
            + " ".join(
                f"{percentile(sorted(v), 99) * 1000:.0f}" for _, v in sorted(seconds.items())
            )
        )
        batches, presses, busy = stats["batches"]
        print(
            f"{'':>10}  {batches} transactions, {presses / max(batches, 1):.1f} presses each, "
            f"{busy / max(batches, 1) * 1000:.1f} ms each ({busy:.1f} s in all)"
        )


if __name__ == "__main__":
    main()
