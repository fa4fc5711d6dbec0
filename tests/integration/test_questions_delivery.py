"""What a thread queues, on SQLite and PostgreSQL: to whom, once, linked, valid Telegram HTML."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from core.services import Services
from localapi.markup import parse_html
from notices.questions import (
    announce_substitution,
    deliver_answer,
    deliver_to_team,
    forward_followup,
    route_unrouted,
    send_question,
)
from storage.models import (
    AdviserAssignment,
    Delivery,
    Jst,
    Language,
    OutboxMessage,
    Person,
    Question,
)
from storage.questions.answers import share_with_team
from storage.questions.threads import Part, load_thread
from tests.integration.test_questions import (
    NOW,
    TODAY,
    answer,
    ask,
    follow_up,
    seed,
    stand_in,
    text,
)
from tests.support.people_data import assign_adviser

HOSTILE = 'Gmina <b>Zła</b> & "Syn" </i> &amp; <script>'


async def _outbox(services: Services) -> list[OutboxMessage]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _texts(rows: list[OutboxMessage], person_id: int) -> list[str]:
    """What the person reads, as Telegram parses it (raises on broken HTML)."""
    return [
        parse_html(row.payload["params"]["text"])[0]
        for row in rows
        if row.person_id == person_id and row.payload["method"] == "sendMessage"
    ]


async def _send(services: Services, question_id: int) -> None:
    async with services.sessionmaker.begin() as session:
        thread = await load_thread(session, question_id)
        await send_question(session, services, thread, now=NOW, today=TODAY)


async def test_a_question_reaches_its_adviser_with_context_and_files_once(
    services: Services,
) -> None:
    world = await seed(services)
    document = Part(1001, 2, "", kind="document", file_name="arkusz.xlsx")
    number = await ask(services, world.anna, HOSTILE, key="a", files=(document,))
    await _send(services, number)
    await _send(services, number)  # an update handled twice queues nothing new
    rows = await _outbox(services)
    receipt, header, copy = rows
    assert [row.person_id for row in rows] == [world.anna, world.jan, world.jan]
    assert (receipt.delivery, header.delivery) == (Delivery.AT_MOST_ONCE, Delivery.AT_LEAST_ONCE)
    assert all(row.payload["link"] == {"question_id": number} for row in rows)
    assert f"nr {number}" in _texts(rows, world.anna)[0]
    forwarded = _texts(rows, world.jan)[0]
    for context in (f"Pytanie nr {number}", "Gmina Alfa", "1401011", "Anna Nowak", HOSTILE):
        assert context in forwarded
    assert "ZW1" in forwarded, "the open tasks"
    assert copy.payload["method"] == "copyMessage"
    assert copy.payload["params"] == {"from_chat_id": 1001, "message_id": 2}


async def test_a_long_question_is_split_below_the_telegram_limit(services: Services) -> None:
    world = await seed(services)
    long_text = "\n".join(f"{n:03d} {HOSTILE} " + "ą" * 90 for n in range(60))
    number = await ask(services, world.anna, long_text, key="a")
    await _send(services, number)
    parts = _texts(await _outbox(services), world.jan)
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    assert sum(part.count(HOSTILE) for part in parts) == 60


async def test_an_answer_reaches_the_asker_and_on_request_the_joined_team_once(
    services: Services,
) -> None:
    world = await seed(services)
    beta = await ask(services, world.dorota, "Beta", key="b")  # Jan's other JST
    number = await ask(services, world.anna, "Alfa", key="a")
    reply = await answer(services, number, world.jan, "tg:9:1")
    async with services.sessionmaker.begin() as session:
        asker = await deliver_answer(session, services, reply.id, now=NOW)
        await share_with_team(session, reply.id, adviser_id=world.jan, today=TODAY, now=NOW)
        shared = await deliver_to_team(session, services, reply.id, now=NOW)
        again = await deliver_answer(session, services, reply.id, now=NOW)
    rows = await _outbox(services)
    assert (asker, again, shared) == ("Anna Nowak", "Anna Nowak", 1)
    assert [row.person_id for row in rows] == [world.anna, world.bartek]
    assert "na Twoje pytanie nr" in _texts(rows, world.anna)[0]
    assert "Anna Nowak" in _texts(rows, world.bartek)[0], "the team sees whose question it was"
    assert all(row.payload["link"] == {"question_id": number} for row in rows)
    assert beta not in {row.payload["link"]["question_id"] for row in rows}


async def test_a_follow_up_goes_to_the_adviser_on_duty(services: Services) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Pytanie", key="a")
    await answer(services, number, world.jan, "tg:9:1")
    async with services.sessionmaker.begin() as session:
        await stand_in(session, world.jan, "edward@ore.pl", (TODAY, TODAY))
        photo = Part(1001, 5, "zdjęcie", kind="photo")
        followup = await follow_up(
            session, number, world.anna, text(4, "A jeszcze?"), photo, now=NOW
        )
        await forward_followup(session, services, followup.id, now=NOW)
    rows = [row for row in await _outbox(services) if row.person_id == world.edward]
    assert [row.payload["method"] for row in rows] == ["sendMessage", "copyMessage"]
    assert "A jeszcze?" in _texts(rows, world.edward)[0]


async def test_a_substitution_is_announced_and_open_questions_forwarded(
    services: Services,
) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Otwarte", key="a")
    async with services.sessionmaker.begin() as session:
        done = await stand_in(session, world.jan, "edward@ore.pl", (TODAY, dt.date(2026, 3, 13)))
        for _ in range(2):  # the same command handled twice tells nobody twice
            await announce_substitution(session, services, done, now=NOW, today=TODAY)
    rows = await _outbox(services)
    told = {row.person_id for row in rows if row.kind == "question_substitute_team"}
    assert told == {world.anna, world.bartek, world.dorota}, "joined members only"
    assert "13 marca 2026" in _texts(rows, world.anna)[0]
    edward = _texts(rows, world.edward)
    assert len(edward) == 2 and "Jan Kowalski" in edward[0] and f"nr {number}" in edward[1]


async def test_every_thread_message_is_valid_html_in_english_too(services: Services) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        for person_id in (world.anna, world.jan):
            person = await session.get_one(Person, person_id)
            person.full_name, person.language = HOSTILE, Language.EN
    number = await ask(services, world.anna, HOSTILE, key="a")
    await _send(services, number)
    reply = await answer(services, number, world.jan, "tg:9:1")
    async with services.sessionmaker.begin() as session:
        await deliver_answer(session, services, reply.id, now=NOW)
    rows = await _outbox(services)
    texts = {person_id: _texts(rows, person_id) for person_id in (world.anna, world.jan)}
    assert f"Question no. {number}" in texts[world.jan][0]
    assert all(HOSTILE in text for text in texts[world.jan] + texts[world.anna][1:])


async def test_a_question_asked_before_the_jst_had_an_adviser_reaches_the_one_assigned_later(
    services: Services,
) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        await session.execute(
            delete(AdviserAssignment).where(AdviserAssignment.jst_id == world.gamma)
        )
    number = await ask(services, world.ewa, "Kto nam pomoże?", key="e")
    await _send(services, number)
    assert await route_unrouted(services) == 0, "nobody to route it to yet"
    assert [row.person_id for row in await _outbox(services)] == [world.ewa]  # the receipt

    async with services.sessionmaker.begin() as session:
        gamma = await session.get_one(Jst, world.gamma)
        await assign_adviser(session, gamma, await session.get_one(Person, world.maria))
    assert await route_unrouted(services) == 1
    assert await route_unrouted(services) == 0, "routed once"
    rows = await _outbox(services)
    assert [row.person_id for row in rows] == [world.ewa, world.maria, world.ewa]
    assert "Kto nam pomoże?" in _texts(rows, world.maria)[0]
    assert "Maria Szymańska" in _texts(rows, world.ewa)[1]
    async with services.sessionmaker() as session:
        assert (await session.get_one(Question, number)).adviser_id == world.maria
