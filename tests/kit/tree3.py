"""A generated three-level tree with known confirmations, shared by the roll-up, export and
report-draft tests: P → D1 (C1, C2, C3 empty), D2 (C4), D3 (C5) not targeted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Confirmation,
    Directive,
    DirectiveTarget,
    Meeting,
    Member,
    Membership,
    ReportCycle,
    Unit,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _unit(s: AsyncSession, code: str, parent: Unit | None) -> Unit:
    unit = Unit(
        code=code,
        name=f"Đơn vị {code}",
        kind="cell" if parent and parent.parent_id else "district" if parent else "province",
        parent_id=parent.id if parent else None,
        path="/",
        depth=parent.depth + 1 if parent else 0,
        join_token=f"tok-{code}",
    )
    s.add(unit)
    await s.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    await s.flush()
    return unit


async def _people(s: AsyncSession, unit: Unit, n: int, tag: str) -> list[Member]:
    people = [Member(telegram_id=None, full_name=f"{tag} {i}") for i in range(n)]
    s.add_all(people)
    await s.flush()
    s.add_all(Membership(member_id=m.id, unit_id=unit.id) for m in people)
    return people


def _confirm(
    d: Directive, people: list[Member], kind: str, how: str = "press", meeting: int | None = None
) -> list[Confirmation]:
    return [
        Confirmation(
            directive_id=d.id, member_id=m.id, kind=kind, at=NOW, how=how, meeting_id=meeting
        )
        for m in people
    ]


async def province(s: AsyncSession) -> dict[str, object]:
    """P → D1 (cells C1: 10 people, C2: 4, C3: empty), D2 (cell C4: 5); D3 not targeted.

    D1 itself lists 2 people (its committee), one of whom (shared) is also in C1."""
    p = await _unit(s, "P", None)
    d1, d2, d3 = [await _unit(s, c, p) for c in ("D1", "D2", "D3")]
    c1, c2, c3 = [await _unit(s, c, d1) for c in ("C1", "C2", "C3")]
    c4 = await _unit(s, "C4", d2)
    await _unit(s, "C5", d3)
    c1p = await _people(s, c1, 10, "c1")
    c2p = await _people(s, c2, 4, "c2")
    c4p = await _people(s, c4, 5, "c4")
    d1p = await _people(s, d1, 1, "d1")
    s.add(Membership(member_id=c1p[0].id, unit_id=d1.id))  # in C1 and in D1's committee
    await _people(s, d3, 7, "d3")  # outside the targets: never counted
    directive = Directive(number="1-CV/T", title="t", issuer="i", body="", published_at=NOW)
    s.add(directive)
    await s.flush()
    s.add_all(DirectiveTarget(directive_id=directive.id, unit_id=u.id) for u in (d1, d2))
    meeting = Meeting(directive_id=directive.id, unit_id=c1.id, held_on=date(2026, 11, 30))
    s.add(meeting)
    await s.flush()
    # C1: 8 received; 6 studied (4 in the app, 2 at the meeting), the shared one among them.
    s.add_all(_confirm(directive, c1p[:8], "received"))
    s.add_all(_confirm(directive, c1p[:4], "studied"))
    s.add_all(_confirm(directive, c1p[4:6], "studied", "meeting", meeting.id))
    # C2: 1 received; C4: 5 received, 5 studied (one marked by the secretary); D1's own: 1.
    s.add_all(_confirm(directive, c2p[:1], "received"))
    s.add_all(_confirm(directive, c4p, "received"))
    s.add_all(_confirm(directive, c4p[:4], "studied"))
    s.add_all(_confirm(directive, c4p[4:], "studied", "behalf"))
    s.add_all(_confirm(directive, d1p, "received"))
    # Reports: C1 submitted its due cycle, C2 did not, C4's is not due yet but came early.
    s.add_all(
        [
            ReportCycle(
                directive_id=directive.id,
                unit_id=c1.id,
                cycle=0,
                due_at=NOW - timedelta(days=1),
                submitted_at=NOW - timedelta(days=2),
            ),
            ReportCycle(
                directive_id=directive.id, unit_id=c2.id, cycle=0, due_at=NOW - timedelta(days=1)
            ),
            ReportCycle(
                directive_id=directive.id,
                unit_id=c4.id,
                cycle=0,
                due_at=NOW + timedelta(days=3),
                submitted_at=NOW - timedelta(hours=1),
            ),
        ]
    )
    # D1 forwarded the directive as its own document.
    s.add(
        Directive(
            number="9-CV/D1",
            title="t",
            issuer="i",
            body="",
            parent_id=directive.id,
            issuer_unit_id=d1.id,
        )
    )
    await s.flush()
    return {"directive": directive, "p": p, "d1": d1, "d2": d2, "c1": c1, "c3": c3}
