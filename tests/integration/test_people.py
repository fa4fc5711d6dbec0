"""People on SQLite and PostgreSQL: who is calling, the notice, language, access and erasure."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from storage.anonymise import ERASED_PAYLOAD
from storage.db import flush_log
from storage.erasure import erase_person, request_erasure
from storage.indicators import compute_indicators
from storage.models import (
    Answer,
    AuditEntry,
    Cohort,
    Gender,
    Invite,
    Jst,
    Language,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    QuestionState,
    Role,
)
from storage.people import (
    ERASED_NAME,
    Caller,
    confirm_notice,
    erased_address,
    set_language,
    set_reachable,
)
from storage.redaction import ERASED_MARK
from tests.support.cli_runs import invoke
from tests.support.outbox_rows import queue_text, states
from tests.support.people_data import add_answer, add_invite, add_question, assign_adviser
from tests.support.pg_session import fetch
from tests.support.programme_data import CREATED, add_cohort, add_jst, add_person

ANNA, BARTEK, DOROTA, EDWARD, ZOFIA, ERASED = 101, 102, 201, 202, 301, 999
TODAY = dt.date(2026, 3, 2)
# Edward stands in for Dorota, Alfa's adviser, from the 10th to the 20th of March.
STAND_IN = (dt.date(2026, 3, 10), dt.date(2026, 3, 20))
LATER = dt.timedelta(hours=5)


async def _seed(services: Services) -> dict[str, int]:
    """Two JSTs with a member each, their advisers (one standing in), a coordinator; ids."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        beta = await add_jst(session, cohort, "1401022", "Gmina Beta")
        joined = functools.partial(_joined, session)
        people = {
            "anna": await joined("anna@example.pl", "Anna Nowak", ANNA, jst=alfa),
            "bartek": await joined(
                "bartek@example.pl", "Bartek Lis", BARTEK, jst=beta, gender=Gender.MALE
            ),
            "dorota": await joined("dorota@ore.example.pl", "Dorota", DOROTA, role=Role.ADVISER),
            "edward": await joined("edward@ore.example.pl", "Edward", EDWARD, role=Role.ADVISER),
            "zofia": await joined("zofia@ore.example.pl", "Zofia", ZOFIA, role=Role.COORDINATOR),
        }
        await assign_adviser(
            session, alfa, people["dorota"], substitute=people["edward"], period=STAND_IN
        )
        await assign_adviser(session, beta, people["edward"])
    ids = {name: person.id for name, person in people.items()}
    return ids | {"alfa": alfa.id, "beta": beta.id}


async def _joined(
    session: AsyncSession, email: str, name: str, user: int, **fields: Any
) -> Person:
    """A person who joined on Telegram as `user`."""
    return await add_person(
        session,
        email,
        name,
        telegram_user_id=user,
        telegram_chat_id=user,
        joined_at=CREATED,
        **fields,
    )


async def _caller(services: Services, telegram_user_id: int, today: dt.date = TODAY) -> Caller:
    caller = await services.callers.by_telegram(telegram_user_id, today)
    assert caller is not None
    return caller


async def _person(services: Services, person_id: int) -> Person:
    async with services.sessionmaker() as session:
        return await session.get_one(Person, person_id)


async def _audit(services: Services) -> list[AuditEntry]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_a_member_sees_only_their_jst(services: Services) -> None:
    ids = await _seed(services)
    expected = Caller(ids["anna"], "Anna Nowak", Role.MEMBER, "pl", (ids["alfa"],), False)
    found = await _caller(services, ANNA)
    async with services.sessionmaker() as session:
        jst = await session.get_one(Jst, ids["alfa"])
        cohort = await session.get_one(Cohort, jst.cohort_id)
    assert found == replace(expected, versions=(jst.data_version, cohort.data_version))


async def test_a_substitute_sees_the_jst_only_inside_the_period(services: Services) -> None:
    ids = await _seed(services)
    first, last = STAND_IN
    days = [first - dt.timedelta(days=1), first, last, last + dt.timedelta(days=1)]
    edward = {day: (await _caller(services, EDWARD, day)).jst_ids for day in days}
    dorota = {day: (await _caller(services, DOROTA, day)).jst_ids for day in days}
    both = tuple(sorted((ids["alfa"], ids["beta"])))
    assert edward == dict(zip(days, [(ids["beta"],), both, both, (ids["beta"],)], strict=True))
    assert dorota == dict.fromkeys(days, (ids["alfa"],)), "the adviser keeps seeing her JST"


async def test_a_coordinator_sees_every_jst_and_strangers_are_not_found(
    services: Services,
) -> None:
    """Coordinators are tied to no cohort (/jst shows them every JST, issue 19)."""
    ids = await _seed(services)
    coordinator = await _caller(services, ZOFIA)
    every = tuple(sorted((ids["alfa"], ids["beta"])))
    assert (coordinator.role, coordinator.jst_ids) == (Role.COORDINATOR, every)
    assert await services.callers.by_telegram(424242, TODAY) is None


async def test_an_erased_person_is_not_found(services: Services) -> None:
    await _seed(services)
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        # Even with the account still bound (erased before ids were cleared), nobody is found.
        await add_person(session, "gone@example.pl", "-", telegram_user_id=ERASED, erased_at=now)
        await erase_person(session, "anna@example.pl", now, TODAY, actor="operator")
    assert await services.callers.by_telegram(ERASED, TODAY) is None
    assert await services.callers.by_telegram(ANNA, TODAY) is None


async def test_the_callers_connection_sees_every_commit_and_holds_nothing_between_reads(
    services: Services,
) -> None:
    """The gate's reads share one connection, in autocommit: what another process commits after
    a read (a new role, an erasure) is seen by the next; between reads the connection is in no
    transaction (on PostgreSQL not "idle in transaction", on SQLite the log can be emptied: no
    reader pins it)."""
    ids = await _seed(services)
    assert (await _caller(services, ANNA)).role is Role.MEMBER  # the connection is open now
    other = Services.build(services.settings, services.clock)  # another process's writes
    try:
        async with other.sessionmaker.begin() as session:
            role = update(Person).where(Person.id == ids["anna"]).values(role=Role.ADVISER)
            await session.execute(role)
        assert (await _caller(services, ANNA)).role is Role.ADVISER
        async with other.sessionmaker.begin() as session:
            now = services.clock.now()
            await erase_person(session, "anna@example.pl", now, TODAY, actor="operator")
        assert await services.callers.by_telegram(ANNA, TODAY) is None
        assert await flush_log(other.engine), "no reader keeps SQLite's log"
        if other.engine.dialect.name == "postgresql":
            async with other.engine.connect() as connection:
                found = await connection.scalars(
                    text("SELECT state FROM pg_stat_activity WHERE datname = current_database()")
                )
                assert "idle in transaction" not in set(found)
    finally:
        await other.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_callers_connection_lost_is_opened_again(
    services: Services, database_url: str
) -> None:
    """The database restarted (every session of this database ended): the next read opens a
    new connection and answers, as a pool's pre-ping does for every other query."""
    await _seed(services)
    assert (await _caller(services, ANNA)).full_name == "Anna Nowak"
    await fetch(
        database_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert (await _caller(services, ANNA)).full_name == "Anna Nowak"


async def test_the_notice_is_confirmed_once_and_makes_the_person_active(
    services: Services,
) -> None:
    ids = await _seed(services)
    now = services.clock.now()
    assert not (await _caller(services, ANNA)).active
    results = []
    for at in (now, now + LATER):
        async with services.sessionmaker.begin() as session:
            results.append(await confirm_notice(session, ids["anna"], at))
    assert results == [True, False]
    assert (await _caller(services, ANNA)).active
    assert (await _person(services, ids["anna"])).notice_confirmed_at == now
    entries = [(e.actor, e.action, e.entity_id) for e in await _audit(services)]
    assert entries == [(f"person:{ids['anna']}", "notice_confirmed", ids["anna"])]


async def test_the_language_is_stored(services: Services) -> None:
    ids = await _seed(services)
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        await set_language(session, ids["anna"], Language.EN, now)
    assert (await _caller(services, ANNA)).language == "en"
    person = await _person(services, ids["anna"])
    assert (person.language, person.updated_at) == (Language.EN, now)


async def test_blocking_the_bot_is_recorded_until_unblocked(services: Services) -> None:
    ids = await _seed(services)
    now = services.clock.now()
    seen = []
    for reachable, at in ((False, now), (False, now + LATER), (True, now + 2 * LATER)):
        async with services.sessionmaker.begin() as session:
            await set_reachable(session, ANNA, reachable, at)
        seen.append((await _person(services, ids["anna"])).telegram_unreachable_at)
    assert seen == [now, now, None], "a repeated block keeps the time of the first"
    assert (await _person(services, ids["bartek"])).telegram_unreachable_at is None


async def test_an_erasure_request_is_recorded_once(services: Services) -> None:
    ids = await _seed(services)
    now = services.clock.now()
    results = []
    for at in (now, now + LATER):
        async with services.sessionmaker.begin() as session:
            request, new = await request_erasure(session, ids["anna"], at, TODAY)
            results.append((new, request.requested_at, request.deadline))
    assert results == [(True, now, dt.date(2026, 4, 2)), (False, now, dt.date(2026, 4, 2))]
    assert (await _person(services, ids["anna"])).erasure_requested_at == now
    assert [e.action for e in await _audit(services)] == ["erasure_requested"]


async def _erase_seed(services: Services, ids: dict[str, int]) -> dict[str, int]:
    """Anna's invites (open, used, revoked), messages (queued, sent) and a thread; row ids."""
    now = services.clock.now()
    earlier = now - dt.timedelta(days=3)
    async with services.sessionmaker.begin() as session:
        anna = await session.get_one(Person, ids["anna"])
        dorota = await session.get_one(Person, ids["dorota"])
        invites = {
            "open": await add_invite(session, anna, "open-code", now),
            "used": await add_invite(session, anna, "used-code", earlier, used_at=earlier),
            "revoked": await add_invite(session, anna, "old-code", earlier, revoked_at=earlier),
        }
        await queue_text(session, now, ids["anna"], "anna-pending")
        sent = await queue_text(session, now, ids["anna"], "anna-sent")
        sent.state, sent.sent_at = OutboxState.SENT, now
        await queue_text(session, now, ids["bartek"], "bartek-pending")
        question = await add_question(session, anna, "Jak wypełnić arkusz SELFIE?")
        await add_answer(session, question, dorota, "Proszę zacząć od części A.", at=now)
        await add_answer(session, question, anna, "Dziękuję, a część B?", at=now)
    return {name: invite.id for name, invite in invites.items()} | {"question": question.id}


async def test_erasure_anonymises_and_keeps_the_jsts_records(services: Services) -> None:
    ids = await _seed(services)
    rows = await _erase_seed(services, ids)
    now = services.clock.now() + LATER
    async with services.sessionmaker() as session:
        indicators_before = await compute_indicators(session)
    async with services.sessionmaker.begin() as session:
        erased = await erase_person(session, " Anna@Example.pl ", now, TODAY, actor="operator")
    assert erased == ids["anna"]

    anna = await _person(services, ids["anna"])
    assert (anna.full_name, anna.email) == (ERASED_NAME, erased_address("anna@example.pl"))
    assert (anna.telegram_user_id, anna.telegram_chat_id, anna.erased_at) == (None, None, now)
    assert (anna.gender, anna.jst_id) == (Gender.FEMALE, ids["alfa"])
    async with services.sessionmaker() as session:
        assert await compute_indicators(session) == indicators_before
        revoked = {i.id: i.revoked_at for i in await session.scalars(select(Invite))}
        question = await session.get_one(Question, rows["question"])
        answers = list(await session.scalars(select(Answer).order_by(Answer.id)))
        payloads = {
            row.dedupe_key: row.payload for row in await session.scalars(select(OutboxMessage))
        }
    earlier = services.clock.now() - dt.timedelta(days=3)
    assert revoked == {rows["open"]: now, rows["used"]: None, rows["revoked"]: earlier}
    assert (question.asker_id, question.text, question.state) == (
        ids["anna"],
        ERASED_MARK,
        QuestionState.CLOSED,
    ), "the question stays, counted, without its text"
    assert [(a.author_id, a.text) for a in answers] == [
        (ids["dorota"], "Proszę zacząć od części A."),
        (ids["anna"], ERASED_MARK),
    ]
    assert await states(services) == {
        "anna-pending": (OutboxState.SKIPPED, "erased"),
        "anna-sent": (OutboxState.SENT, None),
        "bartek-pending": (OutboxState.PENDING, None),
    }
    assert payloads["anna-sent"] == ERASED_PAYLOAD and payloads["bartek-pending"] != ERASED_PAYLOAD
    audit = [(e.actor, e.action, e.entity, e.entity_id) for e in await _audit(services)]
    assert audit == [
        ("operator", action, "person", ids["anna"])
        for action in ("erasure_requested", "erasure_confirmed", "person_erased")
    ]
    details = json.dumps([e.details for e in await _audit(services)])
    assert "anna" not in details.lower() and "Nowak" not in details, "no personal data"


async def test_erasing_an_unknown_email_changes_nothing(services: Services) -> None:
    await _seed(services)
    async with services.sessionmaker.begin() as session:
        now = services.clock.now()
        assert await erase_person(session, "nobody@example.pl", now, TODAY, actor="x") is None
    assert await _audit(services) == []
    assert (await _caller(services, ANNA)).full_name == "Anna Nowak"


async def test_the_erase_command_refuses_an_unknown_or_erased_address(
    services: Services,
) -> None:
    """Refused before anything is asked (the whole command: tests/dialog/test_erasure.py)."""
    await _seed(services)
    async with services.sessionmaker.begin() as session:
        await erase_person(session, "anna@example.pl", services.clock.now(), TODAY, actor="x")
    unknown = await invoke(services, "erase", "nobody@example.pl")
    erased = await invoke(services, "erase", "Anna@example.pl")
    assert (unknown.exit_code, erased.exit_code) == (2, 2)
    assert "no person with the e-mail nobody@example.pl" in unknown.output
    assert "anna@example.pl was erased already" in erased.output
