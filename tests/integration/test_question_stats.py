"""Response times read from the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from core.services import Services
from storage.models import Person, Question, QuestionState, Role
from storage.questions.stats import ResponseTimes, response_times
from tests.support.people_data import add_question, assign_adviser
from tests.support.programme_data import add_cohort, add_jst, add_person

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
NOVEMBER = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


async def _seed(services: Services) -> dict[str, int]:
    """Alfa (Dorota's) and Beta (Edward's); Gamma has no adviser. Questions of October and
    November: answered, waiting, closed without an answer, and one routed to Edward."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        beta = await add_jst(session, cohort, "1401022", "Gmina Beta")
        gamma = await add_jst(session, cohort, "1401033", "Gmina Gamma")
        anna = await add_person(session, "anna@example.pl", "Anna", jst=alfa)
        bartek = await add_person(session, "bartek@example.pl", "Bartek", jst=beta)
        gosia = await add_person(session, "gosia@example.pl", "Gosia", jst=gamma)
        dorota = await add_person(session, "d@ore.example.pl", "Dorota", role=Role.ADVISER)
        edward = await add_person(session, "e@ore.example.pl", "Edward", role=Role.ADVISER)
        await assign_adviser(session, alfa, dorota)
        await assign_adviser(session, beta, edward)

        async def ask(
            asker: Person, asked_at: dt.datetime, hours: float | None, **fields: object
        ) -> Question:
            question = await add_question(session, asker, "?", at=asked_at)
            if hours is not None:
                question.first_answered_at = asked_at + hours * H
                question.state = QuestionState.ANSWERED
            for name, value in fields.items():
                setattr(question, name, value)
            return question

        await ask(anna, dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), 100)  # October
        await ask(anna, dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), 2)
        await ask(anna, dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC), 4)
        await ask(anna, dt.datetime(2026, 11, 4, 9, tzinfo=dt.UTC), 30, state=QuestionState.CLOSED)
        await ask(anna, NOW - 50 * H, None)  # waiting
        await ask(anna, NOW - 3 * H, None)  # waiting
        await ask(anna, NOW - 80 * H, None, state=QuestionState.CLOSED)  # closed, unanswered
        await ask(anna, dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC), 1, adviser_id=edward.id)
        await ask(bartek, dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC), None)  # waiting since Sep
        await ask(gosia, NOW - 7 * H, None)  # nobody assigned
    return {"alfa": alfa.id, "beta": beta.id, "gamma": gamma.id} | {
        "dorota": dorota.id,
        "edward": edward.id,
    }


async def _times(
    services: Services, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[ResponseTimes]:
    async with services.sessionmaker() as session:
        return await response_times(session, now=NOW, since=since, until=until)


async def test_response_times_per_adviser_and_jst(services: Services) -> None:
    ids = await _seed(services)
    alfa = ("Gmina Alfa", "1401011")
    assert await _times(services) == [
        ResponseTimes(ids["dorota"], "Dorota", ids["alfa"], *alfa, 4, 17 * H, 100 * H, 2, 50 * H),
        ResponseTimes(ids["edward"], "Edward", ids["alfa"], *alfa, 1, 1 * H, 1 * H, 0, None),
        ResponseTimes(
            ids["edward"],
            "Edward",
            ids["beta"],
            "Gmina Beta",
            "1401022",
            0,
            None,
            None,
            1,
            NOW - dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC),
        ),
        ResponseTimes(None, None, ids["gamma"], "Gmina Gamma", "1401033", 0, None, None, 1, 7 * H),
    ]


async def test_window_limits_the_answered_questions_not_the_waiting_ones(
    services: Services,
) -> None:
    ids = await _seed(services)
    november = await _times(services, since=NOVEMBER)
    dorota = next(t for t in november if t.adviser_id == ids["dorota"])
    assert (dorota.answered, dorota.median, dorota.p90) == (3, 4 * H, 30 * H)
    assert (dorota.open, dorota.oldest_open) == (2, 50 * H)
    assert any(t.jst_id == ids["beta"] and t.open == 1 for t in november), "asked in September"

    october = await _times(services, until=NOVEMBER)
    dorota = next(t for t in october if t.adviser_id == ids["dorota"])
    assert (dorota.answered, dorota.median, dorota.open) == (1, 100 * H, 2)
    assert not any(t.adviser_id == ids["edward"] and t.jst_id == ids["alfa"] for t in october)


async def test_empty_database(services: Services) -> None:
    assert await _times(services) == []
