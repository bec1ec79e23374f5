"""The comparison run of ``bench/confirmations.py``: one sandbox, one PostgreSQL database,
four bots in turn, each a real process: Chithi polling, Chithi by webhook with 1 and with 2
worker processes, and a baseline: a stock PTB Application (default HTTPX transport, concurrent
updates on) whose CallbackQueryHandler records each press in its own transaction.

Each bot is measured twice on fresh members: presses offered open-loop at a fixed rate, then
presses offered all at once (capacity: presses answered per second until the last answer).
Latency is from the press being queued at the sandbox to the bot's answerCallbackQuery
reaching it (by webhook, Chithi's comes in its answer to the press, executed by the sandbox as
Telegram executes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import fresh_database, percentile, publish_to_province, sandbox_province

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
MODES = ("baseline", "polling", "webhook-1", "webhook-2")


# -- the sandbox process -------------------------------------------------------------------
def _driver(conn: Connection, chats: int, per_chat: int) -> None:
    asyncio.run(_drive(conn, chats, per_chat))


async def _drive(conn: Connection, n_chats: int, per_chat: int) -> None:
    from sandbox import FloodLimits, SandboxServer

    loop = asyncio.get_running_loop()
    server = SandboxServer(limits=FloodLimits.disabled())
    await server.start()
    token = server.create_bot(username="chithi_bot", first_name="Chithi")
    chats = sandbox_province(server, token, n_chats, per_chat)
    server.bot(token).queue.clear()  # the bot-added updates: no bot listens yet
    conn.send((server.url, token, chats))
    gc.collect()
    gc.freeze()
    mark = 0
    while True:
        command, options = await loop.run_in_executor(None, conn.recv)
        if command == "stop":
            break
        if command == "mark":
            server.bot(token).queue.clear()
            mark = len(server.calls)
            conn.send(None)
        elif command == "wait_method":
            name, timeout = options

            def seen(name: str = name, since: int = mark) -> bool:
                return any(c.method == name and c.ok for c in server.calls[since:])

            try:
                await server.wait_for(seen, timeout=timeout)
                conn.send(True)
            except TimeoutError:
                conn.send(False)
        elif command == "posts":
            wanted = f"c:{options}:r"
            posts = {}
            for chat_id, _ in chats:
                for m in server.messages(chat_id):
                    rows = (m.get("reply_markup") or {}).get("inline_keyboard", [])
                    if any(b.get("callback_data") == wanted for row in rows for b in row):
                        posts[chat_id] = m["message_id"]
            conn.send(posts)
        elif command == "press":
            profile = os.environ.get("BENCH_PROFILE")
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            conn.send(await _press(server, token, options))
            if profile:
                profiler.disable()
                profiler.dump_stats(str(Path(profile) / f"sandbox-{mark}.prof"))
    await server.stop()


async def _press(server: Any, token: str, o: dict[str, Any]) -> dict[str, Any]:
    """Press (open loop at ``rate``, or all at once), wait for every answer (bounded)."""
    asyncio.get_running_loop()
    rate, data, pairs = o["rate"], o["data"], o["pairs"]
    pressed: dict[str, float] = {}
    before = len(server.callback_answers)
    gc.disable()
    began = time.monotonic()
    for n, (chat_id, uid, message_id) in enumerate(pairs):
        if rate:
            delay = began + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        elif n % 200 == 0:
            await asyncio.sleep(0)
        qid = server.press_button(token, uid, chat_id, message_id, data, forged=True)
        pressed[qid] = time.monotonic()
    offered = time.monotonic() - began
    with contextlib.suppress(TimeoutError):
        await server.wait_for(
            lambda: len(server.callback_answers) >= before + len(pressed),
            timeout=max(1.0, o["limit"] - (time.monotonic() - began)),
        )
    gc.enable()
    answered = {
        c.params.get("callback_query_id"): c.at
        for c in server.calls[-(len(pressed) * 2 + 1000) :]
        if c.method == "answerCallbackQuery"
    }
    got = [q for q in pressed if q in answered]
    texts = Counter(str(server.callback_answers[q].get("text")) for q in got)
    latencies = sorted(answered[q] - pressed[q] for q in got)
    last = max((answered[q] for q in got), default=began)
    return {
        "offered": len(pressed),
        "offered_seconds": offered,
        "answered": len(got),
        "span": last - min(pressed.values()),
        "latencies": latencies,
        "texts": texts,
    }


# -- the bots ----------------------------------------------------------------------------
def _config(path: Path, url: str, token: str, db_url: str, mode: str, port: int) -> Path:
    path.write_text(
        f"""
[bot]
token = "{token}"
base_url = "{url}/bot"
base_file_url = "{url}/file/bot"
mode = "{"polling" if mode in ("polling", "baseline") else "webhook"}"

[webhook]
listen = "127.0.0.1"
port = {port}
public_url = "http://127.0.0.1:{port}"
secret_token = "{SECRET}"
max_connections = 100

[database]
url = "{db_url}"
auto_upgrade = false

[flood]
global_per_second = 1000
per_chat_per_second = 50
per_group_per_minute = 3000

[delivery]
counter_refresh_seconds = 3600

[reminders]
tick_seconds = 3600

[log]
level = "WARNING"
""",
        encoding="utf-8",
    )
    return path


STARTED: list[subprocess.Popen[bytes]] = []  # the bots started, for stop_bots()


def stop_bots() -> None:
    """Kill every bot process still running (the run is given up)."""
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()


def _start_bot(mode: str, config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if mode == "baseline":
        argv = [sys.executable, str(ROOT / "bench" / "intake.py"), "--baseline-bot", str(config)]
    else:
        workers = ["--workers", "2"] if mode == "webhook-2" else []
        argv = [sys.executable, "-m", "bot", "--config", str(config), "run", *workers]
    profile = os.environ.get("BENCH_PROFILE")  # a directory: cProfile each bot's main process
    if profile:
        argv[1:1] = ["-m", "cProfile", "-o", str(Path(profile) / f"{mode}.prof")]
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=out, cwd=ROOT, env=env)
    STARTED.append(proc)
    return proc


def _stop_bot(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def baseline_bot(config_path: str) -> None:
    """What a PTB user would write: a stock Application polling with concurrent updates, a
    CallbackQueryHandler that records the press in its own transaction and answers."""
    from sqlalchemy import select
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes

    from bot.config import load_settings
    from storage.db import create_engine, session_factory
    from storage.models import Confirmation, Member
    from storage.upsert import insert_ignore

    settings = load_settings(config_path)
    engine = create_engine(settings.database.url)
    sessions = session_factory(engine)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        _, directive, _kind = query.data.split(":")
        async with sessions() as s, s.begin():
            member_id = await s.scalar(
                select(Member.id).where(Member.telegram_id == query.from_user.id)
            )
            if member_id is not None:
                await insert_ignore(
                    s,
                    Confirmation,
                    [
                        {
                            "directive_id": int(directive),
                            "member_id": member_id,
                            "kind": "received",
                            "at": datetime.now(UTC),
                            "chat_id": query.message.chat.id if query.message else None,
                        }
                    ],
                    ["directive_id", "member_id", "kind"],
                )
        await query.answer("✅ Đã ghi nhận")

    app = (
        Application.builder()
        .token(settings.bot.token.get_secret_value())
        .base_url(settings.bot.base_url)
        .base_file_url(settings.bot.base_file_url)
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(CallbackQueryHandler(on_press))
    app.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10)


# -- CPU used, per process group (where a press costs what) --------------------------------
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command, CPU seconds used so far) for every process we can read."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def cpu_by_group(bot: int, sandbox: int) -> dict[str, float]:
    """CPU seconds used so far by the bot (with its worker processes), the sandbox and the
    PostgreSQL server."""
    stats = _proc_stats()

    def tree(root: int) -> float:
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                total += stats[pid][2]
                todo += [p for p, (ppid, _, _) in stats.items() if ppid == pid]
        return total

    postgres = sum(cpu for _ppid, name, cpu in stats.values() if name.startswith("postgres"))
    return {"bot": tree(bot), "sandbox": tree(sandbox), "postgres": postgres}


# -- the run -------------------------------------------------------------------------------
def _ask(conn: Connection, command: str, options: Any = None) -> Any:
    conn.send((command, options))
    return conn.recv()


async def _publish(db_url: str, number: str) -> int:
    from bot.i18n import Texts
    from storage.db import create_engine, session_factory

    engine = create_engine(db_url)
    try:
        return await publish_to_province(
            session_factory(engine),
            number=number,
            title="Bench",
            body="Đo.",
            now=datetime.now(UTC),
            tz=ZoneInfo("Asia/Ho_Chi_Minh"),
            texts=Texts("vi"),
        )
    finally:
        await engine.dispose()


async def _recorded(db_url: str, directive_id: int) -> int:
    from sqlalchemy import func, select

    from storage.db import create_engine, session_factory
    from storage.models import Confirmation

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            count = await s.scalar(
                select(func.count(Confirmation.id)).where(Confirmation.directive_id == directive_id)
            )
            return int(count or 0)
    finally:
        await engine.dispose()


async def _healthy_pids(port: int, want: int, timeout: float) -> int:
    import aiohttp

    pids: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(pids) < want and time.monotonic() < deadline:
        try:
            connector = aiohttp.TCPConnector(force_close=True)
            async with (
                aiohttp.ClientSession(connector=connector) as http,
                http.get(f"http://127.0.0.1:{port}/healthz") as resp,
            ):
                if resp.status == 200:
                    pids.add(int((await resp.json())["pid"]))
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    return len(pids)


async def compare(args: Any) -> list[tuple[str, dict[str, Any], dict[str, Any], int, int]]:
    from bench.common import CHATS, fill_province

    fixed, burst = args.fixed_presses, args.capacity_presses
    per_chat = -(-(fixed + burst) // CHATS)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    sandbox = ctx.Process(target=_driver, args=(child, CHATS, per_chat), daemon=True)
    sandbox.start()
    url, token, chats = parent.recv()
    results = []
    async with fresh_database("postgresql") as db_url:
        await fill_province(db_url, chats)
        order = [(chat_id, users[i]) for i in range(per_chat) for chat_id, users in chats]
        any_post: dict[int, int] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for mode in args.modes:
                directive_id = await _publish(db_url, f"BENCH-{mode}")
                port = _free_port()
                config = _config(Path(tmp) / f"{mode}.toml", url, token, db_url, mode, port)
                _ask(parent, "mark")
                proc = _start_bot(mode, config, Path(args.log))
                try:
                    webhook = mode.startswith("webhook")
                    method = "setWebhook" if webhook else "getUpdates"
                    if not _ask(parent, "wait_method", (method, 60.0)):
                        raise RuntimeError(f"{mode}: the bot did not start (see {args.log})")
                    if mode == "webhook-2" and await _healthy_pids(port, 2, 60) < 2:
                        raise RuntimeError(f"{mode}: the second worker did not start")
                    posts = any_post
                    if mode != "baseline":  # Chithi checks the press came from its post
                        posts = await _wait_posts(parent, directive_id, len(chats))
                        any_post = posts
                    data = f"c:{directive_id}:r"
                    phases = []
                    for rate, members in (
                        (args.rate, order[:fixed]),
                        (0.0, order[fixed : fixed + burst]),
                    ):
                        pairs = [(c, u, posts.get(c, 1)) for c, u in members]
                        options = {"rate": rate, "data": data, "pairs": pairs}
                        used = cpu_by_group(proc.pid, sandbox.pid or 0)
                        phases.append(_ask(parent, "press", {**options, "limit": args.limit}))
                        after = cpu_by_group(proc.pid, sandbox.pid or 0)
                        phases[-1]["cpu"] = {k: after[k] - used[k] for k in used}
                    recorded = await _recorded(db_url, directive_id)
                finally:
                    code = _stop_bot(proc)
                results.append((mode, phases[0], phases[1], recorded, code))
                _print(mode, phases[0], phases[1], recorded, code, args.rate)
    parent.send(("stop", None))
    sandbox.join(timeout=10)
    return results


async def _wait_posts(parent: Connection, directive_id: int, chats: int) -> dict[int, int]:
    deadline = time.monotonic() + 60
    while True:
        posts: dict[int, int] = _ask(parent, "posts", directive_id)
        if len(posts) >= chats:
            return posts
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(posts)} of {chats} posts out after 60 s")
        await asyncio.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _print(
    mode: str, at_rate: dict[str, Any], burst: dict[str, Any], recorded: int, code: int,
    rate: float,
) -> None:  # fmt: skip
    ms = 1000.0

    def line(p: dict[str, Any]) -> str:
        lat = p["latencies"]
        per_s = p["answered"] / p["span"] if p["span"] > 0 else float("nan")
        lost = p["offered"] - p["answered"]
        cpu = " ".join(
            f"{k} {v / max(1, p['answered']) * 1e6:.0f}" for k, v in p.get("cpu", {}).items()
        )
        return (
            f"{per_s:6.0f}/s p50 {percentile(lat, 50) * ms:7.1f} ms p99 "
            f"{percentile(lat, 99) * ms:7.1f} ms ({p['answered']}/{p['offered']} answered"
            f"{f', {lost} NOT' if lost else ''}; CPU µs/press: {cpu})"
        )

    told = sum(
        n for phase in (at_rate, burst) for text, n in phase["texts"].items() if "ghi nhận" in text
    )
    print(
        f"{mode:>10}: at {rate:g}/s {line(at_rate)} · at capacity {line(burst)} · "
        f"recorded {recorded} (told recorded {told}) · exit {code}",
        flush=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--baseline-bot":
        sys.path.insert(0, str(ROOT))
        baseline_bot(sys.argv[2])
