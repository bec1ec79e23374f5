"""End to end through the sandbox: /start and /help answer in the user's language."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Member
from tests.kit.harness import Harness


async def test_start_welcomes_in_vietnamese_and_remembers_the_private_chat(
    harness: Harness,
) -> None:
    lan = harness.user("Lan", last_name="Nguyễn", language="vi")
    [reply] = await harness.send(lan, "/start")
    assert reply["text"].startswith("Xin chào Lan! Tôi là Chithi")
    assert "Gõ /help để xem các lệnh." in reply["text"]
    async with harness.db() as s:
        member = await s.scalar(select(Member).where(Member.telegram_id == lan.id))
    assert member is not None
    assert (member.full_name, member.language, member.private_chat) == ("Lan Nguyễn", "vi", True)


async def test_start_welcomes_an_english_user_in_english(harness: Harness) -> None:
    john = harness.user("John", language="en-GB")
    [reply] = await harness.send(john, "/start")
    assert reply["text"].startswith("Hello John! I am Chithi")


async def test_unsupported_language_falls_back_to_vietnamese(harness: Harness) -> None:
    pierre = harness.user("Pierre", language="fr")
    [reply] = await harness.send(pierre, "/start")
    assert reply["text"].startswith("Xin chào Pierre!")


async def test_help_lists_the_commands(harness: Harness) -> None:
    lan = harness.user("Lan")
    [reply] = await harness.send(lan, "/help")
    assert reply["text"].startswith("Các lệnh của Chithi")
    assert "/pending" in reply["text"]


async def test_unknown_command_gets_a_hint(harness: Harness) -> None:
    lan = harness.user("Lan")
    [reply] = await harness.send(lan, "/xyz")
    assert reply["text"] == "Không có lệnh /xyz. Gõ /help để xem các lệnh."


async def test_bot_registers_its_commands_in_both_languages(harness: Harness) -> None:
    calls = [c for c in harness.sandbox.calls if c.method == "setMyCommands"]
    by_lang = {c.params.get("language_code"): c.params["commands"] for c in calls}
    # Everyone's menu is a member's: the managers' commands are in their own chats only.
    assert {"start", "mydata", "leave"} <= {c["command"] for c in by_lang[None]}
    assert "pending" not in {c["command"] for c in by_lang[None]}
    assert any(c["description"] == "My data" for c in by_lang["en"])
