"""``chithi run`` in webhook mode as real processes against the sandbox in the test process:
SIGTERM in the middle of a burst of presses loses none; two worker processes sharing one port
on PostgreSQL split presses and posts without doing any twice; refusals in one line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import func, select

from bot.i18n import Texts
from bot.intake.start_gate import StartGate
from bot.services.buttons import confirm_data
from bot.services.drafts import DirectiveDraft
from bot.services.publish import publish
from bot.services.tree import import_members, import_units
from sandbox import SandboxServer
from storage import queries
from storage.db import create_engine, session_factory, transaction
from storage.models import Chat, Confirmation, Delivery, Member
from tests.kit.paths import ROOT

SECRET = "proc-secret"
RECORDED = "✅ Đã ghi nhận: đồng chí đã nhận văn bản WH-1. Cảm ơn!"


@dataclass
class Province:
    token: str
    chats: list[tuple[int, list[int]]]  # (chat id, member ids)
    directive_id: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def province(sandbox: SandboxServer, db_url: str, chats: int, per_chat: int) -> Province:
    """``chats`` groups of ``per_chat`` members (on the sandbox and in the database), each
    linked to its cell."""
    token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    found = Province(token, [])
    for c in range(chats):
        chat = sandbox.create_chat(type="supergroup", title=f"Chi bộ {c}")
        users = [sandbox.create_user(first_name=f"Người {c}-{i}").id for i in range(per_chat)]
        for uid in users:
            sandbox.add_chat_member(chat.id, uid)
        sandbox.add_bot_to_chat(chat.id, token, announce=False)
        found.chats.append((chat.id, users))
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        units = "code,parent_code,name,kind\nROOT,,Tỉnh,province\n" + "".join(
            f"C{c},ROOT,Chi bộ {c},cell\n" for c in range(chats)
        )
        rows = "".join(
            f"{uid},Người {c}-{i},,C{c},member,vi\n"
            for c, (_, users) in enumerate(found.chats)
            for i, uid in enumerate(users)
        )
        async with transaction(sessions) as s:
            await import_units(s, units)
            await import_members(
                s, "telegram_id,full_name,username,unit_code,role,language\n" + rows
            )
        async with transaction(sessions) as s:
            for c, (chat_id, _) in enumerate(found.chats):
                unit = await queries.unit_by_code(s, f"C{c}")
                assert unit is not None
                s.add(Chat(telegram_id=chat_id, type="supergroup", title=f"C{c}", unit_id=unit.id))
    finally:
        await engine.dispose()
    return found


async def publish_wh1(db_url: str, found: Province) -> None:
    """Directive WH-1 to every cell: its posts queued in the outbox for the bot to send."""
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        draft = DirectiveDraft(
            number="WH-1", title="Webhook", issuer="Tỉnh", targets=["ROOT"], body="Thử."
        )
        async with transaction(sessions) as s:
            result = await publish(
                s,
                draft,
                publisher=None,
                config_admins=[],
                now=datetime.now(UTC),
                tz=ZoneInfo("Asia/Ho_Chi_Minh"),
                texts=Texts("vi"),
            )
            found.directive_id = result.directive.id
    finally:
        await engine.dispose()


def write_config(path: Path, sandbox: SandboxServer, token: str, db_url: str, port: int) -> Path:
    path.write_text(
        f"""
[bot]
token = "{token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
mode = "webhook"

[webhook]
listen = "127.0.0.1"
port = {port}
public_url = "http://127.0.0.1:{port}"
secret_token = "{SECRET}"
max_connections = 40

[database]
url = "{db_url}"
auto_upgrade = false

[flood]
global_per_second = 100  # a sender alone claims ~2 s of sending: 500 posts need both
per_chat_per_second = 50
per_group_per_minute = 3000

[delivery]
batch_size = 20
poll_interval_seconds = 0.05
counter_refresh_seconds = 3600

[reminders]
tick_seconds = 3600

[log]
level = "WARNING"
""",
        encoding="utf-8",
    )
    return path


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    log: IO[bytes]

    @classmethod
    async def start(cls, config: Path, log_path: Path, *args: str) -> BotProcess:
        log = log_path.open("ab")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run", *args,
            stdout=log, stderr=log, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        return cls(proc, log)

    async def stop(self, timeout: float = 30.0) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        self.log.close()
        return code


async def healthy(port: int, timeout: float = 90.0) -> dict[str, Any]:
    """Wait for /healthz to answer 200 (a fresh connection each try); its JSON. (Three Python
    processes starting at once took 28-31 s on the shared 2-core machine at load 10.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await health_once(port)
        except (aiohttp.ClientError, AssertionError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def health_once(port: int) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


async def wait_posted(sandbox: SandboxServer, chats: Sequence[int], timeout: float) -> None:
    await sandbox.wait_for(
        lambda: all(any(m.get("reply_markup") for m in sandbox.messages(c)) for c in chats),
        timeout=timeout,
    )


def press_all(sandbox: SandboxServer, found: Province) -> list[str]:
    data = confirm_data(found.directive_id, "received")
    ids = []
    for chat_id, users in found.chats:
        [post] = [m for m in sandbox.messages(chat_id) if m.get("reply_markup")]
        for uid in users:
            ids.append(sandbox.press_button(found.token, uid, chat_id, post["message_id"], data))
    return ids


async def recorded_members(db_url: str) -> list[int]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            rows = await s.scalars(
                select(Member.telegram_id).join(Confirmation, Confirmation.member_id == Member.id)
            )
            return list(rows.all())
    finally:
        await engine.dispose()


async def test_sigterm_in_a_burst_of_presses_loses_none(
    sandbox: SandboxServer, db_url: str, tmp_path: Path
) -> None:
    found = await province(sandbox, db_url, chats=4, per_chat=400)
    port = free_port()
    config = write_config(tmp_path / "c.toml", sandbox, found.token, db_url, port)
    await publish_wh1(db_url, found)
    first = await BotProcess.start(config, tmp_path / "bot.log")
    await healthy(port)
    await wait_posted(sandbox, [c for c, _ in found.chats], timeout=30)
    ids = press_all(sandbox, found)
    await sandbox.wait_for(lambda: len(sandbox.callback_answers) >= 100, timeout=30)
    assert await first.stop() == 0  # SIGTERM mid-burst: stops accepting, finishes, exits 0
    answered_by_first = len(sandbox.callback_answers)
    # What the first process answered is in the database; the rest waits with "Telegram".
    assert len(await recorded_members(db_url)) >= answered_by_first
    second = await BotProcess.start(config, tmp_path / "bot2.log")
    try:
        await healthy(port)
        await sandbox.wait_for(lambda: all(q in sandbox.callback_answers for q in ids), 60)
        await sandbox.wait_for(lambda: not sandbox.pending_updates(found.token), 30)
    finally:
        assert await second.stop() == 0
    members = await recorded_members(db_url)
    everyone = sorted(uid for _, users in found.chats for uid in users)
    assert sorted(members) == everyone  # every press recorded, each once
    answers = [c for c in sandbox.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == len(ids)  # each press answered once: none handled twice
    assert {sandbox.callback_answers[q]["text"] for q in ids} == {RECORDED}
    print(f"\nfirst process answered {answered_by_first} of {len(ids)} before SIGTERM")


async def test_two_workers_on_one_port_split_presses_and_posts(
    sandbox: SandboxServer, pg_url: str, tmp_path: Path
) -> None:
    found = await province(sandbox, pg_url, chats=500, per_chat=4)
    chats = [c for c, _ in found.chats]
    port = free_port()
    config = write_config(tmp_path / "c.toml", sandbox, found.token, pg_url, port)
    parent = await BotProcess.start(config, tmp_path / "bot.log", "--workers", "2")
    try:
        pids = set()
        for _ in range(600):  # until both processes listen (a fresh connection each try)
            pids.add((await healthy(port))["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, "the second worker process never answered"
        await publish_wh1(pg_url, found)
        await wait_posted(sandbox, chats, timeout=60)
        ids = press_all(sandbox, found)
        assert len(ids) == 2000
        await sandbox.wait_for(lambda: all(q in sandbox.callback_answers for q in ids), 60)
        await sandbox.wait_for(lambda: not sandbox.pending_updates(found.token), 30)
        shares: dict[int, dict[str, Any]] = {}
        for _ in range(200):  # the kernel spreads connections: ask until both have answered
            body = await health_once(port)
            shares[body["pid"]] = body
            if len(shares) == 2:
                break
    finally:
        assert await parent.stop() == 0
    members = await recorded_members(pg_url)
    assert len(members) == 2000 and len(set(members)) == 2000  # every press recorded once
    posts = {c: sum(1 for m in sandbox.messages(c) if m.get("reply_markup")) for c in chats}
    assert set(posts.values()) == {1}  # every chat posted once
    assert {c.params.get("callback_query_id") for c in sandbox.calls
            if c.method == "answerCallbackQuery"} >= set(ids)  # fmt: skip
    engine = create_engine(pg_url)
    try:
        async with session_factory(engine)() as s:
            sent = await s.scalar(select(func.count(Delivery.id)).where(Delivery.state == "sent"))
    finally:
        await engine.dispose()
    assert sent == 500
    assert len(shares) == 2, "only one worker process answered /healthz"
    updates = [b["updates"] for b in shares.values()]
    posted = [b["sent"] for b in shares.values()]
    print(f"\nupdates per process {updates}, posts per process {posted}")
    assert all(n > 0 for n in updates) and sum(updates) >= 2000  # both served presses
    assert all(n > 0 for n in posted) and sum(posted) == 500  # both posted, none twice


async def run_cli(config: Path, *args: str) -> tuple[int, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    return int(proc.returncode or 0), err.decode().strip().splitlines()


async def test_a_second_poller_of_the_same_bot_is_refused_in_one_line(
    sandbox: SandboxServer, db_url: str, tmp_path: Path
) -> None:
    from bot.app import build_application, running
    from tests.kit.harness import make_settings

    token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    app = build_application(
        make_settings(db_url), token=token, base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
    )  # fmt: skip
    config = write_config(tmp_path / "c.toml", sandbox, token, db_url, free_port())
    text = config.read_text(encoding="utf-8").replace('mode = "webhook"', 'mode = "polling"')
    config.write_text(text, encoding="utf-8")
    async with running(app, poller_lease=True):
        code, lines = await run_cli(config)
        polls = [c for c in sandbox.calls if c.method == "getUpdates"]
        assert {c.ok for c in polls} == {True}  # the first poller was never disturbed
    assert code == 2
    assert lines == [f"chithi: {Texts('vi')(None, 'run-poller-taken')}"]


async def test_several_workers_need_webhook_mode_and_postgresql(
    sandbox: SandboxServer, sqlite_url: str, tmp_path: Path
) -> None:
    token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    config = write_config(tmp_path / "c.toml", sandbox, token, sqlite_url, free_port())
    code, lines = await run_cli(config, "--workers", "2")
    t = Texts("vi").for_lang(None)
    assert (code, lines) == (2, [f"chithi: {t('run-workers-need-postgresql', count=2)}"])
    text = config.read_text(encoding="utf-8").replace('mode = "webhook"', 'mode = "polling"')
    config.write_text(text, encoding="utf-8")
    code, lines = await run_cli(config, "--workers", "2")
    assert (code, lines) == (2, [f"chithi: {t('run-workers-need-webhook', count=2)}"])
    assert not sandbox.calls  # refused before reaching the Bot API


async def test_worker_zero_sets_the_webhook_only_once_every_worker_listens(
    tmp_path: Path, caplog: Any
) -> None:
    gate = StartGate(tmp_path, workers=3)
    gate.arrive(0)
    waiting = asyncio.create_task(gate.everyone(timeout=60))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # two workers still starting: no webhook yet
    gate.arrive(2)
    gate.arrive(1)
    assert await asyncio.wait_for(waiting, 10) is True
    late = StartGate(tmp_path / "late", workers=2)
    (tmp_path / "late").mkdir()
    late.arrive(0)
    assert await late.everyone(timeout=0.1) is False  # bounded: the bot still starts
    assert "1 of 2 worker processes listen" in caplog.text
