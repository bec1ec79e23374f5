"""Study at a meeting (/meeting checklist) and confirmations on someone's behalf (/mark): they
count like presses (counters, /pending), are audited, stay within the secretary's units, and
the checklist's buttons are the secretary's own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.models import (
    AuditEvent,
    Confirmation,
    DialogueDraft,
    Meeting,
    Member,
    Membership,
)
from tests.kit.harness import (
    JSON,
    FakeClock,
    Harness,
    MakeHarness,
    bot_on_sandbox,
    buttons_of,
    make_settings,
)
from tests.kit.publishing import NUMBER, post_in, publish_sample
from tests.kit.roster import CELL, twenty_in_the_cell
from tests.kit.scene import Scene, build_scene

ABSENT = ["Đinh Văn Dung", "Lê Duy", "Mai Thị Hà", "Trần Văn Uy", "Đặng Thị Yến"]


def latest(h: Harness, user: Any) -> JSON:
    return next(m for m in reversed(h.bot_messages(user.id)) if m.get("reply_markup"))


async def tap(h: Harness, user: Any, label: str) -> JSON:
    """Press the button of the user's latest keyboard whose text is or starts with ``label``."""
    message = latest(h, user)
    [data] = [b["callback_data"] for b in buttons_of(message) if b["text"].startswith(label)]
    answer = await h.press(user, user.id, message["message_id"], data)
    await h.settle()  # the toast is answered before the message is edited
    return answer


async def forge(h: Harness, user: Any, chat_id: int, message_id: int, data: str) -> JSON:
    """A press whose data is not (or no longer) a button of the message."""
    query = h.sandbox.press_button(h.token, user.id, chat_id, message_id, data, forged=True)
    await h.sandbox.wait_for(lambda: query in h.sandbox.callback_answers)
    return dict(h.sandbox.callback_answers[query])


async def _published(h: Harness) -> tuple[Scene, int]:
    scene = await build_scene(h)
    await twenty_in_the_cell(h, scene)
    return scene, await publish_sample(h, scene)


async def test_a_meeting_records_its_attendees_as_studied(
    make_harness: MakeHarness, db_url: str
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene, directive_id = await _published(h)
        cell = scene.groups[CELL].id
        post = post_in(h, cell)
        await h.press(scene.users["m1"], cell, post["message_id"], f"c:{directive_id}:r")
        secretary = scene.users["sec_dx01"]

        [checklist] = await h.send(secretary, f"/meeting {NUMBER} 09/01/2027")
        lines = checklist["text"].splitlines()
        assert lines[0] == f"📖 Học tập tại buổi sinh hoạt — văn bản {NUMBER}"
        assert lines[1] == "Chi bộ trạm y tế 1 (BP-DX-01), ngày 09/01/2027"
        assert lines[2].startswith("Có mặt: 20/20.")
        assert lines[-1] == "Trang 1/2"
        names = [b["text"] for b in buttons_of(checklist)][:15]
        assert names[:4] == ["☑ Trịnh Văn An", "☑ Lý Văn Anh", "☑ Trần Thị Anh", "☑ Vũ Thị Ánh"]

        for name in ABSENT[:3]:  # on the first page
            assert not (await tap(h, secretary, f"☑ {name}")).get("text")
        await tap(h, secretary, "Trang sau")
        for name in ABSENT[3:]:
            await tap(h, secretary, f"☑ {name}")
        page = latest(h, secretary)
        assert page["text"].splitlines()[2].startswith("Có mặt: 15/20.")
        assert "☐ Đặng Thị Yến" in [b["text"] for b in buttons_of(page)]
        save = next(b for b in buttons_of(page) if b["text"] == "💾 Lưu")["callback_data"]
        # A double Save, both presses made while the keyboard is still there: recorded once.
        queries = [
            h.sandbox.press_button(h.token, secretary.id, secretary.id, page["message_id"], save)
            for _ in range(2)
        ]
        answers = h.sandbox.callback_answers
        await h.sandbox.wait_for(lambda: all(q in answers for q in queries))
        await h.settle()
        toasts = sorted(str(answers[q].get("text") or "") for q in queries)
        assert toasts == ["", "Danh sách này đã lưu hoặc đã huỷ."]
        late = await forge(h, secretary, secretary.id, page["message_id"], save)
        assert late["text"] == "Danh sách này đã lưu hoặc đã huỷ."  # the keyboard is gone
        done = h.bot_messages(secretary.id)[-1]
        assert done["text"] == (
            "✅ Đã ghi nhận buổi sinh hoạt ngày 09/01/2027 của Chi bộ trạm y tế 1: 15/20 đồng chí"
            f" có mặt, đã học tập văn bản {NUMBER}."
        )

        async with h.db() as s:
            meeting = (await s.scalars(select(Meeting))).one()
            assert (meeting.attendees, meeting.held_on.isoformat()) == (15, "2027-01-09")
            rows = (
                await s.execute(
                    select(Member.full_name, Confirmation.kind, Confirmation.how)
                    .join(Member, Member.id == Confirmation.member_id)
                    .where(Confirmation.meeting_id == meeting.id)
                )
            ).all()
            studied = {n for n, k, how in rows if k == "studied" and how == "meeting"}
            assert len(studied) == 15 and not studied & set(ABSENT)
            # m1's own press is kept as it was; the meeting adds only their study
            received = {n for n, k, _ in rows if k == "received"}
            assert len(received) == 14 and "Phan Minh Tuấn" not in received
            by = await s.scalar(select(Member.id).where(Member.telegram_id == secretary.id))
            assert {
                r
                for (r,) in await s.execute(
                    select(Confirmation.recorded_by).where(Confirmation.how == "meeting")
                )
            } == {by}
            press = await s.scalar(
                select(Confirmation.how)
                .join(Member, Member.id == Confirmation.member_id)
                .where(Member.full_name == "Phan Minh Tuấn", Confirmation.kind == "received")
            )
            assert press == "press"
            [audit] = await s.scalars(select(AuditEvent).where(AuditEvent.action == "meeting"))
            assert audit.actor == str(secretary.id) and audit.detail["recorded_by"] == by
            assert len(audit.detail["attendees"]) == 15 and audit.detail["absent"] == 5
            assert await s.scalar(select(func.count()).select_from(DialogueDraft)) == 0

        await h.settle(lambda: post_in(h, cell)["text"].endswith("Đã nhận 15/20 · Đã học 15/20"))
        [reply] = await h.send(secretary, f"/pending {NUMBER}")
        lines = reply["text"].splitlines()
        assert "⏳ Chi bộ trạm y tế 1 (BP-DX-01): nhận 15/20 · học 15/20" in lines
        assert "   Chưa nhận (1): Đặng Thị Yến" in lines
        assert (
            "   Chưa sử dụng Chithi, cần liên hệ trực tiếp (4): "
            "Đinh Văn Dung, Lê Duy, Mai Thị Hà, Trần Văn Uy"
        ) in lines
        assert not any(line.startswith("   Đã nhận, chưa học tập") for line in lines)


async def test_meetings_and_marks_stay_in_the_secretarys_own_units(
    make_harness: MakeHarness, db_url: str
) -> None:
    async with make_harness(db_url=db_url) as h:
        scene, directive_id = await _published(h)
        outsider = scene.users["m6"]  # made secretary of BP-BL-01, another cell
        async with h.db() as s:
            m6 = await s.scalar(select(Member.id).where(Member.telegram_id == outsider.id))
            membership = await s.scalar(select(Membership).where(Membership.member_id == m6))
            assert membership is not None
            membership.role = "secretary"
        [reply] = await h.send(outsider, f"/meeting {NUMBER} {CELL}")
        assert reply["text"].startswith(f'Không có đơn vị mã "{CELL}" trong các đơn vị')
        [reply] = await h.send(outsider, f"/mark {NUMBER} Lê Duy")
        assert (
            reply["text"]
            == "Không thấy đồng chí nào tên «Lê Duy» trong các đơn vị đồng chí phụ trách."
        )
        [reply] = await h.send(scene.users["m1"], f"/meeting {NUMBER}")
        assert reply["text"].startswith("Lệnh này dành cho bí thư")
        secretary = scene.users["sec_dx01"]
        [reply] = await h.send(secretary, f"/meeting {NUMBER} 31/12/2099")
        assert reply["text"] == "Ngày 31/12/2099 chưa tới. Xin ghi ngày đã họp."
        [reply] = await h.send(secretary, f"/meeting {NUMBER} 32/01/2027")
        assert reply["text"].startswith("Ngày không hợp lệ.")

        # A forged checklist press (data not on the message) and another user's press change
        # nothing; a /mark button for someone outside the presser's units is refused.
        [checklist] = await h.send(secretary, f"/meeting {NUMBER}")
        serial = buttons_of(checklist)[0]["callback_data"].split(":")[1]
        forged = await forge(
            h, secretary, secretary.id, checklist["message_id"], f"mt:{serial}:t:19"
        )
        assert forged["text"] == "Danh sách này đã lưu hoặc đã huỷ."
        save = f"mt:{serial}:s"
        stranger = await h.press(outsider, secretary.id, checklist["message_id"], save)
        assert stranger["text"] == "Danh sách này đã lưu hoặc đã huỷ."
        [choice] = await h.send(outsider, f"/mark {NUMBER} Trần Văn Bình")
        [data] = [b["callback_data"] for b in buttons_of(choice) if "Đã nhận" in b["text"]]
        async with h.db() as s:
            duy = await s.scalar(select(Member.id).where(Member.full_name == "Lê Duy"))
        forged_mark = data.rsplit(":", 2)[0].rsplit(":", 1)[0] + f":{duy}:r"
        refused = await forge(h, outsider, outsider.id, choice["message_id"], forged_mark)
        assert refused["text"] == "Nút này không còn hợp lệ."
        async with h.db() as s:
            assert await s.scalar(select(func.count()).select_from(Meeting)) == 0
            assert await s.scalar(select(func.count()).select_from(Confirmation)) == 0
            drafts = (await s.scalars(select(DialogueDraft))).all()
            assert [(d.telegram_id, d.kind, d.state["absent"]) for d in drafts] == [
                (secretary.id, "meeting", [])
            ]

        # The right button, pressed by the secretary of the unit: on their behalf, audited.
        answer = await h.press(outsider, outsider.id, choice["message_id"], data)
        assert (
            answer["text"]
            == f"✅ Đã ghi nhận thay: đồng chí Trần Văn Bình đã nhận văn bản {NUMBER}."
        )
        again = await h.press(outsider, outsider.id, choice["message_id"], data)
        assert again["text"] == "Đồng chí Trần Văn Bình đã được ghi nhận rồi."
        async with h.db() as s:
            row = (await s.scalars(select(Confirmation))).one()
            assert (row.member_id, row.kind, row.how, row.recorded_by) == (
                m6,
                "received",
                "behalf",
                m6,
            )
            [audit] = await s.scalars(select(AuditEvent).where(AuditEvent.action == "mark"))
            assert audit.detail["member"] == m6 and audit.actor == str(outsider.id)
        # The role taken away, the same message's other button is refused (checked again).
        async with h.db() as s:
            membership = await s.scalar(select(Membership).where(Membership.member_id == m6))
            assert membership is not None
            membership.role = "member"
        [studied] = [b["callback_data"] for b in buttons_of(choice) if "Đã học" in b["text"]]
        late = await h.press(outsider, outsider.id, choice["message_id"], studied)
        assert late["text"] == "Nút này không còn hợp lệ."
        async with h.db() as s:
            assert await s.scalar(select(func.count()).select_from(Confirmation)) == 1
        bl = scene.groups["BP-BL-01"].id
        await h.settle(lambda: post_in(h, bl)["text"].endswith("Đã nhận 1/1 · Đã học 0/1"))
        assert directive_id


async def test_a_half_ticked_checklist_survives_a_restart(
    sandbox: Any, db_url: str, clock: FakeClock
) -> None:
    settings = make_settings(db_url)
    async with bot_on_sandbox(sandbox, settings, clock=clock) as h:
        scene, _directive_id = await _published(h)
        secretary = scene.users["sec_dx01"]
        await h.send(secretary, f"/meeting {NUMBER}")
        await tap(h, secretary, "☑ Lê Duy")
        token = h.token

    async with bot_on_sandbox(sandbox, settings, clock=clock, token=token) as h:
        page = latest(h, secretary)
        assert page["text"].splitlines()[1].endswith("ngày 10/01/2027")  # today, local time
        assert page["text"].splitlines()[2].startswith("Có mặt: 19/20.")
        await tap(h, secretary, "☑ Mai Thị Hà")  # a button sent before the restart still works
        await tap(h, secretary, "💾 Lưu")
        async with h.db() as s:
            meeting = (await s.scalars(select(Meeting))).one()
            assert meeting.attendees == 18
            absent = await s.scalar(
                select(func.count())
                .select_from(Confirmation)
                .join(Member, Member.id == Confirmation.member_id)
                .where(Member.full_name.in_(["Lê Duy", "Mai Thị Hà"]))
            )
            assert absent == 0
