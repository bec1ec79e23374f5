"""/me: a member's open directives with what they have confirmed, and the posts' own buttons;
a press on them goes through the press lane and is recorded like one on a post."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.services.drafts import DirectiveDraft
from bot.services.publish import publish
from storage import queries
from storage.models import Confirmation, Directive
from tests.kit.harness import Harness, MakeHarness, buttons_of
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import build_scene


async def _publish(h: Harness, number: str, targets: list[str]) -> int:
    draft = DirectiveDraft(
        number=number, title=f"Tiêu đề {number}", issuer="Huyện ủy", targets=targets
    )
    async with h.db() as s:
        result = await publish(
            s,
            draft,
            publisher=None,
            config_admins=[],
            now=h.rt.now(),
            tz=h.settings.locale.tz,
            texts=h.rt.texts,
        )
        return result.directive.id


async def test_me_lists_open_directives_and_records_a_press(
    make_harness: MakeHarness, db_url: str
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene = await build_scene(h)
        sample = await publish_sample(h, scene)
        await publish_sample(h, scene, "1539-CV/HU")  # Hớn Quản only: not m1's
        closed = await _publish(h, "7-TB/HU", ["BP-DX"])
        mine = await _publish(h, "8-TB/HU", ["BP-DX-01"])
        await h.outbox_idle()
        m1 = scene.users["m1"]
        async with h.db() as s:
            gone = await s.get(Directive, closed)
            assert gone is not None
            gone.status = "closed"
            member = await queries.member_by_telegram_id(s, m1.id)
            assert member is not None
            s.add(
                Confirmation(
                    directive_id=sample,
                    member_id=member.id,
                    kind="received",
                    at=datetime(2026, 12, 1, tzinfo=UTC),
                )
            )
            member_id = member.id

        [answer] = await h.send(m1, "/me")
        text = answer["text"]
        assert text.startswith("📄 Văn bản gửi đến đồng chí")
        assert "1. 8-TB/HU — Tiêu đề 8-TB/HU\n   ⏳ chưa nhận · ⏳ chưa học tập" in text
        assert f"2. {NUMBER} — " in text and "   ✅ đã nhận · ⏳ chưa học tập" in text
        assert "1539-CV/HU" not in text and "7-TB/HU" not in text
        labels = {b["text"]: b["callback_data"] for b in buttons_of(answer)}
        assert labels == {
            "✅ Đã nhận · 8-TB/HU": f"c:{mine}:r",
            "📖 Đã học tập · 8-TB/HU": f"c:{mine}:s",
            f"📖 Đã học tập · {NUMBER}": f"c:{sample}:s",
        }

        toast = await h.press(m1, m1.id, answer["message_id"], f"c:{sample}:s")
        assert toast["text"] == f"📖 Đã ghi nhận: đồng chí đã học tập văn bản {NUMBER}. Cảm ơn!"
        async with h.db() as s:
            kinds = set(
                (
                    await s.execute(
                        select(Confirmation.directive_id, Confirmation.kind).where(
                            Confirmation.member_id == member_id
                        )
                    )
                ).all()
            )
        assert kinds == {(sample, "received"), (sample, "studied")}
        [again] = await h.send(m1, "/me")
        assert "✅ đã nhận · ✅ đã học tập" in again["text"]
        assert f"c:{sample}:s" not in {b["callback_data"] for b in buttons_of(again)}


async def test_me_in_a_group_answers_in_private_and_strangers_are_told(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await publish_sample(h, scene)
    m1 = scene.users["m1"]
    await h.send(m1, "/start")
    group = scene.groups["BP-DX-01"].id
    [told] = await h.send(m1, "/me", chat_id=group)
    assert NUMBER not in told["text"]  # nothing personal in the group
    private = h.bot_messages(m1.id)[-1]
    assert private["text"].startswith("📄 Văn bản gửi đến đồng chí") and NUMBER in private["text"]
    stranger = h.user("Khách")
    [answer] = await h.send(stranger, "/me")
    assert answer["text"].startswith("Đồng chí chưa có tên trong danh sách đơn vị nào.")
