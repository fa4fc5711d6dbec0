"""The competence self-assessment: the questions and rounds of a member's cohort, the answers
kept once per person and moment ("before" the first training round, "after" the last).

When each moment is open is a matter of working days (forms/self_assessment.py); storage only
gives the dates it is counted from.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Jst, Person, ProgrammeStep, Role, SelfAssessment
from storage.programme import TRAINING, Competences, template_from_dict
from storage.programme_errors import TemplateInvalid

BEFORE, AFTER = "before", "after"
MOMENTS = (BEFORE, AFTER)


@dataclass(frozen=True)
class AssessmentSetting:
    """A cohort's self-assessment: its questions and scale, and its rounds' first and last day."""

    competences: Competences
    first_round_starts: dt.date
    last_round_ends: dt.date


@dataclass(frozen=True, slots=True)
class Assessed:
    """A member who may be asked: when they joined, their cohort, what they answered so far."""

    person_id: int
    jst_id: int
    cohort_id: int
    joined_at: dt.datetime
    answered: frozenset[str]


async def cohort_settings(
    session: AsyncSession, cohort_ids: Sequence[int] | None = None
) -> dict[int, AssessmentSetting]:
    """The self-assessment of each cohort that has one and training rounds (of these only)."""
    query = select(Cohort.id, Cohort.template)
    if cohort_ids is not None:
        query = query.where(Cohort.id.in_(cohort_ids))
    competences: dict[int, Competences] = {}
    for cohort_id, template in await session.execute(query):
        try:
            stated = template_from_dict(template).competences
        except TemplateInvalid:
            continue
        if stated is not None:
            competences[cohort_id] = stated
    rounds: dict[int, list[ProgrammeStep]] = defaultdict(list)
    for step in await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.kind == TRAINING, ProgrammeStep.cohort_id.in_(list(competences)))
        .order_by(ProgrammeStep.position)
    ):
        rounds[step.cohort_id].append(step)
    return {
        cohort_id: AssessmentSetting(
            stated, rounds[cohort_id][0].starts_on, rounds[cohort_id][-1].ends_on
        )
        for cohort_id, stated in competences.items()
        if rounds[cohort_id]
    }


async def setting_of(session: AsyncSession, jst_id: int) -> AssessmentSetting | None:
    """The self-assessment of the JST's cohort, if it has one."""
    cohort_id = await session.scalar(select(Jst.cohort_id).where(Jst.id == jst_id))
    if cohort_id is None:
        return None
    return (await cohort_settings(session, [cohort_id])).get(cohort_id)


async def answered_moments(session: AsyncSession, person_id: int) -> frozenset[str]:
    rows = await session.scalars(
        select(SelfAssessment.moment).where(SelfAssessment.person_id == person_id)
    )
    return frozenset(rows)


async def score_of(session: AsyncSession, person_id: int, moment: str) -> int | None:
    return await session.scalar(
        select(SelfAssessment.score).where(
            SelfAssessment.person_id == person_id, SelfAssessment.moment == moment
        )
    )


async def save_assessment(
    session: AsyncSession,
    person_id: int,
    moment: str,
    answers: Mapping[str, int],
    now: dt.datetime,
) -> bool:
    """Keep the answers; False when the person answered at this moment already (kept as
    first sent: the indicator compares what was said before with what was said after)."""
    row = SelfAssessment(
        person_id=person_id,
        moment=moment,
        answers=dict(answers),
        score=sum(answers.values()),
        submitted_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


NOTHING: frozenset[str] = frozenset()  # shared by who answered nothing: most of the country


async def assessed_members(session: AsyncSession) -> list[Assessed]:
    """The members on Telegram (notice confirmed, not erased), with what they answered."""
    answered: dict[int, set[str]] = defaultdict(set)
    for person_id, moment in await session.execute(
        select(SelfAssessment.person_id, SelfAssessment.moment)
    ):
        answered[person_id].add(moment)
    done = {person_id: frozenset(moments) for person_id, moments in answered.items()}
    rows = await session.execute(
        select(Jst.id, Person.id, Jst.cohort_id, Person.joined_at)
        .join(Jst, Person.jst_id == Jst.id)
        .where(
            Person.role == Role.MEMBER,
            Person.notice_confirmed_at.is_not(None),
            Person.erased_at.is_(None),
            Person.joined_at.is_not(None),
        )
        .order_by(Person.id)
    )
    return [
        Assessed(person_id, jst_id, cohort_id, joined_at, done.get(person_id, NOTHING))
        for jst_id, person_id, cohort_id, joined_at in rows
        if joined_at is not None  # the query's condition; the column may hold NULL
    ]
