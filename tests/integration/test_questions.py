"""Questions and answers on SQLite and PostgreSQL: who may answer is decided by the question's JST.

The world: Jan advises Alfa (Anna, Bartek, Celina who never joined) and Beta (Dorota); Maria
advises Gamma (Ewa); Edward advises nothing. Today is 2 March 2026 (the `clock` fixture).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from outbox.links import record_links
from outbox.telegram_sender import SentMessage
from storage.models import (
    Answer,
    AuditEntry,
    Channel,
    Delivery,
    Jst,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    QuestionState,
    Role,
)
from storage.questions.answers import (
    close_question,
    record_answer,
    record_followup,
    share_with_team,
)
from storage.questions.substitutes import Substitution, set_substitute
from storage.questions.threads import (
    OpenQuestion,
    Part,
    QuestionRefused,
    Refusal,
    linked_question,
    open_question,
    open_questions,
)
from tests.support.people_data import assign_adviser
from tests.support.programme_data import CREATED, add_cohort, add_jst, add_person

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 2)
LATER = NOW + dt.timedelta(hours=3)
# name: e-mail, full name, JST (None: an adviser), joined on Telegram
PEOPLE = {
    "anna": ("anna@alfa.pl", "Anna Nowak", "alfa", True),
    "bartek": ("bartek@alfa.pl", "Bartek Lis", "alfa", True),
    "celina": ("celina@alfa.pl", "Celina Wójcik", "alfa", False),
    "dorota": ("dorota@beta.pl", "Dorota Lewandowska", "beta", True),
    "ewa": ("ewa@gamma.pl", "Ewa Zielińska", "gamma", True),
    "jan": ("jan@ore.pl", "Jan Kowalski", None, True),
    "maria": ("maria@ore.pl", "Maria Szymańska", None, True),
    "edward": ("edward@ore.pl", "Edward Kamiński", None, True),
}


@dataclass(frozen=True)
class World:
    alfa: int
    beta: int
    gamma: int
    anna: int
    bartek: int
    celina: int
    dorota: int
    ewa: int
    jan: int
    maria: int
    edward: int


async def seed(services: Services) -> World:
    """Three JSTs, their members (all joined but Celina) and advisers."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        jsts = {
            "alfa": await add_jst(session, cohort, "1401011", "Gmina Alfa"),
            "beta": await add_jst(session, cohort, "1401022", "Gmina Beta"),
            "gamma": await add_jst(session, cohort, "1401033", "Gmina Gamma"),
        }
        user_ids = iter(range(1001, 2000))
        people = {}
        for name, (email, full_name, jst, joined) in PEOPLE.items():
            user = next(user_ids) if joined else None
            team = jsts[jst] if jst else None
            people[name] = await _person(session, email, full_name, team, user)
        for jst, adviser in (("alfa", "jan"), ("beta", "jan"), ("gamma", "maria")):
            await assign_adviser(session, jsts[jst], people[adviser])
    ids = {name: person.id for name, person in people.items()}
    return World(**{name: jst.id for name, jst in jsts.items()}, **ids)


async def _person(
    session: AsyncSession, email: str, name: str, jst: Jst | None, user: int | None
) -> Person:
    """A member of `jst` (an adviser if None), joined on Telegram as `user` (None: not)."""
    return await add_person(
        session,
        email,
        name,
        jst=jst,
        role=Role.MEMBER if jst else Role.ADVISER,
        telegram_user_id=user,
        telegram_chat_id=user,
        notice_confirmed_at=CREATED if user else None,
    )


def text(message_id: int, words: str, chat_id: int = 1001) -> Part:
    return Part(chat_id, message_id, words)


async def ask(
    services: Services, asker_id: int, words: str, *, key: str, files: tuple[Part, ...] = ()
) -> int:
    async with services.sessionmaker.begin() as session:
        thread = await open_question(
            session,
            asker_id=asker_id,
            parts=[text(1, words), *files],
            source_key=key,
            now=NOW,
            today=TODAY,
        )
        return thread.question.id


async def answer(
    services: Services, question_id: int, adviser_id: int, key: str, *, at: dt.datetime = LATER
) -> Answer:
    async with services.sessionmaker.begin() as session:
        return await record_answer(
            session,
            question_id,
            adviser_id=adviser_id,
            parts=[text(9, "Odpowiedź")],
            to_team=False,
            source_key=key,
            now=at,
            today=TODAY,
        )


async def follow_up(
    session: AsyncSession, question_id: int, member_id: int, *parts: Part, now: dt.datetime = LATER
) -> Answer:
    """A member's follow-up, keyed as its first Telegram message."""
    key = f"tg:{parts[0].chat_id}:{parts[0].message_id}"
    return await record_followup(
        session,
        question_id,
        member_id=member_id,
        parts=list(parts),
        source_key=key,
        now=now,
        today=TODAY,
    )


async def stand_in(
    session: AsyncSession, adviser_id: int, email: str, period: tuple[dt.date, dt.date]
) -> Substitution:
    """/zastepstwo by the adviser: `email` stands in from the first to the last day."""
    return await set_substitute(
        session,
        adviser_id=adviser_id,
        substitute_email=email,
        first=period[0],
        last=period[1],
        now=NOW,
        today=TODAY,
    )


async def refusal(services: Services, question_id: int, adviser_id: int) -> Refusal:
    with pytest.raises(QuestionRefused) as refused:
        await answer(services, question_id, adviser_id, f"refused:{question_id}:{adviser_id}")
    return refused.value.reason


async def test_a_question_goes_to_the_jst_adviser_once_per_source(services: Services) -> None:
    world = await seed(services)
    photo = Part(1001, 2, "skan", kind="photo")
    first = await ask(services, world.anna, "Jak wypełnić arkusz?", key="tg:1:1", files=(photo,))
    again = await ask(services, world.anna, "Jak wypełnić arkusz?", key="tg:1:1", files=(photo,))
    async with services.sessionmaker() as session:
        question = await session.get_one(Question, first)
    assert again == first
    assert (question.jst_id, question.adviser_id) == (world.alfa, world.jan)
    assert question.state is QuestionState.OPEN and question.first_answered_at is None
    assert question.text == "Jak wypełnić arkusz?\n\nskan"
    assert question.attachments == {"files": [photo.as_json()]}


async def test_a_send_repeated_after_the_asker_left_the_team_finds_the_question_it_opened(
    services: Services,
) -> None:
    world = await seed(services)
    first = await ask(services, world.anna, "Jak wypełnić arkusz?", key="tg:1:1")
    async with services.sessionmaker.begin() as session:
        (await session.get_one(Person, world.anna)).jst_id = None
    assert await ask(services, world.anna, "Jak wypełnić arkusz?", key="tg:1:1") == first
    with pytest.raises(QuestionRefused) as refused:
        await ask(services, world.anna, "Nowe pytanie", key="tg:1:2")
    assert refused.value.reason is Refusal.NO_TEAM


async def test_only_a_member_of_a_team_can_ask(services: Services) -> None:
    world = await seed(services)
    with pytest.raises(QuestionRefused) as refused:
        await ask(services, world.jan, "?", key="tg:2:1")
    assert refused.value.reason is Refusal.NO_TEAM


async def test_the_first_answer_is_stamped_once_and_an_answer_is_kept_once(
    services: Services,
) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Pytanie", key="tg:1:1")
    first = await answer(services, number, world.jan, "tg:9:1")
    repeated = await answer(
        services, number, world.jan, "tg:9:1", at=LATER + dt.timedelta(hours=1)
    )
    await answer(services, number, world.jan, "tg:9:2", at=LATER + dt.timedelta(days=1))
    async with services.sessionmaker() as session:
        question = await session.get_one(Question, number)
        answers = (await session.scalars(select(Answer))).all()
    assert repeated.id == first.id and len(answers) == 2
    assert question.state is QuestionState.ANSWERED
    assert question.first_answered_at == LATER


async def test_isolation_is_by_the_question_jst_not_by_the_adviser(services: Services) -> None:
    world = await seed(services)
    alfa_question = await ask(services, world.anna, "Alfa", key="tg:1:1")
    gamma_question = await ask(services, world.ewa, "Gamma", key="tg:5:1")
    # Maria advises Gamma only; Jan advises Alfa and Beta but not Gamma.
    assert await refusal(services, alfa_question, world.maria) is Refusal.NOT_YOURS
    assert await refusal(services, gamma_question, world.jan) is Refusal.NOT_YOURS
    assert await refusal(services, 4242, world.jan) is Refusal.UNKNOWN
    # Jan's message linked to Beta's question: whatever he meant, it is Beta's thread.
    beta_question = await ask(services, world.dorota, "Beta", key="tg:4:1")
    async with services.sessionmaker.begin() as session:
        await _delivered(session, world.jan, chat_id=1006, message_id=77, question=beta_question)
    async with services.sessionmaker() as session:
        linked = await linked_question(session, 1006, 77)
        assert await linked_question(session, 1001, 77) is None, "links are per chat"
    assert linked == beta_question
    recorded = await answer(services, beta_question, world.jan, "tg:1006:78")
    assert recorded.question_id == beta_question


async def test_closed_questions_take_no_answer_and_close_once(services: Services) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Pytanie", key="tg:1:1")
    async with services.sessionmaker.begin() as session:
        with pytest.raises(QuestionRefused) as foreign:
            await close_question(session, number, adviser_id=world.maria, now=NOW, today=TODAY)
        assert await close_question(session, number, adviser_id=world.jan, now=NOW, today=TODAY)
        assert not await close_question(
            session, number, adviser_id=world.jan, now=LATER, today=TODAY
        )
        question = await session.get_one(Question, number)
        assert (question.state, question.closed_at) == (QuestionState.CLOSED, NOW)
    assert foreign.value.reason is Refusal.NOT_YOURS
    assert await refusal(services, number, world.jan) is Refusal.CLOSED


async def test_the_asker_follows_up_and_the_question_opens_again(services: Services) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Pytanie", key="tg:1:1")
    await answer(services, number, world.jan, "tg:9:1")
    async with services.sessionmaker.begin() as session:
        await close_question(session, number, adviser_id=world.jan, now=LATER, today=TODAY)
        with pytest.raises(QuestionRefused) as not_asker:
            await follow_up(session, number, world.bartek, text(3, "A ja?", 1002))
        followup = await follow_up(session, number, world.anna, text(4, "Jeszcze jedno"))
        question = await session.get_one(Question, number)
        assert (question.state, question.closed_at) == (QuestionState.OPEN, None)
        assert question.first_answered_at == LATER
    assert not_asker.value.reason is Refusal.NOT_ASKER
    assert (followup.author_id, followup.to_team) == (world.anna, False)


async def test_sharing_with_the_team_is_for_adviser_answers_of_own_jsts_and_audited(
    services: Services,
) -> None:
    """Bartek, Anna's teammate, sees Alfa's questions but may not share her private answer."""
    world = await seed(services)
    number = await ask(services, world.anna, "Pytanie", key="tg:1:1")
    reply = await answer(services, number, world.jan, "tg:9:1")
    async with services.sessionmaker.begin() as session:
        followup = await follow_up(session, number, world.anna, text(4, "Dzięki"))
        reasons = []
        for answer_id, adviser in (
            (reply.id, world.maria),
            (reply.id, world.bartek),
            (reply.id, world.anna),
            (followup.id, world.jan),
            (999, 0),
        ):
            with pytest.raises(QuestionRefused) as refused:
                await share_with_team(
                    session, answer_id, adviser_id=adviser, today=TODAY, now=LATER
                )
            reasons.append(refused.value.reason)
        assert not (await session.get_one(Answer, reply.id)).to_team
        shared = await share_with_team(
            session, reply.id, adviser_id=world.jan, today=TODAY, now=LATER
        )
        audited = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "answer_shared"))
        ).all()
    assert reasons == [Refusal.NOT_YOURS] * 3 + [Refusal.UNKNOWN] * 2
    assert shared.to_team
    assert [(e.actor, e.entity_id) for e in audited] == [(f"person:{world.jan}", reply.id)]


async def test_open_questions_are_the_advisers_jsts_oldest_first(services: Services) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        for minutes, (asker, key) in enumerate(
            [(world.dorota, "b"), (world.anna, "a1"), (world.ewa, "g"), (world.anna, "a2")]
        ):
            await open_question(
                session,
                asker_id=asker,
                parts=[text(minutes, key)],
                source_key=key,
                now=NOW - dt.timedelta(minutes=10 - minutes),
                today=TODAY,
            )
    answered = (await _numbers(services, world.jan))[1]
    await answer(services, answered, world.jan, "tg:9:1")
    jan = await _open(services, world.jan)
    assert [(q.jst_name, q.text) for q in jan] == [("Gmina Beta", "b"), ("Gmina Alfa", "a2")]
    assert [q.text for q in await _open(services, world.maria)] == ["g"]
    assert await _open(services, world.edward) == []


async def _open(services: Services, adviser_id: int) -> list[OpenQuestion]:
    async with services.sessionmaker() as session:
        return await open_questions(session, adviser_id=adviser_id, today=TODAY)


async def _numbers(services: Services, adviser_id: int) -> list[int]:
    return [q.number for q in await _open(services, adviser_id)]


async def _delivered(
    session: AsyncSession, person_id: int, *, chat_id: int, message_id: int, question: int
) -> None:
    """A message of the question's thread, delivered: the sender's on_sent hook links it."""
    row = OutboxMessage(
        dedupe_key=f"test:{message_id}",
        channel=Channel.TELEGRAM,
        kind="test",
        person_id=person_id,
        payload={"link": {"question_id": question}},
        delivery=Delivery.AT_LEAST_ONCE,
        state=OutboxState.SENT,
        attempts=1,
        not_before=NOW,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    session.add(row)
    await session.flush()
    await record_links(session, row, SentMessage(chat_id=chat_id, message_id=message_id))
