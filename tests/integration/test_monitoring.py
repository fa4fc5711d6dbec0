"""Monitoring after adoption (issue 21, item 3) on SQLite and PostgreSQL, through the domain
functions the bot calls: the programme started on 1 January 2025, so the resolution (UCHWALA)
is due on Friday 31 July 2026 and a JST adopting it then reports August 2026 - July 2027.

Warszawa records its resolution adopted on 15 September 2026 (late): its reports run October
2026 - September 2027 (R12 due Friday 15 October 2027), DP is due a month after (Monday
15 November 2027), UPOW a month after DP (Wednesday 15 December 2027). Bochnia never adopts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.services import Services
from reminders.attention import jst_states
from storage.monitoring import monitoring_of
from storage.oversight import reports_overdue
from storage.reports import ended_slots
from storage.tasks.resolution import record_resolution
from storage.tasks.transitions import Evidence, TaskChange, review_task, submit_task
from storage.team import MonitoringView, team_view
from tests.support.task_data import seed_teams

START = dt.date(2025, 1, 1)
ADOPTED = dt.date(2026, 9, 15)
D = dt.date


def _now(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


async def _record(services: Services, ids: dict[str, int], today: dt.date) -> TaskChange:
    """Anna hands the plan to ORE on 1 September, then records its resolution with the BIP link."""
    async with services.sessionmaker.begin() as session:
        await submit_task(
            session,
            jst_id=ids["warszawa"],
            person_id=ids["anna"],
            code="HDR_ORE",
            evidence=[Evidence("text", "Plan przekazany do ORE.")],
            now=_now(D(2026, 9, 1)),
            source="test:plan",
        )
        return await record_resolution(
            session,
            jst_id=ids["warszawa"],
            person_id=ids["anna"],
            number="XIV/112/2026",
            adopted_on=ADOPTED,
            proof=[Evidence("link", "https://bip.warszawa.pl/uchwaly/XIV-112-2026")],
            today=today,
            now=_now(today),
            zone=services.settings.zone,
            source=f"test:{today}",
        )


async def _ended(session: AsyncSession, jst_id: int, today: dt.date) -> list[tuple[str, dt.date]]:
    return [(slot.code, slot.month) for slot in await ended_slots(session, jst_id, today)]


async def test_reports_and_dp_follow_each_jsts_resolution(services: Services) -> None:
    ids = await seed_teams(services, START)
    warszawa, bochnia = ids["warszawa"], ids["bochnia"]
    async with services.sessionmaker() as session:
        assert await _ended(session, warszawa, D(2026, 9, 20)) == [], "no report before it"
        view = await team_view(session, warszawa, D(2026, 9, 20))
        assert view.monitoring == MonitoringView(None, D(2026, 7, 31))
        assert view.report is None

    change = await _record(services, ids, D(2026, 9, 20))
    async with services.sessionmaker() as session:
        found = await monitoring_of(session, [warszawa, bochnia])
        assert await _ended(session, warszawa, D(2026, 11, 2)) == [("R01", D(2026, 10, 1))]
        assert await _ended(session, bochnia, D(2027, 12, 1)) == []
        overdue = await reports_overdue(session, [warszawa, bochnia], D(2027, 1, 16))
        view = await team_view(session, warszawa, D(2026, 9, 20))
    own, never = found[warszawa], found[bochnia]
    assert own.adopted_on == ADOPTED and not own.waiting
    assert [r.starts_on for r in own.reports][::11] == [D(2026, 10, 1), D(2027, 9, 1)]
    assert own.reports[-1].due_on == D(2027, 10, 15)
    assert own.after == {"DP": D(2027, 11, 15), "UPOW": D(2027, 12, 15)}
    assert never.waiting and never.reports == () and never.after == {"DP": None, "UPOW": None}
    assert overdue == {warszawa: 3, bochnia: 0}  # October to December 2026 past the 15th
    assert view.monitoring == MonitoringView(D(2026, 10, 1), None)
    due = {task.code: task.due_on for task in view.tasks}
    assert (due["DP"], due["UPOW"]) == (D(2027, 11, 15), D(2027, 12, 15))

    async with services.sessionmaker.begin() as session:
        await review_task(
            session,
            progress_id=change.progress_id,
            review_round=change.review_round,
            adviser_id=ids["jan"],
            accept=False,
            remarks="Brak numeru w BIP.",
            today=D(2026, 11, 3),
            now=_now(D(2026, 11, 3)),
            source="test:return",
        )
    async with services.sessionmaker() as session:
        returned = (await monitoring_of(session, [warszawa]))[warszawa]
    assert returned.waiting and returned.reports == (), "a returned resolution does not count"


async def test_a_late_resolution_is_a_reason_for_attention(services: Services) -> None:
    ids = await seed_teams(services, START)
    calendar = WorkCalendar(services.settings.zone)
    async with services.sessionmaker() as session:
        on_time = await jst_states(session, [ids["bochnia"]], _now(D(2026, 7, 31)), calendar)
        late = await jst_states(session, [ids["bochnia"]], _now(D(2026, 8, 5)), calendar)
    assert on_time[0].resolution_late is None
    assert late[0].resolution_late == 3  # Monday 3 to Wednesday 5 August
    assert late[0].team.monitoring == MonitoringView(None, D(2026, 7, 31))
