"""A cohort with known numbers for the digest tests (programme started 1 January 2025).

Every council adopted the plan on 20 March 2026 (its resolution recorded, waiting for the
adviser), so R01 is April. On Monday 4 May 2026 (ISO week 2026-W19): accepted tasks Warszawa ZW1
(January) and ZW2 (February), Przykładowa ZW1 (February); April's report R01 submitted by
Warszawa (April) and Bochnia (May), Przykładowa's a draft; overdue ZW2 in Przykładowa, ZW1 and
ZW2 in Bochnia; one question answered in 4 hours (Dorota's, April) and one waiting for 4 days
(Anna's); staff 5 (4 women, 1 man), all joined and at every training round (Z1-Z4, over by
then), so supported, in 3 JSTs under advisory.
"""

from __future__ import annotations

import datetime as dt

from core.services import Services
from storage.models import (
    Attendance,
    MonthlyReport,
    Person,
    QuestionState,
    ReportState,
    Role,
    TaskProgress,
    TaskState,
)
from tests.support.people_data import add_question
from tests.support.programme_data import CREATED, add_person
from tests.support.task_data import seed_teams

START = dt.date(2025, 1, 1)
ADOPTED = dt.date(2026, 3, 20)
NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


async def seed_digest(services: Services) -> dict[str, int]:
    """The teams of tests/support/task_data.py plus a coordinator, progress and questions."""
    ids = await seed_teams(services, START, adopted=ADOPTED)
    async with services.sessionmaker.begin() as session:
        coordinator = await add_person(
            session, "koordynacja@example.pl", "Koordynacja", role=Role.COORDINATOR
        )
        session.add_all(_accepted(ids))
        session.add_all(_reports(ids))
        session.add_all(
            Attendance(
                person_id=ids[name],
                step_code=code,
                present=True,
                source="import",
                recorded_by="operator:test",
                recorded_at=CREATED,
            )
            for name in ("anna", "bartosz", "celina", "dorota", "ewa")
            for code in ("Z1", "Z2", "Z3", "Z4")
        )
        anna = await session.get_one(Person, ids["anna"])
        dorota = await session.get_one(Person, ids["dorota"])
        await add_question(session, anna, "Kiedy szkolenie?", at=_at(4, 30, 9))
        answered = await add_question(
            session, dorota, "Jak liczyć?", state=QuestionState.ANSWERED, at=_at(4, 20)
        )
        answered.first_answered_at = _at(4, 20, 14)
    return ids | {"coordinator": coordinator.id}


def _accepted(ids: dict[str, int]) -> list[TaskProgress]:
    accepted = [
        ("warszawa", "ZW1", _at(1, 15)),
        ("warszawa", "ZW2", _at(2, 10)),
        ("przykladowa", "ZW1", _at(2, 20)),
    ]
    return [
        TaskProgress(
            jst_id=ids[jst],
            step_code=code,
            state=TaskState.ACCEPTED,
            accepted_at=at,
            updated_at=at,
        )
        for jst, code, at in accepted
    ]


def _reports(ids: dict[str, int]) -> list[MonthlyReport]:
    """April's report (R01)."""
    reports = [
        ("warszawa", ReportState.SUBMITTED, _at(4, 30)),
        ("bochnia", ReportState.SUBMITTED, _at(5, 2)),
        ("przykladowa", ReportState.DRAFT, None),
    ]
    return [
        MonthlyReport(
            jst_id=ids[jst],
            step_code="R01",
            state=state,
            answers={},
            submitted_at=submitted,
            updated_at=CREATED,
        )
        for jst, state, submitted in reports
    ]
