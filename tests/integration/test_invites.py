"""Invite codes: issued once per person, hashed, single-use, expiring, and slow to guess."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select, text

from core.clock import FixedClock
from core.services import Services
from storage.invites import (
    ATTEMPT_WINDOW,
    MAX_FAILED_ATTEMPTS,
    InviteRefused,
    IssuedInvite,
    RefusalReason,
    count_waiting_with_active_invite,
    hash_code,
    issue_invites,
    redeem_invite,
)
from storage.models import AuditEntry, Base, Invite, InviteAttempt, Person, Role
from tests.support.programme_data import add_cohort, add_jst, add_person

TTL = dt.timedelta(days=30)
ALICE, BOB, MALLORY = 1001, 1002, 6666


async def _seed(services: Services) -> None:
    """Two people waiting for a link, one already on Telegram, one erased."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        jst = await add_jst(session, cohort, "1401011", "Gmina Testowa")
        await add_person(session, "anna@example.pl", "Anna Nowak", jst=jst)
        await add_person(session, "bogdan@example.pl", "Bogdan Wiśniewski", role=Role.ADVISER)
        await add_person(
            session, "celina@example.pl", "Celina Joined", jst=jst, telegram_user_id=5000
        )
        await add_person(
            session, "erased@example.pl", "Erased", jst=jst, erased_at=services.clock.now()
        )


async def _issue(services: Services, *, reissue: bool = False) -> dict[str, IssuedInvite]:
    async with services.sessionmaker.begin() as session:
        issued = await issue_invites(session, services.clock.now(), TTL, reissue=reissue)
    return {invite.email: invite for invite in issued}


async def _redeem(services: Services, code: str, user: int) -> Person | RefusalReason:
    """The way the bot calls it: a refusal is caught inside the transaction, so it commits."""
    async with services.sessionmaker.begin() as session:
        try:
            return await redeem_invite(session, code, user, user + 1, services.clock.now())
        except InviteRefused as refused:
            return refused.reason


async def _add_invite(services: Services, email: str, code: str) -> None:
    """A second valid invite for someone (e.g. reissued in a race), made directly."""
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
        assert person is not None
        session.add(
            Invite(
                person_id=person.id,
                code_hash=hash_code(code),
                created_at=now,
                expires_at=now + TTL,
            )
        )


async def test_codes_go_to_people_who_have_not_joined(services: Services) -> None:
    await _seed(services)
    issued = await _issue(services)
    assert sorted(issued) == ["anna@example.pl", "bogdan@example.pl"]
    anna = issued["anna@example.pl"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", anna.code)
    assert (anna.jst_teryt, anna.jst_name, anna.role) == ("1401011", "Gmina Testowa", Role.MEMBER)
    assert anna.expires_at == services.clock.now() + TTL
    assert issued["bogdan@example.pl"].jst_teryt is None
    async with services.sessionmaker() as session:
        hashes = set(await session.scalars(select(Invite.code_hash)))
    assert hashes == {hash_code(invite.code) for invite in issued.values()}


async def test_no_table_holds_a_code_in_clear(services: Services) -> None:
    await _seed(services)
    issued = await _issue(services)
    anna = issued["anna@example.pl"].code
    assert isinstance(await _redeem(services, anna, ALICE), Person)
    async with services.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            dump = repr(rows)
            assert all(invite.code not in dump for invite in issued.values()), table.name


async def test_redeem_binds_the_account_and_audits_without_the_code(services: Services) -> None:
    await _seed(services)
    code = (await _issue(services))["anna@example.pl"].code
    person = await _redeem(services, f" {code}\n", ALICE)
    assert isinstance(person, Person)
    assert (person.email, person.telegram_user_id, person.telegram_chat_id) == (
        "anna@example.pl",
        ALICE,
        ALICE + 1,
    )
    assert person.joined_at == services.clock.now()
    assert person.notice_confirmed_at is None
    async with services.sessionmaker() as session:
        invite = await session.scalar(select(Invite).where(Invite.person_id == person.id))
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "invite_redeemed")
        )
    assert invite is not None and invite.used_at == services.clock.now()
    assert entry is not None and entry.entity_id == person.id
    assert code not in repr(entry.details)


async def test_a_code_works_once(services: Services) -> None:
    await _seed(services)
    code = (await _issue(services))["anna@example.pl"].code
    assert isinstance(await _redeem(services, code, ALICE), Person)
    assert await _redeem(services, code, MALLORY) == RefusalReason.USED
    again = await _redeem(services, code, ALICE)
    assert isinstance(again, Person) and again.telegram_user_id == ALICE


async def test_a_code_expires(services: Services, clock: FixedClock) -> None:
    await _seed(services)
    code = (await _issue(services))["anna@example.pl"].code
    clock.advance(TTL)
    assert await _redeem(services, code, ALICE) == RefusalReason.EXPIRED
    async with services.sessionmaker() as session:
        assert await count_waiting_with_active_invite(session, clock.now()) == 0


async def test_an_unknown_code_is_refused(services: Services) -> None:
    await _seed(services)
    await _issue(services)
    assert await _redeem(services, "x" * 32, ALICE) == RefusalReason.UNKNOWN
    assert await _redeem(services, "", ALICE) == RefusalReason.UNKNOWN


async def test_issuing_again_keeps_links_and_reissue_replaces_them(services: Services) -> None:
    await _seed(services)
    first = await _issue(services)
    assert await _issue(services) == {}
    async with services.sessionmaker() as session:
        assert await count_waiting_with_active_invite(session, services.clock.now()) == 2
    second = await _issue(services, reissue=True)
    assert sorted(second) == sorted(first)
    old, new = first["anna@example.pl"].code, second["anna@example.pl"].code
    assert await _redeem(services, old, ALICE) == RefusalReason.REVOKED
    assert isinstance(await _redeem(services, new, ALICE), Person)
    assert sorted(await _issue(services, reissue=True)) == ["bogdan@example.pl"]


async def test_a_second_account_for_a_joined_person_is_refused(services: Services) -> None:
    await _seed(services)
    code = (await _issue(services))["anna@example.pl"].code
    assert isinstance(await _redeem(services, code, ALICE), Person)
    await _add_invite(services, "anna@example.pl", "second-valid-code")
    refused = await _redeem(services, "second-valid-code", MALLORY)
    assert refused == RefusalReason.PERSON_ALREADY_JOINED_OTHER_ACCOUNT
    joined = await _redeem(services, "second-valid-code", ALICE)
    assert isinstance(joined, Person) and joined.telegram_user_id == ALICE
    assert await _redeem(services, "second-valid-code", MALLORY) == RefusalReason.USED


async def test_an_account_bound_to_someone_else_is_refused(services: Services) -> None:
    await _seed(services)
    issued = await _issue(services)
    assert isinstance(await _redeem(services, issued["anna@example.pl"].code, ALICE), Person)
    bogdan = issued["bogdan@example.pl"].code
    assert await _redeem(services, bogdan, ALICE) == RefusalReason.ACCOUNT_BOUND_TO_OTHER_PERSON
    person = await _redeem(services, bogdan, BOB)
    assert isinstance(person, Person) and person.email == "bogdan@example.pl"


async def test_an_erased_persons_code_is_refused(services: Services) -> None:
    await _seed(services)
    await _add_invite(services, "erased@example.pl", "erased-persons-code")
    assert await _redeem(services, "erased-persons-code", MALLORY) == RefusalReason.REVOKED


async def test_guessing_is_slowed_down_and_recovers(services: Services, clock: FixedClock) -> None:
    await _seed(services)
    code = (await _issue(services))["anna@example.pl"].code
    for guess in range(MAX_FAILED_ATTEMPTS):
        assert await _redeem(services, f"guess-{guess}", MALLORY) == RefusalReason.UNKNOWN
    assert await _redeem(services, code, MALLORY) == RefusalReason.TOO_MANY_ATTEMPTS
    assert await _redeem(services, "guess-x", BOB) == RefusalReason.UNKNOWN
    async with services.sessionmaker() as session:
        counted = await session.scalar(
            select(func.count(InviteAttempt.id)).where(InviteAttempt.telegram_user_id == MALLORY)
        )
    assert counted == MAX_FAILED_ATTEMPTS
    clock.advance(ATTEMPT_WINDOW - dt.timedelta(seconds=1))
    assert await _redeem(services, code, MALLORY) == RefusalReason.TOO_MANY_ATTEMPTS
    clock.advance(dt.timedelta(seconds=1))
    person = await _redeem(services, code, MALLORY)
    assert isinstance(person, Person) and person.telegram_user_id == MALLORY
