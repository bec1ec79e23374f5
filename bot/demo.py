"""``chithi demo``: the sandbox Bot API server, the real bot, the bundled sample province and a
short scripted scene, printed as it happens and closed with a summary.

Everything runs on this machine: the bot talks HTTP to the sandbox exactly as it would to
Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from bot.app import build_application, running
from bot.config import Settings
from bot.i18n import Texts, Translator
from bot.services.buttons import is_confirm
from bot.services.drafts import read_directive_file
from bot.services.phones import normalise_phone
from bot.services.publish import publish
from bot.services.tree import import_members, import_units
from storage import queries
from storage.db import transaction, upgrade
from storage.models import Chat, Confirmation, Delivery, Member, Membership, Unit

if TYPE_CHECKING:  # the sandbox is imported only when the demo runs (never by the bot itself)
    from sandbox import SandboxServer

SAMPLE = Path(__file__).parent / "sample_data"
DEMO_DB = Path("data") / "demo.db"
NUMBER = "1208-CV/BTGTU"
CELL = "BP-DX-01"  # the cell the scene plays in


@dataclass
class Narrator:
    """Prints the scene: who says what, what the bot answers."""

    t: Translator
    start: float = field(default_factory=time.monotonic)

    def _stamp(self) -> str:
        return f"[{time.monotonic() - self.start:5.1f}s]"

    def step(self, key: str, **args: Any) -> None:
        print(f"\n{self._stamp()} ▶ {self.t(key, **args)}")

    def user(self, name: str, text: str, where: str) -> None:
        print(f"{self._stamp()}   👤 {name} ({where}): {text}")

    def bot(self, text: str, where: str) -> None:
        print(f"{self._stamp()}   🤖 Chithi ({where}):")
        for line in text.strip().splitlines():
            print(f"        {line}")

    def message(self, message: dict[str, Any], where: str, *, brief: bool = False) -> None:
        """A message as the member sees it: the whole text (or a photo and its caption) and
        its buttons drawn under it; ``brief``: the first line and the buttons."""
        text = str(message.get("text") or message.get("caption") or "")
        if brief:
            text = text.strip().splitlines()[0] if text.strip() else ""
        if message.get("photo"):
            text = f"🖼 {self.t('demo-photo')}\n{text}"
        self.bot(text, where)
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            print("        " + "  ".join(_button(b) for b in row))

    def toast(self, name: str, text: str) -> None:
        print(f"{self._stamp()}   💬 {self.t('demo-toast', name=name)}: {text}")


class Scene:
    """The demo's people and chats on the sandbox, with conversation helpers."""

    def __init__(self, sandbox: SandboxServer, token: str, say: Narrator) -> None:
        self.sandbox, self.token, self.say = sandbox, token, say
        from sandbox import Driver

        self.driver = Driver(sandbox, token)

    async def send(
        self, user: Any, text: str, chat: Any = None, where: str = "", replies: int = 1
    ) -> list[dict[str, Any]]:
        self.say.user(user.first_name, text, where or self.say.t("demo-private"))
        new = await self.driver.send(
            user, text, chat_id=None if chat is None else chat.id, replies=replies, timeout=15
        )
        for message in new:
            self.say.message(message, where or self.say.t("demo-private"))
        return new

    async def share_contact(self, user: Any) -> list[dict[str, Any]]:
        """``user`` presses the bot's "share my phone number" button."""
        where = self.say.t("demo-private")
        self.say.user(user.first_name, self.say.t("demo-shares-phone"), where)
        new = await self.driver.share_contact(user, timeout=15)
        for message in new:
            self.say.message(message, where)
        return new

    async def press(self, user: Any, chat_id: int, message: dict[str, Any], index: int) -> str:
        button = message["reply_markup"]["inline_keyboard"][0][index]
        shown = await self.driver.press(
            user, chat_id, message["message_id"], button["callback_data"], timeout=15
        )
        answer = str(shown.get("text") or "")
        self.say.toast(user.first_name, f"[{button['text']}] → {answer}")
        return answer


def _button(button: dict[str, Any]) -> str:
    return f"[ {button['text']} ↗ ]" if button.get("url") else f"[ {button['text']} ]"


async def _wait(predicate: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("demo step did not finish in time")
        await asyncio.sleep(0.1)


@dataclass
class Cast:
    """Who the scene adds to the sample, for the figures it explains."""

    sample_members: int = 0  # people in the sample list
    cell_sample: int = 0  # of them, in the cell the scene plays in
    added: int = 0  # people the scene adds (imported or joining by link)


async def _demo(settings: Settings, database_url: str) -> int:
    texts = Texts(settings.locale.default_language)
    say = Narrator(texts.for_lang(None))
    # "Application started/stopping" would interleave with the scene: the narration says it all.
    logging.getLogger("telegram.ext.Application").setLevel(logging.WARNING)
    settings = settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={"url": database_url, "auto_upgrade": False}
            ),
            "delivery": settings.delivery.model_copy(update={"counter_refresh_seconds": 1.0}),
        }
    )
    say.step("demo-intro", db=database_url)
    await upgrade(database_url)
    flood = settings.flood
    from sandbox import FloodLimits, SandboxServer

    sandbox = SandboxServer(
        limits=FloodLimits(
            enabled=True,
            global_per_second=flood.global_per_second,
            per_chat_per_second=flood.per_chat_per_second,
            per_group_per_minute=flood.per_group_per_minute,
        )
    )
    await sandbox.start()
    token = sandbox.create_bot(username="chithi_bot", first_name="Chithi")
    say.step("demo-sandbox", url=sandbox.url)
    app = build_application(
        settings, token=token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    )
    cast = Cast()
    try:
        async with running(app):
            rt = app.bot_data.runtime
            assert rt is not None
            await _scene(Scene(sandbox, token, say), rt.sessions, settings, texts, rt.now, cast)
            await _outbox_done(rt.sessions)  # every queued message out before the summary
            async with rt.sessions() as s:
                figures = {
                    "units": await s.scalar(select(func.count(Unit.id))),
                    "members": await s.scalar(select(func.count(Member.id))),
                    "chats": await s.scalar(select(func.count(Chat.id))),
                    "sent": await s.scalar(
                        select(func.count(Delivery.id)).where(Delivery.state == "sent")
                    ),
                    "confirmations": await s.scalar(select(func.count(Confirmation.id))),
                }
    finally:
        await sandbox.stop()
    methods = Counter(call.method for call in sandbox.calls)
    say.step(
        "demo-summary",
        **figures,
        sample=cast.sample_members,
        added=cast.added,
        calls=len(sandbox.calls),
        methods=", ".join(f"{m} {n}" for m, n in methods.most_common()),
        flood=sandbox.stats.flood_total,
    )
    say.step("demo-next", where=_where(database_url), url=database_url)
    print(say.t("demo-real"))
    return 0


def _where(database_url: str) -> str:
    """The demo database as a person would look for it: the file's full path, or the URL."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix):
        return str(Path(database_url.removeprefix(prefix)).resolve())
    return database_url


async def _outbox_done(sessions: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        async with sessions() as s:
            busy = await s.scalar(
                select(func.count(Delivery.id)).where(Delivery.state.in_(("queued", "sending")))
            )
        if not busy:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("demo: messages still queued")
        await asyncio.sleep(0.1)


async def _scene(
    sc: Scene,
    sessions: Any,
    settings: Settings,
    texts: Texts,
    now: Callable[[], Any],
    cast: Cast,
) -> None:
    say, sandbox, token = sc.say, sc.sandbox, sc.token
    say.step("demo-import")
    async with transaction(sessions) as s:
        units = await import_units(s, (SAMPLE / "units.csv").read_text(encoding="utf-8"))
    async with transaction(sessions) as s:
        members = await import_members(s, (SAMPLE / "members.csv").read_text(encoding="utf-8"))
    say.step("demo-imported", units=units.created, members=members.created)
    cast.sample_members = members.created

    secretary = sandbox.create_user(first_name="Thu", last_name="Hồ Thị", language_code="vi")
    phuc = sandbox.create_user(first_name="Phúc", last_name="Lâm Văn", language_code="vi")
    an = sandbox.create_user(
        first_name="An", last_name="Nguyễn Văn", language_code="vi", phone_number="0912 345 678"
    )
    async with transaction(sessions) as s:
        cell = await queries.unit_by_code(s, CELL)
        assert cell is not None
        cast.cell_sample = await _people_in(s, cell.id)
        await import_members(
            s,
            (
                "telegram_id,full_name,username,unit_code,role,language\n"
                f"{secretary.id},Hồ Thị Thu,,{CELL},secretary,vi\n"
                f"{phuc.id},Lâm Văn Phúc,,{CELL},member,vi\n"
            ),
        )
        # An is on the cell's list (with a phone number) but has not used the bot yet.
        entry = Member(
            full_name="Nguyễn Văn An", phone=normalise_phone("0912 345 678"), language="vi"
        )
        s.add(entry)
        await s.flush()
        s.add(Membership(member_id=entry.id, unit_id=cell.id, role="member"))
        join_token = cell.join_token
    cast.added = 3  # Thu and Phúc imported here, An on the list claiming his entry below
    say.step(
        "demo-cast",
        cell=CELL,
        sample=cast.cell_sample,
        total=cast.cell_sample + cast.added,
        members=cast.sample_members + cast.added,
    )
    group = sandbox.create_chat(type="supergroup", title="Chi bộ trạm y tế 1 (Đồng Xoài)")
    for person in (secretary, phuc, an):
        sandbox.add_chat_member(group.id, person.id)
    sandbox.add_bot_to_chat(group.id, token, by_user_id=secretary.id)
    where = group.title or ""

    say.step("demo-link")
    await sc.send(secretary, f"/link {CELL}", chat=group, where=where)

    say.step("demo-join")
    await sc.send(an, f"/start {join_token}", replies=2)
    await sc.share_contact(an)

    say.step("demo-publish", number=NUMBER)
    [draft] = [d for d in read_directive_file(SAMPLE / "directives.toml") if d.number == NUMBER]
    async with transaction(sessions) as s:
        result = await publish(
            s,
            draft,
            publisher=None,
            config_admins=settings.bot.admins,
            now=now(),
            tz=settings.locale.tz,
            texts=texts,
            reminder_settings=settings.reminders,
        )
        methods = Counter(
            str(payload.get("method"))
            for payload in await s.scalars(
                select(Delivery.payload).where(Delivery.directive_id == result.directive.id)
            )
        )
    say.step(
        "demo-published",
        chats=result.chats,
        private=result.private_copies,
        messages=result.messages,
        qr=methods["qr"],
    )
    await _wait(lambda: bool(_posts(sandbox, group.id)))
    [post] = _posts(sandbox, group.id)
    say.message(post, where)

    if methods["qr"]:
        say.step(
            "demo-qr",
            per_second=settings.flood.per_chat_per_second,
            per_minute=settings.flood.per_group_per_minute,
        )
        await _wait(lambda: any(m.get("photo") for m in sandbox.messages(group.id)))
        for photo in (m for m in sandbox.messages(group.id) if m.get("photo")):
            say.message(photo, where)

    say.step("demo-private-copy")
    await _wait(lambda: bool(_posts(sandbox, an.id)))
    [copy] = _posts(sandbox, an.id)
    say.message(copy, say.t("demo-private"), brief=True)

    say.step("demo-press")
    await sc.press(phuc, group.id, post, 0)
    await sc.press(an, group.id, post, 1)
    await sc.press(an, group.id, post, 1)

    say.step("demo-counters")
    await _wait(
        lambda: (
            "Đã nhận 2/" in _post_text(sandbox, group.id)
            or "Received 2/" in _post_text(sandbox, group.id)
        )
    )
    say.bot(_post_text(sandbox, group.id).strip().splitlines()[-1], where)
    say.step("demo-counters-why", total=cast.cell_sample + cast.added)

    say.step("demo-pending")
    await sc.send(secretary, f"/pending {NUMBER}")


async def _people_in(session: Any, unit_id: int) -> int:
    return int(
        await session.scalar(select(func.count(Membership.id)).where(Membership.unit_id == unit_id))
        or 0
    )


def _posts(sandbox: SandboxServer, chat_id: int) -> list[dict[str, Any]]:
    """The directive's posts in a chat: the messages with confirmation buttons."""
    return [
        m
        for m in sandbox.messages(chat_id)
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])[:1]
        if any(is_confirm(b.get("callback_data")) for b in row)
    ]


def _post_text(sandbox: SandboxServer, chat_id: int) -> str:
    posts = _posts(sandbox, chat_id)
    return str(posts[0].get("text", "")) if posts else ""


def run_demo(settings: Settings, database_url: str | None = None) -> int:
    """Run the scene; without a database URL, on a fresh ``data/demo.db``."""
    if database_url is None:
        DEMO_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):  # a fresh file each time: the scene is repeatable
            Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite+aiosqlite:///{DEMO_DB}"
    return asyncio.run(_demo(settings, database_url))
