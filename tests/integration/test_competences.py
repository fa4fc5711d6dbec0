"""The self-assessment's answers on SQLite and PostgreSQL: kept once per person and moment, as
first sent; the cohort's setting read from its stored template and calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.services import Services
from storage.competences import answered_moments, save_assessment, score_of, setting_of
from storage.models import SelfAssessment
from storage.programme import default_template_path, load_template
from tests.support.programme_data import add_cohort, add_jst, add_person

AT = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
PILOT = load_template(default_template_path()).model_dump(mode="json")


async def test_answers_are_kept_once_as_first_sent(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session, "pilot", template=PILOT)
        jst = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        anna = await add_person(session, "anna@example.pl", "Anna Nowak", jst=jst)
        setting = await setting_of(session, jst.id)
        assert setting is not None and len(setting.competences.question) == 10
        # The test calendar's one training round, F1: 5 January - 4 February 2026.
        assert (setting.first_round_starts, setting.last_round_ends) == (
            dt.date(2026, 1, 5),
            dt.date(2026, 2, 4),
        )
        assert await save_assessment(session, anna.id, "before", {"a": 2, "b": 3}, AT)
        assert not await save_assessment(session, anna.id, "before", {"a": 5, "b": 5}, AT)
        assert await save_assessment(session, anna.id, "after", {"a": 4, "b": 4}, AT)
    async with services.sessionmaker() as session:
        assert await answered_moments(session, anna.id) == {"before", "after"}
        assert await score_of(session, anna.id, "before") == 5
        assert len(list(await session.scalars(select(SelfAssessment)))) == 2


async def test_a_cohort_without_a_self_assessment_has_no_setting(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session, "older", template={"indicators": {"people": 3}})
        jst = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        assert await setting_of(session, jst.id) is None
