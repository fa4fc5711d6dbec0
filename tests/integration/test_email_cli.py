"""`advisorybot invites --send` and `advisorybot outbox` through the real CLI and SMTP server."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.services import Services
from outbox.email_sender import EmailDelivery
from storage.invites import hash_code
from storage.models import Channel, Invite, OutboxState, Person, Role
from tests.support.cli_runs import BOT_USERNAME, invoke
from tests.support.outbox_rows import Queued, given, outbox_rows
from tests.support.programme_data import add_cohort, add_jst, add_person
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

PEOPLE = ("anna@example.pl", "bogdan@example.pl", "ktos@example.pl")
LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


async def _seed(services: Services) -> None:
    """A member, her JST's adviser, a coordinator, and a member who has joined already."""
    async with services.sessionmaker.begin() as session:
        jst = await add_jst(session, await add_cohort(session), "1401011", "Gmina Testowa")
        await add_person(session, "anna@example.pl", "Anna Nowak", jst=jst)
        await add_person(session, "bogdan@example.pl", "Bogdan Zych", role=Role.ADVISER)
        await add_person(session, "ktos@example.pl", "Ktoś Inny", role=Role.COORDINATOR)
        await add_person(session, "jan@example.pl", "Jan", jst=jst, telegram_user_id=9)


def codes(smtp: SmtpServer, address: str) -> list[str]:
    """The invite codes e-mailed to `address`, oldest first (from the plain-text part)."""
    found = []
    for message in smtp.to(address):
        body = message.get_body(("plain",))
        assert body is not None
        found += LINK.findall(body.get_content())
    return found


async def _active_hashes(services: Services) -> dict[str, str]:
    async with services.sessionmaker() as session:
        rows = await session.execute(
            select(Person.email, Invite.code_hash)
            .join(Invite, Invite.person_id == Person.id)
            .where(Invite.revoked_at.is_(None), Invite.emailed_at.is_not(None))
        )
        return {email: code_hash for email, code_hash in rows}


async def test_send_emails_each_person_once_and_resend_replaces_the_links(
    services: Services, smtp: SmtpServer
) -> None:
    await _seed(services)

    result = await invoke(services, "invites", "--send", **smtp.env())
    assert result.exit_code == 0, result.output
    assert "Invitations queued for e-mail: 3. E-mails sent now: 3." in result.output
    first = {address: codes(smtp, address) for address in PEOPLE}
    assert all(len(found) == 1 for found in first.values()) and not smtp.to("jan@example.pl")
    hashes = await _active_hashes(services)
    assert {address: hash_code(found[0]) for address, found in first.items()} == hashes
    message = smtp.to("anna@example.pl")[0]
    assert message["To"] == "Anna Nowak <anna@example.pl>"
    assert message.get_body(("html",)) is not None
    rows = await outbox_rows(services)
    assert all("link" not in row.payload["values"] for row in rows.values()), "forgotten"

    again = await invoke(services, "invites", "--send", **smtp.env())
    assert again.exit_code == 0, again.output
    assert "queued for e-mail: 0. Skipped people who already have a valid invitation: 3" in (
        again.output
    )
    assert len(smtp.received) == 3

    resent = await invoke(services, "invites", "--send", "--resend", **smtp.env())
    assert resent.exit_code == 0, resent.output
    second = {address: codes(smtp, address)[1:] for address in PEOPLE}
    assert {address: hash_code(found[0]) for address, found in second.items()} == (
        await _active_hashes(services)
    )
    assert all(second[a] != first[a] for a in PEOPLE) and len(smtp.received) == 6


async def test_mail_held_up_by_a_down_server_is_withdrawn_when_its_link_is_revoked(
    services: Services, smtp: SmtpServer
) -> None:
    await _seed(services)
    smtp.stop()

    result = await invoke(services, "invites", "--send", **smtp.env())
    assert result.exit_code == 0, result.output
    assert "E-mails sent now: 0. Waiting for the mail server" in result.output
    resent = await invoke(services, "invites", "--send", "--resend", **smtp.env())
    assert resent.exit_code == 0, resent.output

    rows = sorted((await outbox_rows(services)).values(), key=lambda row: row.id)
    assert [(row.state, row.last_error) for row in rows[:3]] == [
        (OutboxState.SKIPPED, "invite_revoked")
    ] * 3
    assert all(row.state is OutboxState.PENDING and row.attempts == 1 for row in rows[3:])
    listing = await invoke(services, "outbox")
    assert listing.exit_code == 0, listing.output
    assert listing.output.count("pending  e-mail  invitation") == 3
    assert "last error: SMTPConnectError" in listing.output and "Anna Nowak" in listing.output


async def test_send_refuses_without_smtp_settings_and_issues_nothing(services: Services) -> None:
    await _seed(services)

    result = await invoke(services, "invites", "--send", SMTP_HOST=None, MAIL_FROM=None)

    assert result.exit_code == 2
    assert result.output.strip() == (
        "Configuration error: SMTP_HOST, MAIL_FROM: not set "
        "(set the environment variable or put it in the .env file)."
    )
    async with services.sessionmaker() as session:
        assert (await session.scalars(select(Invite))).all() == []


async def test_invites_needs_exactly_one_of_out_and_send(services: Services) -> None:
    neither = await invoke(services, "invites")
    assert neither.exit_code == 2
    assert neither.output.startswith("Give exactly one of --out FILE")
    resend_alone = await invoke(services, "invites", "--resend")
    assert resend_alone.exit_code == 2
    assert "--resend works only with --send" in resend_alone.output


async def test_outbox_lists_failed_rows_and_retry_puts_them_back(
    services: Services, smtp: SmtpServer
) -> None:
    await given(
        services,
        {"ann": 501},
        Queued("ann", "waits"),
        Queued(None, "to-nowhere", channel=Channel.EMAIL, payload={"template": "reminder"}),
    )
    await EmailDelivery(smtp.services(services), bot_username=None).deliver_due()
    rows = await outbox_rows(services)
    failed_id, waiting_id = rows["to-nowhere"].id, rows["waits"].id

    both = await invoke(services, "outbox")
    assert both.exit_code == 0, both.output
    assert f"#{waiting_id}  pending  Telegram  test  Członkini" in both.output
    assert f"#{failed_id}  failed  e-mail  reminder  —  tries: 1\n" in both.output
    failed = await invoke(services, "outbox", "--state", "failed")
    assert failed.exit_code == 0, failed.output
    assert "last error: bad_payload: ValueError: no_recipient" in failed.output
    assert f"#{waiting_id}" not in failed.output

    retried = await invoke(services, "outbox", "retry", str(failed_id))
    assert retried.exit_code == 0, retried.output
    assert retried.output.startswith("Messages put back to be sent: 1.")
    row = (await outbox_rows(services))["to-nowhere"]
    assert (row.state, row.attempts) == (OutboxState.PENDING, 0)

    not_failed = await invoke(services, "outbox", "retry", str(failed_id), str(waiting_id))
    assert not_failed.exit_code == 2
    assert f"Message #{failed_id} has not failed (state: pending)" in not_failed.output
    unknown = await invoke(services, "outbox", "retry", "999999")
    assert unknown.exit_code == 2 and "There is no outbox message #999999" in unknown.output
