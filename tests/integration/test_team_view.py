"""A team's view on SQLite and PostgreSQL, on the real programme started on 1 January 2025.

The calendar (storage/programme/ore-2024.toml): PREP Jan-Mar 2025, Z1 Apr, D1 May-Jul (ZW1
due 31 Jul), …, D4 Apr-Jun 2026 (ZW3 and HDR_ORE due 30 Jun), ADOPT Jul (UCHWALA due 31 Jul),
…, GP Feb 2027 (DP due 28 Feb), SUM Mar 2027; reports R01 (April 2026, due 15 May) to R12
(March 2027, due 15 April).
"""

from __future__ import annotations

import datetime as dt

from core.services import Services
from storage.cohorts import add_cohort
from storage.models import (
    MonthlyReport,
    Person,
    QuestionState,
    ReportState,
    Role,
    TaskProgress,
    TaskState,
)
from storage.programme import default_template_path
from storage.team import ReportView, TaskContext, TeamView, task_context, team_view
from tests.support.people_data import add_question, assign_adviser
from tests.support.programme_data import CREATED, add_jst, add_person
from tests.support.task_data import adopt

START = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 3, 2)
D = dt.date
# Edward stands in for Dorota, Alfa's adviser, for one week of May 2026.
STAND_IN = (D(2026, 5, 4), D(2026, 5, 8))
ZW3_EXTENDED = D(2026, 8, 20)


async def _seed(services: Services) -> dict[str, int]:
    """Alfa (Dorota's, Edward standing in) and Beta (Edward's) with a member each; Gamma alone."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "pilot", START, default_template_path(), now=CREATED, actor="operator"
        )
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        beta = await add_jst(session, cohort, "1401022", "Gmina Beta")
        gamma = await add_jst(session, cohort, "1401033", "Gmina Gamma")
        people: dict[str, Person] = {
            "anna": await add_person(session, "anna@example.pl", "Anna Nowak", jst=alfa),
            "bartek": await add_person(session, "bartek@example.pl", "Bartek Lis", jst=beta),
            "dorota": await add_person(session, "d@ore.example.pl", "Dorota", role=Role.ADVISER),
            "edward": await add_person(session, "e@ore.example.pl", "Edward", role=Role.ADVISER),
        }
        await assign_adviser(
            session, alfa, people["dorota"], substitute=people["edward"], period=STAND_IN
        )
        await assign_adviser(session, beta, people["edward"])
    jsts = {"alfa": alfa.id, "beta": beta.id, "gamma": gamma.id}
    return jsts | {name: person.id for name, person in people.items()}


async def _view(services: Services, jst_id: int, today: dt.date) -> TeamView:
    async with services.sessionmaker() as session:
        return await team_view(session, jst_id, today)


async def _progress(services: Services, ids: dict[str, int]) -> None:
    """Alfa: ZW1 accepted, ZW2 returned, ZW3 extended; Beta: ZW2 accepted."""
    rows = [
        ("alfa", "ZW1", TaskState.ACCEPTED, None),
        ("alfa", "ZW2", TaskState.RETURNED, None),
        ("alfa", "ZW3", TaskState.PENDING, ZW3_EXTENDED),
        ("beta", "ZW2", TaskState.ACCEPTED, None),
    ]
    async with services.sessionmaker.begin() as session:
        session.add_all(
            TaskProgress(
                jst_id=ids[jst],
                step_code=code,
                state=state,
                extended_until=until,
                updated_at=CREATED,
            )
            for jst, code, state, until in rows
        )


async def test_the_view_names_the_team_and_its_adviser(services: Services) -> None:
    ids = await _seed(services)
    view = await _view(services, ids["alfa"], TODAY)
    assert (view.jst_id, view.jst_name, view.teryt) == (ids["alfa"], "Gmina Alfa", "1401011")
    assert (view.cohort, view.adviser) == ("pilot", "Dorota")


async def test_the_phase_on_its_first_and_last_day_and_outside_the_programme(
    services: Services,
) -> None:
    ids = await _seed(services)
    expected = {
        D(2024, 12, 31): None,
        D(2025, 1, 1): "PREP",
        D(2025, 3, 31): "PREP",
        D(2025, 4, 1): "Z1",
        D(2026, 3, 31): "Z4",
        D(2026, 4, 1): "D4",
        D(2027, 3, 31): "SUM",
        D(2027, 4, 1): None,
    }
    phases = {day: (await _view(services, ids["alfa"], day)).phase for day in expected}
    assert {day: phase.code if phase else None for day, phase in phases.items()} == expected
    async with services.sessionmaker.begin() as session:
        later = await add_cohort(
            session, "second", D(2026, 1, 1), default_template_path(), now=CREATED, actor="x"
        )
        delta = await add_jst(session, later, "1401044", "Gmina Delta")
    second = await _view(services, delta.id, D(2026, 3, 31))
    assert (second.cohort, second.phase and second.phase.code) == ("second", "PREP")
    z4 = phases[D(2026, 3, 31)]
    assert z4 is not None and z4.title_pl == "IV zjazd szkoleniowy – zakończenie szkoleń"
    assert z4.title_en == "Training round IV – end of training"


async def test_tasks_by_due_date_with_the_extension_in_place_of_the_due_date(
    services: Services,
) -> None:
    ids = await _seed(services)
    await _progress(services, ids)
    view = await _view(services, ids["alfa"], TODAY)
    assert [(t.code, t.due_on, t.extended, t.state, t.overdue) for t in view.tasks] == [
        ("ZW1", D(2025, 7, 31), False, "accepted", False),
        ("ZW2", D(2025, 12, 1), False, "returned", True),  # its phase ends on Sunday 30 Nov
        ("HDR_ORE", D(2026, 6, 30), False, "pending", False),
        ("UCHWALA", D(2026, 7, 31), False, "pending", False),
        ("ZW3", ZW3_EXTENDED, True, "pending", False),
        # No resolution yet: DP and UPOW as planned for one adopted on its due date (31 July
        # 2026 -> reports August 2026 - July 2027, the last due 16 August 2027), never late.
        ("DP", D(2027, 9, 16), False, "pending", False),
        ("UPOW", D(2027, 10, 18), False, "pending", False),  # 16 October: a Saturday
    ]
    upcoming = ["ZW2", "HDR_ORE", "UCHWALA", "ZW3", "DP", "UPOW"]
    assert [t.code for t in view.upcoming] == upcoming
    assert view.overdue == 1
    beta = await _view(services, ids["beta"], TODAY)
    assert [(t.code, t.state) for t in beta.tasks[:2]] == [("ZW1", "pending"), ("ZW2", "accepted")]
    assert [t.code for t in beta.tasks if t.overdue] == ["ZW1"]


async def test_a_task_is_overdue_from_the_day_after_its_extended_due_date(
    services: Services,
) -> None:
    ids = await _seed(services)
    await _progress(services, ids)
    expected = {
        D(2026, 6, 30): ("ZW2",),
        D(2026, 7, 1): ("ZW2", "HDR_ORE"),
        D(2026, 8, 20): ("ZW2", "HDR_ORE", "UCHWALA"),
        D(2026, 8, 21): ("ZW2", "HDR_ORE", "UCHWALA", "ZW3"),
    }
    views = {day: await _view(services, ids["alfa"], day) for day in expected}
    assert {day: tuple(t.code for t in v.tasks if t.overdue) for day, v in views.items()} == (
        expected
    )
    assert {day: v.overdue for day, v in views.items()} == {
        day: len(codes) for day, codes in expected.items()
    }


async def test_a_task_submitted_late_waits_for_the_adviser_and_is_not_the_teams_overdue(
    services: Services,
) -> None:
    ids = await _seed(services)
    await _progress(services, ids)
    async with services.sessionmaker.begin() as session:
        session.add(
            TaskProgress(
                jst_id=ids["alfa"],
                step_code="HDR_ORE",
                state=TaskState.SUBMITTED,
                updated_at=CREATED,
            )
        )
    view = await _view(services, ids["alfa"], D(2026, 7, 1))
    assert [(t.code, t.state, t.overdue) for t in view.tasks if t.code in ("ZW2", "HDR_ORE")] == [
        ("ZW2", "returned", True),
        ("HDR_ORE", "submitted", False),
    ]


async def test_the_report_is_the_latest_month_that_has_ended(services: Services) -> None:
    """Alfa and Beta adopted the plan in March 2026: their reports from April; Gamma none."""
    ids = await _seed(services)
    async with services.sessionmaker.begin() as session:
        adopt(session, ids["alfa"], D(2026, 3, 10), ids["anna"])
        adopt(session, ids["beta"], D(2026, 3, 31), ids["bartek"])
        session.add_all(
            MonthlyReport(
                jst_id=ids[jst], step_code=code, state=state, answers={}, updated_at=CREATED
            )
            for jst, code, state in (
                ("alfa", "R01", ReportState.DRAFT),
                ("beta", "R02", ReportState.SUBMITTED),
                ("alfa", "R03", ReportState.SUBMITTED),
            )
        )
    seen = {
        (jst, day): (await _view(services, ids[jst], day)).report
        for jst, day in (
            ("alfa", D(2026, 4, 30)),
            ("alfa", D(2026, 5, 1)),
            ("alfa", D(2026, 5, 31)),
            ("alfa", D(2026, 6, 1)),
            ("beta", D(2026, 6, 1)),
            ("alfa", D(2026, 7, 1)),
            ("alfa", D(2027, 4, 1)),
            ("gamma", D(2027, 4, 1)),
        )
    }
    april, may, june = (
        ReportView(code, D(2026, month, 1), D(2026, month + 1, 15), "missing")
        for code, month in (("R01", 4), ("R02", 5), ("R03", 6))
    )
    assert seen == {
        ("alfa", D(2026, 4, 30)): None,
        ("alfa", D(2026, 5, 1)): ReportView("R01", april.period_start, april.due_on, "draft"),
        ("alfa", D(2026, 5, 31)): ReportView("R01", april.period_start, april.due_on, "draft"),
        ("alfa", D(2026, 6, 1)): may,
        ("beta", D(2026, 6, 1)): ReportView("R02", may.period_start, may.due_on, "submitted"),
        ("alfa", D(2026, 7, 1)): ReportView("R03", june.period_start, june.due_on, "submitted"),
        ("alfa", D(2027, 4, 1)): ReportView("R12", D(2027, 3, 1), D(2027, 4, 15), "missing"),
        ("gamma", D(2027, 4, 1)): None,
    }


async def test_open_questions_count_only_this_jsts_open_ones(services: Services) -> None:
    ids = await _seed(services)
    async with services.sessionmaker.begin() as session:
        anna = await session.get_one(Person, ids["anna"])
        bartek = await session.get_one(Person, ids["bartek"])
        for asker, state in (
            (anna, QuestionState.OPEN),
            (anna, QuestionState.OPEN),
            (anna, QuestionState.ANSWERED),
            (anna, QuestionState.CLOSED),
            (bartek, QuestionState.OPEN),
        ):
            await add_question(session, asker, f"{state.value}?", state=state)
    jsts = ("alfa", "beta", "gamma")
    counts = {jst: (await _view(services, ids[jst], TODAY)).open_questions for jst in jsts}
    assert counts == {"alfa": 2, "beta": 1, "gamma": 0}


async def test_the_adviser_is_the_substitute_during_the_period(services: Services) -> None:
    ids = await _seed(services)
    first, last = STAND_IN
    day = dt.timedelta(days=1)
    advisers = {
        when: (await _view(services, ids["alfa"], when)).adviser
        for when in (first - day, first, last, last + day)
    }
    assert advisers == {
        first - day: "Dorota",
        first: "Edward",
        last: "Edward",
        last + day: "Dorota",
    }
    assert (await _view(services, ids["beta"], first)).adviser == "Edward"
    assert (await _view(services, ids["gamma"], first)).adviser is None


async def test_the_task_context_is_the_views_phase_and_tasks(services: Services) -> None:
    """What the adviser's copy of a question shows (storage.team.task_context, two statements)
    is what the team's view shows, whatever the day: before the programme, in it, an extended
    task, a resolution adopted early (its monitoring moves DP and UPOW), after the programme."""
    ids = await _seed(services)
    await _progress(services, ids)
    async with services.sessionmaker.begin() as session:
        adopt(session, ids["beta"], D(2026, 5, 20), ids["bartek"])
    days = [D(2024, 12, 31), TODAY, D(2026, 6, 1), D(2026, 9, 1), D(2027, 5, 1)]
    for jst in ("alfa", "beta", "gamma"):
        for day in days:
            view = await _view(services, ids[jst], day)
            async with services.sessionmaker() as session:
                context = await task_context(session, ids[jst], day)
            assert context == TaskContext(view.jst_name, view.teryt, view.phase, view.tasks)
            assert (context.upcoming, context.overdue) == (view.upcoming, view.overdue)
