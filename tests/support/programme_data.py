"""Small, explicit database contents for tests: a cohort with dated steps, JSTs and people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Gender, Jst, JstKind, Language, Person, ProgrammeStep, Role

CREATED = dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.UTC)

# code, kind, Polish title, starts_on, ends_on, due_on ("" = none)
STEPS = [
    ("F1", "training", "I zjazd", "2026-01-05", "2026-02-04", ""),
    ("ZW1", "task", "Diagnoza wstępna", "2026-02-05", "2026-03-31", "2026-03-31"),
    ("ZW2", "task", "Debata publiczna", "2026-04-01", "2026-05-31", "2026-05-31"),
    ("R01", "report", "Raport 1", "2026-03-01", "2026-03-31", "2026-04-07"),
    ("R02", "report", "Raport 2", "2026-04-01", "2026-04-30", "2026-05-07"),
]


async def add_cohort(
    session: AsyncSession, name: str = "pilot", *, template: dict[str, Any] | None = None
) -> Cohort:
    """A cohort started on 5 January 2026 with a training phase, two tasks and two reports."""
    cohort = Cohort(
        name=name,
        start_date=dt.date(2026, 1, 5),
        template_code="test",
        template=template or {},
        created_at=CREATED,
    )
    session.add(cohort)
    await session.flush()
    for position, (code, kind, title, starts_on, ends_on, due_on) in enumerate(STEPS):
        session.add(
            ProgrammeStep(
                cohort_id=cohort.id,
                position=position,
                code=code,
                kind=kind,
                title_pl=title,
                title_en=title,
                starts_on=dt.date.fromisoformat(starts_on),
                ends_on=dt.date.fromisoformat(ends_on),
                due_on=dt.date.fromisoformat(due_on) if due_on else None,
            )
        )
    await session.flush()
    return cohort


async def add_jst(session: AsyncSession, cohort: Cohort, teryt: str, name: str) -> Jst:
    jst = Jst(
        teryt=teryt,
        name=name,
        kind=JstKind.GMINA_WIEJSKA,
        voivodeship="mazowieckie",
        cohort_id=cohort.id,
        created_at=CREATED,
    )
    session.add(jst)
    await session.flush()
    return jst


async def add_person(
    session: AsyncSession,
    email: str,
    full_name: str,
    *,
    jst: Jst | None = None,
    role: Role = Role.MEMBER,
    gender: Gender = Gender.FEMALE,
    **fields: Any,
) -> Person:
    """A person; `fields` sets anything else (telegram_user_id, joined_at, erased_at, …)."""
    person = Person(
        email=email,
        full_name=full_name,
        gender=gender,
        language=Language.PL,
        role=role,
        jst_id=jst.id if jst else None,
        created_at=CREATED,
        updated_at=CREATED,
        **fields,
    )
    session.add(person)
    await session.flush()
    return person
