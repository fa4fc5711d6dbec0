"""The questions' service level through the real tick, on SQLite and PostgreSQL.

Alfa's adviser is Dorota (Edward stands in when a test says so), Beta's is Edward; Kasia and
Piotr coordinate, Zenon coordinated but was erased. Times are Warsaw wall-clock times.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.services import Services
from reminders.questions_sla import QuestionSlaRule
from reminders.rules import all_rules
from reminders.tick import TickStats, run_tick
from storage.models import (
    Channel,
    Delivery,
    OutboxMessage,
    Person,
    Question,
    QuestionState,
    Role,
)
from storage.questions.answers import record_answer, record_followup
from storage.questions.threads import Part
from tests.support.cli_runs import preview_reminders
from tests.support.people_data import add_question, assign_adviser
from tests.support.programme_data import add_cohort, add_jst, add_person

WARSAW = ZoneInfo("Europe/Warsaw")
D = dt.date
TUESDAY_10_NOV = (2026, 11, 10, 10)  # Wednesday 11 November is Independence Day


def local(year: int, month: int, on: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, on, hour, minute, tzinfo=WARSAW).astimezone(dt.UTC)


async def _seed(
    services: Services, stand_in: tuple[dt.date, dt.date] | None = None
) -> dict[str, int]:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        beta = await add_jst(session, cohort, "1401022", "Gmina Beta")
        people = {
            "anna": await add_person(session, "anna@example.pl", "Anna Nowak", jst=alfa),
            "bartek": await add_person(session, "bartek@example.pl", "Bartek Lis", jst=beta),
            "dorota": await add_person(session, "d@ore.example.pl", "Dorota", role=Role.ADVISER),
            "edward": await add_person(session, "e@ore.example.pl", "Edward", role=Role.ADVISER),
            "kasia": await add_person(session, "k@ore.example.pl", "Kasia", role=Role.COORDINATOR),
            "piotr": await add_person(session, "p@ore.example.pl", "Piotr", role=Role.COORDINATOR),
            "zenon": await add_person(
                session,
                "z@ore.example.pl",
                "Zenon",
                role=Role.COORDINATOR,
                erased_at=local(2026, 1, 5, 10),
            ),
        }
        substitute = people["edward"] if stand_in else None
        await assign_adviser(
            session, alfa, people["dorota"], substitute=substitute, period=stand_in
        )
        await assign_adviser(session, beta, people["edward"])
    return {name: person.id for name, person in people.items()} | {"alfa": alfa.id}


async def _ask(
    services: Services,
    ids: dict[str, int],
    asker: str,
    at: dt.datetime,
    *,
    state: QuestionState = QuestionState.OPEN,
    answered_at: dt.datetime | None = None,
) -> int:
    async with services.sessionmaker.begin() as session:
        person = await session.get_one(Person, ids[asker])
        question = await add_question(
            session, person, "Jak przygotować debatę?", state=state, at=at
        )
        question.first_answered_at = answered_at
        return question.id


async def _follow_up(
    services: Services, question_id: int, member_id: int, at: dt.datetime, key: str
) -> int:
    async with services.sessionmaker.begin() as session:
        said = await record_followup(
            session,
            question_id,
            member_id=member_id,
            parts=_message(key),
            source_key=key,
            now=at,
            today=at.date(),
        )
        return said.id


async def _answer(
    services: Services, question_id: int, adviser_id: int, at: dt.datetime, key: str
) -> int:
    async with services.sessionmaker.begin() as session:
        said = await record_answer(
            session,
            question_id,
            adviser_id=adviser_id,
            parts=_message(key),
            to_team=False,
            source_key=key,
            now=at,
            today=at.date(),
        )
        return said.id


def _message(key: str) -> list[Part]:
    return [Part(1001, len(key), f"Wiadomość {key}")]


async def _tick(services: Services, at: dt.datetime) -> TickStats:
    return await run_tick(services, [QuestionSlaRule()], at)


async def _rows(services: Services) -> dict[str, OutboxMessage]:
    async with services.sessionmaker() as session:
        return {row.dedupe_key: row for row in await session.scalars(select(OutboxMessage))}


async def test_reminder_once_then_alert_once_per_coordinator(services: Services) -> None:
    ids = await _seed(services)
    asked = local(*TUESDAY_10_NOV)
    answered = local(2026, 11, 12, 9)
    waiting = await _ask(services, ids, "anna", asked)
    await _ask(services, ids, "bartek", asked, state=QuestionState.ANSWERED, answered_at=answered)
    await _ask(services, ids, "anna", asked, state=QuestionState.CLOSED)

    assert (await _tick(services, local(2026, 11, 12, 12))).enqueued == 0, "the holiday"
    assert (await _tick(services, local(2026, 11, 13, 8))).enqueued == 1
    assert (await _tick(services, local(2026, 11, 13, 8))).enqueued == 0, "never doubled"
    assert (await _tick(services, local(2026, 11, 16, 10))).enqueued == 0
    reminder = (await _rows(services))[f"q-sla:{waiting}:adviser:2wd"]
    assert (reminder.person_id, reminder.channel) == (ids["dorota"], Channel.TELEGRAM)
    assert (reminder.kind, reminder.delivery) == ("question_sla_adviser", Delivery.AT_MOST_ONCE)
    assert reminder.not_before == local(2026, 11, 13, 8)
    text = reminder.payload["params"]["text"]
    assert f"Pytanie nr {waiting}" in text and "Gmina Alfa (1401011)" in text
    assert "2 dni robocze" in text and f"/odpowiedz {waiting}" in text

    stats = await _tick(services, local(2026, 11, 17, 8))
    assert (stats.due, stats.enqueued) == (3, 2), "the reminder is still due but already queued"
    assert (await _tick(services, local(2026, 11, 17, 8))).enqueued == 0
    assert (await _tick(services, local(2026, 11, 18, 9))).enqueued == 0
    rows = await _rows(services)
    assert sorted(rows) == sorted(
        [
            f"q-sla:{waiting}:adviser:2wd",
            f"q-sla:{waiting}:coord:{ids['kasia']}:4wd",
            f"q-sla:{waiting}:coord:{ids['piotr']}:4wd",
        ]
    ), "nothing for the answered or closed questions, nothing for the erased coordinator"
    alert = rows[f"q-sla:{waiting}:coord:{ids['kasia']}:4wd"]
    assert (alert.channel, alert.person_id) == (Channel.EMAIL, ids["kasia"])
    assert alert.not_before == local(2026, 11, 17, 8)
    assert alert.payload == {
        "template": "question_sla_coordinator",
        "values": {
            "question": waiting,
            "jst_name": "Gmina Alfa",
            "teryt": "1401011",
            "adviser": "Dorota",
            "asked_at": "2026-11-10T09:00:00+00:00",
            "working_days": 4,
            "followup": False,
        },
    }


@pytest.mark.parametrize(
    ("asked", "ticked", "not_before"),
    [
        # Due Friday 30 October 08:00; the first tick comes on Sunday 1 November (All Saints').
        ((2026, 10, 28, 10), (2026, 11, 1, 12), (2026, 11, 2, 8)),
        # Due Tuesday 10 November 08:00; the first tick comes on the holiday the day after.
        ((2026, 11, 6, 10), (2026, 11, 11, 12), (2026, 11, 12, 8)),
        # Due Tuesday 29 December 08:00; the first tick comes that evening, in quiet hours.
        ((2026, 12, 23, 10), (2026, 12, 29, 21), (2026, 12, 30, 8)),
    ],
)
async def test_tick_outside_working_hours_queues_for_the_next_working_morning(
    services: Services,
    asked: tuple[int, int, int, int],
    ticked: tuple[int, int, int, int],
    not_before: tuple[int, int, int, int],
) -> None:
    ids = await _seed(services)
    question = await _ask(services, ids, "anna", local(*asked))
    assert (await _tick(services, local(*ticked))).enqueued == 1
    assert (await _tick(services, local(*ticked))).enqueued == 0
    reminder = (await _rows(services))[f"q-sla:{question}:adviser:2wd"]
    assert reminder.not_before == local(*not_before)


async def test_substitute_on_duty_is_reminded(services: Services) -> None:
    ids = await _seed(services, stand_in=(D(2026, 11, 13), D(2026, 11, 13)))
    question = await _ask(services, ids, "anna", local(*TUESDAY_10_NOV))
    await _tick(services, local(2026, 11, 13, 9))
    await _tick(services, local(2026, 11, 17, 9))
    rows = await _rows(services)
    assert rows[f"q-sla:{question}:adviser:2wd"].person_id == ids["edward"]
    alert = rows[f"q-sla:{question}:coord:{ids['piotr']}:4wd"]
    assert alert.payload["values"]["adviser"] == "Dorota", "back on the day of the alert"


async def test_an_answer_after_the_reminder_stops_the_alert(services: Services) -> None:
    ids = await _seed(services)
    question = await _ask(services, ids, "anna", local(*TUESDAY_10_NOV))
    assert (await _tick(services, local(2026, 11, 13, 9))).enqueued == 1
    async with services.sessionmaker.begin() as session:
        row = await session.get_one(Question, question)
        row.state, row.first_answered_at = QuestionState.ANSWERED, local(2026, 11, 16, 11)
    assert (await _tick(services, local(2026, 11, 17, 9))).enqueued == 0
    assert list(await _rows(services)) == [f"q-sla:{question}:adviser:2wd"]


async def test_rule_is_registered_and_previewed(services: Services) -> None:
    assert any(isinstance(rule, QuestionSlaRule) for rule in all_rules(services.settings))
    ids = await _seed(services)
    await _ask(services, ids, "anna", local(*TUESDAY_10_NOV))
    result = await preview_reminders(services, "2026-11-12T12:00", days=7, jst="1401011")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "13 November 2026, 08:00  Dorota  question_sla_adviser" in lines
    assert "17 November 2026, 08:00  Kasia  question_sla_coordinator" in lines
    assert "17 November 2026, 08:00  Piotr  question_sla_coordinator" in lines
    assert "Zenon" not in result.output


async def test_a_follow_up_after_the_answer_runs_the_ladder_again(services: Services) -> None:
    ids = await _seed(services)
    question = await _ask(services, ids, "anna", local(*TUESDAY_10_NOV))

    async def say(author: str, at: dt.datetime, key: str) -> int:
        if author == "anna":
            return await _follow_up(services, question, ids[author], at, key)
        return await _answer(services, question, ids[author], at, key)

    await say("dorota", local(2026, 11, 12, 9), "a1")  # answered in time: no reminder
    followup = await say("anna", local(2026, 11, 12, 15), "f1")
    await say("anna", local(2026, 11, 13, 8), "f2")  # still the same round
    assert (await _tick(services, local(2026, 11, 16, 9))).enqueued == 1
    rows = await _rows(services)
    assert list(rows) == [f"q-sla:{question}:adviser:2wd:f{followup}"]
    reminder = rows[f"q-sla:{question}:adviser:2wd:f{followup}"]
    assert reminder.person_id == ids["dorota"]
    assert "Dopytanie do pytania nr" in reminder.payload["params"]["text"]
    assert "Wiadomość f1" in reminder.payload["params"]["text"]

    await say("dorota", local(2026, 11, 16, 10), "a2")  # the follow-up is answered
    assert (await _tick(services, local(2026, 11, 18, 9))).enqueued == 0
