"""The e-mail sender against a real SMTP server (aiosmtpd on loopback), on both databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import update

from core.clock import FixedClock
from core.services import Services
from outbox.email_policy import reminder_email
from outbox.email_sender import EmailDelivery, EmailStats, deliver_all, deliver_emails
from outbox.policy import BACKOFF_CAP, GIVE_UP_AFTER, GIVE_UP_AT_ATTEMPT
from storage.models import Channel, OutboxState, Person
from tests.support.outbox_rows import Queued, given, outbox_rows, states
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

REMINDER = reminder_email(
    'Termin zadania <b>ZW1</b>: 31 marca 2026 &amp; raport.\n<a href="https://ore.edu.pl/x">Opis</a>'
)


def email(key: str, person: str | None = "ann", payload: dict[str, Any] | None = None) -> Queued:
    """An e-mail row: the reminder fallback unless another payload is given."""
    return Queued(person, key, channel=Channel.EMAIL, payload=payload or REMINDER)


def sender(
    services: Services, smtp: SmtpServer, *, jitter: float = 0.0, **settings: Any
) -> EmailDelivery:
    """A fixed jitter: retry times are exact."""
    mailing = smtp.services(services, **settings)
    return EmailDelivery(mailing, bot_username="advisory_test_bot", jitter=lambda: jitter)


async def set_person(services: Services, person_id: int, **values: Any) -> None:
    async with services.sessionmaker.begin() as session:
        await session.execute(update(Person).where(Person.id == person_id).values(**values))


async def addresses(services: Services, people: dict[str, int]) -> dict[str, str]:
    """The people's e-mail addresses, by name."""
    async with services.sessionmaker() as session:
        return {name: (await session.get_one(Person, pid)).email for name, pid in people.items()}


async def next_attempt(services: Services) -> dt.datetime:
    """When every row still waiting is due again."""
    rows = await outbox_rows(services)
    return max(r.next_attempt_at for r in rows.values() if r.state is OutboxState.PENDING)


async def test_a_multipart_email_with_a_stable_message_id_and_no_injected_header(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    people = await given(services, {"ann": None}, email("deadline:1:ZW1"))
    await set_person(services, people["ann"], full_name="Anna\r\nBcc: x@evil.example")
    ann = (await addresses(services, people))["ann"]
    smtp.handler.unconfirmed = 1  # the server keeps the first copy but its reply is lost

    assert (await sender(services, smtp).deliver_due()).retried == 1
    clock.set(await next_attempt(services))
    assert (await sender(services, smtp).deliver_due()).sent == 1

    first, second = (item.message for item in smtp.received)
    row = (await outbox_rows(services))["deadline:1:ZW1"]
    digest = hashlib.sha256(b"deadline:1:ZW1").hexdigest()[:16]
    assert (
        first["Message-ID"]
        == second["Message-ID"]
        == f"<outbox-{row.id}.{digest}@advisory.example.pl>"
    )
    assert [item.recipients for item in smtp.received] == [[ann]] * 2
    assert "Bcc" not in second and second.get_all("To") == [f'"Anna Bcc: x@evil.example" <{ann}>']
    assert second["Subject"].startswith("Przypomnienie z bota programu")
    assert second["Auto-Submitted"] == "auto-generated"
    text = second.get_body(("plain",))
    html = second.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert "Termin zadania ZW1: 31 marca 2026 & raport.\nOpis (https://ore.edu.pl/x)" in plain
    assert (
        "Twoje konto nie jest jeszcze połączone z botem" in plain
    )  # never joined: use the invitation
    assert "Termin zadania <b>ZW1</b>: 31 marca 2026 &amp; raport." in markup
    assert "Anna\r\nBcc" not in markup and row.state is OutboxState.SENT


async def test_server_down_for_a_while_loses_nothing_and_sends_each_once(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    people = await given(
        services,
        {"ann": None, "bob": None, "cid": None},
        email("r-ann"),
        email("r-bob", "bob"),
        email("r-cid", "cid"),
        email("r-ann-2"),  # waits behind Ann's first: one row per person per pass
    )
    smtp.stop()
    delivery = sender(services, smtp)

    for _ in range(3):
        stats = await delivery.deliver_due()
        assert (stats.claimed, stats.retried, stats.sent) == (3, 3, 0)
        clock.set(await next_attempt(services))
    rows = await outbox_rows(services)
    assert rows["r-ann"].attempts == 3 and rows["r-ann-2"].attempts == 0
    assert rows["r-bob"].last_error is not None and "Connect" in rows["r-bob"].last_error

    smtp.start()
    assert (await deliver_all(delivery)).sent == 4  # Ann's second once her first has gone
    clock.advance(dt.timedelta(days=5))
    assert await deliver_all(delivery) == EmailStats()

    to = await addresses(services, people)
    assert {name: len(smtp.to(address)) for name, address in to.items()} == {
        "ann": 2,
        "bob": 1,
        "cid": 1,
    }
    assert {state for state, _ in (await states(services)).values()} == {OutboxState.SENT}


async def test_a_permanent_refusal_fails_its_row_without_blocking_the_next(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    people = await given(
        services,
        {"ann": None, "bob": None, "cid": None},
        email("to-ann"),
        email("to-bob", "bob"),
        email("to-cid", "cid"),
    )
    to = await addresses(services, people)
    smtp.handler.replies = {
        to["ann"]: "550 5.1.1 Mailbox unknown",
        to["bob"]: "451 4.2.0 Mailbox busy",
    }
    delivery = sender(services, smtp)

    stats = await delivery.deliver_due()
    assert (stats.sent, stats.failed, stats.retried) == (1, 1, 1)
    assert await states(services) == {
        "to-ann": (OutboxState.FAILED, "550 5.1.1 Mailbox unknown"),
        "to-bob": (OutboxState.PENDING, "451 4.2.0 Mailbox busy"),
        "to-cid": (OutboxState.SENT, None),
    }
    smtp.handler.replies.clear()
    clock.set(await next_attempt(services))
    assert (await deliver_all(delivery)).sent == 1
    assert [len(smtp.to(to[name])) for name in ("ann", "bob", "cid")] == [0, 1, 1]


async def test_a_server_down_for_three_days_fails_the_row_for_the_operator(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    await given(services, {"ann": None}, email("long"))
    smtp.stop()
    delivery = sender(services, smtp, jitter=1.0)  # the shortest waits: the earliest give-up
    first_try = clock.now()

    while (await outbox_rows(services))["long"].state is OutboxState.PENDING:
        await delivery.deliver_due()
        row = (await outbox_rows(services))["long"]
        clock.set(max(clock.now(), row.next_attempt_at))

    row = (await outbox_rows(services))["long"]
    assert row.state is OutboxState.FAILED and row.attempts == GIVE_UP_AT_ATTEMPT
    assert row.last_error is not None and row.last_error.startswith("gave_up: ")
    assert GIVE_UP_AFTER <= clock.now() - first_try < GIVE_UP_AFTER + BACKOFF_CAP


async def test_tls_is_never_dropped_for_a_server_that_does_not_offer_it(
    services: Services, smtp: SmtpServer
) -> None:
    await given(services, {"ann": None, "bob": None}, email("a"), email("b", "bob"))

    stats = await sender(services, smtp, smtp_tls="starttls").deliver_due()

    assert (stats.claimed, stats.retried, smtp.received) == (2, 2, [])
    assert all("STARTTLS" in str(error) for _, error in (await states(services)).values())


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
async def test_the_configured_login_is_used_and_a_refused_login_keeps_rows_waiting(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    smtp.stop()
    smtp.login = ("bot", "s3cret")
    smtp.start()
    await given(services, {"ann": None}, email("a"))

    wrong = await sender(services, smtp, smtp_username="bot", smtp_password="wrong").deliver_due()
    assert (wrong.retried, smtp.received) == (1, [])  # the server refused us, not the e-mail
    assert (await states(services))["a"] == (
        OutboxState.PENDING,
        "535 5.7.8 Authentication credentials invalid",
    )
    clock.advance(dt.timedelta(minutes=1))
    right = await sender(services, smtp, smtp_username="bot", smtp_password="s3cret").deliver_due()
    assert right.sent == 1 and len(smtp.received) == 1


async def test_without_smtp_settings_rows_wait_and_one_line_names_the_variable(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    await given(services, {"ann": None}, email("waits"))

    with caplog.at_level(logging.WARNING, logger="outbox.email_sender"):
        assert await deliver_emails(services, "advisory_test_bot") == 0

    assert [r.getMessage() for r in caplog.records] == [
        "1 e-mail(s) wait: SMTP_HOST, MAIL_FROM not set"
    ]
    row = (await outbox_rows(services))["waits"]
    assert (row.state, row.attempts) == (OutboxState.PENDING, 0)


async def test_bad_rows_fail_at_once_and_the_others_go(
    services: Services, smtp: SmtpServer
) -> None:
    await given(
        services,
        {"ann": None, "bob": None},
        email("no-template", payload={"template": "nonexistent", "values": {}}),
        email("to-nobody", None),
        email("fine", "bob"),
    )

    stats = await sender(services, smtp).deliver_due()

    assert (stats.claimed, stats.failed, stats.sent) == (3, 2, 1)
    found = await states(services)
    assert (
        found["no-template"][1]
        == "bad_payload: TemplateNotFound: pl/email/nonexistent.subject.txt.j2"
    )
    assert found["to-nobody"][1] == "bad_payload: ValueError: no_recipient"


async def test_a_payload_address_wins_and_secrets_are_forgotten_once_sent(
    services: Services, smtp: SmtpServer
) -> None:
    kept = {"expires_at": "2026-04-01T09:00:00+00:00", "role": "member", "jst_name": "Gmina"}
    link = "https://t.me/advisory_test_bot?start=SECRET"
    invitation = {
        "template": "invitation",
        "values": {"link": link, **kept},
        "to": "biuro@gmina.example.pl",
        "forget": ["link"],
    }
    people = await given(services, {"ann": None}, email("inv", payload=invitation))
    await set_person(services, people["ann"], language="en")

    assert (await sender(services, smtp).deliver_due()).sent == 1

    (message,) = smtp.to("biuro@gmina.example.pl")
    body = message.get_body(("plain",))
    assert body is not None
    assert "?start=SECRET" in body.get_content() and "1 April 2026, 11:00" in body.get_content()
    row = (await outbox_rows(services))["inv"]
    assert row.payload == {
        "template": "invitation",
        "values": kept,
        "to": "biuro@gmina.example.pl",
    }


def alert(key: str, template: str, person: str = "kasia", **values: object) -> Queued:
    """A coordinator alert as the rules queue it: JSON values, rendered when sent."""
    shared = {"jst_name": f"Gmina {key}", "teryt": "0201022", "adviser": None}
    payload = {"template": template, "values": shared | values}
    return email(key, person, payload)


HOUR = dt.timedelta(hours=1)
OVERDUE: dict[str, Any] = {
    "code": "ZW1",
    "title_pl": "Diagnoza",
    "title_en": "Diagnosis",
    "due_on": "2026-02-20",
    "extended": False,
    "resolution": False,
    "days": 7,
}
MISSING: dict[str, Any] = {
    "code": "R01",
    "title_pl": "Raport 1",
    "title_en": "Report 1",
    "due_on": "2026-02-15",
    "working_days": 20,
}


async def test_alerts_due_together_go_as_one_email_and_each_once(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    people = await given(
        services,
        {"kasia": None, "bob": None},
        alert("a1", "task_overdue_alert", **OVERDUE),
        email("r-kasia", "kasia"),  # not an alert: its own e-mail, after the alerts' lead
        alert("a2", "report_missing_alert", **MISSING),
        alert(
            "a3",
            "question_sla_coordinator",
            question=7,
            working_days=4,
            asked_at="2026-02-24T10:00:00+00:00",
        ),
        alert("broken", "task_overdue_alert"),  # values missing: fails alone
        alert("a-bob", "task_overdue_alert", "bob", **OVERDUE),
        replace(alert("later", "task_overdue_alert", **OVERDUE), not_before=HOUR),  # not yet due
    )
    delivery = sender(services, smtp)

    first = await delivery.deliver_due()
    assert (first.claimed, first.sent, first.failed) == (5, 4, 1)
    kasia = (await addresses(services, people))["kasia"]
    (batched,) = smtp.to(kasia)
    assert (
        str(batched["Subject"]) == "Alerty programu: 3 sprawy wymagają uwagi"
    )  # issue 18: was "3 spraw wymaga"
    text = batched.get_body(("plain",))
    assert text is not None
    plain = text.get_content()
    assert plain.index("1. Alert: Gmina a1") < plain.index("2. Alert: Gmina a2")
    assert "3. Alert: pytanie nr 7" in plain and "Gmina broken" not in plain
    rows = await outbox_rows(services)
    assert {rows[k].state for k in ("a1", "a2", "a3", "a-bob")} == {OutboxState.SENT}
    assert len({rows[k].external_id for k in ("a1", "a2", "a3")}) == 1
    assert rows["broken"].state is OutboxState.FAILED
    assert rows["broken"].last_error is not None
    assert rows["broken"].last_error.startswith("bad_payload: UndefinedError")
    assert rows["later"].state is OutboxState.PENDING

    await deliver_all(delivery)  # Kasia's reminder, then nothing more until "later" is due
    assert [str(m["Subject"]).startswith("Przypomnienie") for m in smtp.to(kasia)] == [
        False,
        True,
    ]
    clock.advance(HOUR)
    await deliver_all(delivery)
    assert (
        str(smtp.to(kasia)[-1]["Subject"])
        == "Alert: Gmina later – zadanie ZW1 po terminie od 7 dni"
    )
    assert len(smtp.received) == 4


async def test_a_batch_of_alerts_waits_out_a_server_outage_together(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    people = await given(
        services,
        {"kasia": None},
        alert("a1", "task_overdue_alert", **OVERDUE),
        alert("a2", "report_missing_alert", **MISSING),
    )
    smtp.stop()
    delivery = sender(services, smtp)
    stats = await delivery.deliver_due()
    assert (stats.claimed, stats.retried) == (2, 2)
    rows = await outbox_rows(services)
    assert rows["a1"].next_attempt_at == rows["a2"].next_attempt_at

    smtp.start()
    clock.set(await next_attempt(services))
    assert (await deliver_all(delivery)).sent == 2
    (only,) = smtp.to((await addresses(services, people))["kasia"])
    assert str(only["Subject"]).startswith("Alerty programu: 2")


async def test_the_invitation_subject_arrives_as_written_through_a_real_server(
    services: Services, smtp: SmtpServer
) -> None:
    """aiosmtplib's send_message folds headers with policy.SMTP, and the fold lost the space in
    "rozwój oświaty" in every mail program (issue 18): the bytes sent are ours, unfolded."""
    values = {
        "link": "https://t.me/advisory_test_bot?start=abc",
        "expires_at": "2026-12-31T10:00:00+00:00",
        "role": "member",
        "jst_name": "Gmina Łąka",
    }
    payload = {"template": "invitation", "values": values, "forget": ["link"]}
    people = await given(services, {"ann": None}, email("invite", payload=payload))
    await set_person(services, people["ann"], full_name="Żaneta Ślęzak-Łukasiewicz")

    assert (await deliver_all(sender(services, smtp))).sent == 1

    (received,) = smtp.received
    expected = services.templates.render("pl", "email/invitation.subject.txt.j2").strip()
    assert "rozwój oświaty" in expected
    assert received.message["Subject"] == expected
    assert received.message["To"].addresses[0].display_name == "Żaneta Ślęzak-Łukasiewicz"
