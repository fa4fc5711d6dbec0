"""The sandbox's demo cohort on both databases: imported through the importer, invitations
e-mailed to the sandbox's mail sink, and the people the terminal can play."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.services import Services
from core.settings import SmtpTls
from sandbox.demo import create_demo, demo_start, is_empty, load_plan, send_invitations
from sandbox.mailbox import Mailbox
from sandbox.people import FAKE_USER_IDS, playable_people
from sandbox.runtime import BOT_USERNAME, MAIL_FROM
from storage.exports import ExportKind, export_rows
from storage.indicators import compute_indicators
from storage.invites import hash_code
from storage.models import AuditEntry, Cohort, Invite, Jst, Person, ProgrammeStep, Role
from storage.round_views import cohort_rounds
from storage.workdays import is_working_day

KRZYSZTOF = "krzysztof.pawlak@doradcy.example.pl"
AGNIESZKA = "agnieszka.kowalczyk@stary-sacz.example.pl"


@pytest.fixture
async def mailbox(tmp_path: Path) -> AsyncIterator[Mailbox]:
    sink = Mailbox(tmp_path / "mail")
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def sandboxed(services: Services, mailbox: Mailbox) -> Services:
    """The services with the sandbox's mail settings: the sink, no TLS, no login."""
    settings = services.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "smtp_tls": SmtpTls.NONE,
            "mail_from": MAIL_FROM,
            "telegram_bot_username": BOT_USERNAME,
        }
    )
    return dataclasses.replace(services, settings=settings)


async def test_the_demo_cohort_is_imported_and_everyone_is_invited_by_e_mail(
    sandboxed: Services, mailbox: Mailbox, clock: FixedClock
) -> None:
    plan = load_plan()
    start = demo_start(dt.date(2026, 3, 2), plan)
    assert start == dt.date(2025, 9, 1)
    async with sandboxed.sessionmaker() as session:
        assert await is_empty(session)

    await create_demo(sandboxed, plan, start)

    async with sandboxed.sessionmaker() as session:
        assert not await is_empty(session)
        cohort = await session.scalar(select(Cohort))
        assert cohort is not None and (cohort.name, cohort.start_date) == ("Piaskownica", start)
        assert (await session.scalar(select(func.count(ProgrammeStep.id))) or 0) > 20
        teryts = set(await session.scalars(select(Jst.teryt)))
        assert teryts == {jst.teryt for jst in plan.jst}
        people = await playable_people(session)
        invites = list(await session.scalars(select(Invite)))
    assert len(people) == 15 and len(invites) == 15
    assert [p.role for p in people][-4:] == [
        Role.ADVISER,
        Role.ADVISER,
        Role.COORDINATOR,
        Role.EXPERT,
    ]
    krzysztof = next(p for p in people if p.email == KRZYSZTOF)
    assert krzysztof.jsts == ("Gmina Stary Sącz", "Powiat świdnicki")
    assert krzysztof.user_id == FAKE_USER_IDS + krzysztof.person_id and not krzysztof.active
    natalia = next(p for p in people if p.full_name == "Natalia Jabłońska")
    assert natalia.language == "en"

    mails = mailbox.mails()
    assert sorted(address for mail in mails for address in mail.recipients) == sorted(
        person.email for person in people
    )
    english = next(mail for mail in mails if natalia.email in mail.recipients)
    assert "invitation" in english.subject.lower()
    code = mailbox.invitation_code(KRZYSZTOF.upper())
    assert code is not None
    assert hash_code(code) in {invite.code_hash for invite in invites}
    assert all(mail.date == clock.now() for mail in mails)
    assert (mailbox.directory / "0001.eml").is_file()


async def test_the_demo_cohort_dates_its_training_rounds_in_their_phases(
    sandboxed: Services, mailbox: Mailbox
) -> None:
    """Each round on a working day of its phase (the second Wednesday, Z4 a Thursday), with
    hours, a place in Warsaw or (Z3) a link, and what to bring; the sandbox is the audit's
    actor."""
    plan = load_plan()
    await create_demo(sandboxed, plan, demo_start(dt.date(2026, 3, 2), plan))
    async with sandboxed.sessionmaker() as session:
        cohort = await session.scalar(select(Cohort))
        assert cohort is not None
        rounds = await cohort_rounds(session, cohort.id)
        audited = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "round.set"))
        )
    assert [r.code for r in rounds] == ["Z1", "Z2", "Z3", "Z4"]
    for found in rounds:
        assert found.held_on is not None and is_working_day(found.held_on)
        assert found.phase_starts_on <= found.held_on <= found.phase_ends_on
        assert found.start_time and found.end_time and found.bring
    # Z1's phase is December 2025: its second Wednesday is the 10th.
    assert rounds[0].held_on == dt.date(2025, 12, 10) and rounds[0].start_time == "10:00"
    assert [r.mode for r in rounds] == ["on_site", "on_site", "online", "on_site"]
    assert all("Warszawa" in (r.place or "") for r in rounds if r.mode == "on_site")
    assert (rounds[2].link or "").startswith("https://") and rounds[2].place is None
    assert len(audited) == 4 and {entry.actor for entry in audited} == {"sandbox"}


def test_a_round_on_a_day_off_moves_to_the_next_working_day() -> None:
    z2 = load_plan().rounds["Z2"]
    # November 2026: its second Wednesday is the 11th, Independence Day.
    assert z2.held_on(dt.date(2026, 11, 1)) == dt.date(2026, 11, 12)


async def test_invitations_are_sent_again_only_when_a_link_has_expired(
    sandboxed: Services, mailbox: Mailbox, clock: FixedClock
) -> None:
    plan = load_plan()
    await create_demo(sandboxed, plan, demo_start(dt.date(2026, 3, 2), plan))
    first = mailbox.invitation_code(KRZYSZTOF)

    assert await send_invitations(sandboxed) == 0, "everyone holds a valid link"
    assert len(mailbox.mails()) == 15

    clock.advance(dt.timedelta(days=sandboxed.settings.invite_ttl_days + 1))
    assert await send_invitations(sandboxed) == 15
    second = mailbox.invitation_code(KRZYSZTOF)
    assert second is not None and second != first
    assert mailbox.mail(16) is not None and mailbox.mail(31) is None
    assert mailbox.invitation_code("nobody@example.pl") is None


async def test_the_demo_indicators_are_recounted_from_the_people_export(
    sandboxed: Services, mailbox: Mailbox, clock: FixedClock
) -> None:
    """Round Z1's list of signatures comes with the demo; two of its signers join the bot:
    the indicators count them and them only, as the people export shows."""
    plan = load_plan()
    await create_demo(sandboxed, plan, demo_start(dt.date(2026, 3, 2), plan))
    async with sandboxed.sessionmaker.begin() as session:
        for email in (AGNIESZKA, "pawel.szczepanski@lublin.example.pl"):  # signed; did not
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.joined_at = clock.now()
    async with sandboxed.sessionmaker() as session:
        table = await export_rows(session, ExportKind.PEOPLE)
        indicators = await compute_indicators(session)
    rows = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
    signed = [row["email"] for row in rows if row["attended_Z1"]]
    assert len(signed) == 7 and "halina.baran@wizajny.example.pl" not in signed
    supported = [row["email"] for row in rows if row["supported"]]
    assert supported == [AGNIESZKA]
    assert (indicators.staff_supported.value, indicators.staff_women.value) == (1, 1)
    assert indicators.jsts_under_advisory.value == 1
    assert indicators.staff_improved.value == sum(bool(row["improved"]) for row in rows) == 0
