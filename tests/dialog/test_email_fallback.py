"""Invitations by e-mail, and the e-mail fallback for a member who blocked the bot (issue 7).

The bot, the local Bot API and a real SMTP server: `invites --send` queues the links while the
mail server is down and the running bot sends them once it is back (the clock moved past the
retry); Anna joins with hers, the bot stops and she blocks it; the next real reminder (the
first one the registered rules plan for her, sent by `advisorybot tick --now`) reaches her by
e-mail, once.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from outbox.email_policy import telegram_text
from outbox.policy import BACKOFF_CAP
from reminders.rules import all_rules
from reminders.schedule import Due
from reminders.tick import planned, work_calendar
from storage.models import Channel, OutboxMessage, OutboxState, Person
from tests.support.smtp import SmtpServer
from tests.support.team_world import World

ANNA, ANNA_EMAIL, BARTOSZ_EMAIL = 7101, "anna.nowak@example.pl", "bartosz.wisniewski@example.pl"
START_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


def text_of(smtp: SmtpServer, address: str, subject_start: str, *, but: bool = False) -> list[str]:
    """The plain-text parts of the e-mails to `address` whose subject starts so (`but`: does
    not)."""
    texts = []
    for message in smtp.to(address):
        part = message.get_body(("plain",))
        if str(message["Subject"]).startswith(subject_start) is not but and part is not None:
            texts.append(part.get_content())
    return texts


async def next_reminder(world: World, email: str) -> tuple[Due, list[OutboxMessage]]:
    """The first Telegram reminder the registered rules plan for the person from now on, and
    the outbox rows of that person (read in one go)."""
    services = world.services
    async with services.sessionmaker() as session:
        person_id = await session.scalar(select(Person.id).where(Person.email == email))
        now = services.clock.now()
        rules = all_rules(services.settings)
        upcoming = [
            due
            for due in await planned(session, rules, now, work_calendar(services))
            if due.person_id == person_id and due.channel is Channel.TELEGRAM and due.at > now
        ]
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_id == person_id)
        )
        return upcoming[0], list(rows)


async def test_invited_by_email_a_member_who_blocked_the_bot_gets_her_reminder_by_email_once(
    world: World,
) -> None:
    await world.mailbox.stop()  # the mail server is down; it comes back on its port
    smtp = SmtpServer(port=world.mailbox.port)
    try:
        sent = await world.cli("invites", "--send")
        assert "Invitations queued for e-mail: 9. E-mails sent now: 0." in sent
        smtp.start()
        world.clock.shift(BACKOFF_CAP)  # past any retry: the running bot's sender takes them
        await world.settle()
        assert len(smtp.received) == 9

        (invitation,) = text_of(smtp, ANNA_EMAIL, "Zaproszenie")
        anna, welcome = await world.join(START_CODE.findall(invitation)[0], ANNA, "Anna")
        assert "Anna Nowak" in welcome.text
        await world.stop_bot()
        await anna.block()  # the bot is down: it learns of it only from Telegram's 403

        due, _ = await next_reminder(world, ANNA_EMAIL)
        for _ in range(2):  # the same moment twice: nothing is sent again
            await world.cli("tick", "--now", due.at.isoformat())

        _, rows = await next_reminder(world, ANNA_EMAIL)
        by_key = {row.dedupe_key: row for row in rows}
        assert (by_key[due.key].state, by_key[due.key].last_error) == (
            OutboxState.SKIPPED,
            "forbidden",
        )
        assert by_key[f"{due.key}:email"].state is OutboxState.SENT
        (reminder,) = text_of(smtp, ANNA_EMAIL, "Zaproszenie", but=True)
        assert telegram_text(by_key[due.key].payload["params"]["text"]) in reminder
        assert "https://t.me/" in reminder and "odblokuj bota" in reminder
        (to_bartosz,) = text_of(smtp, BARTOSZ_EMAIL, "Zaproszenie", but=True)  # never joined
        assert "Twoje konto nie jest jeszcze połączone z botem" in to_bartosz
        assert "?start=" in to_bartosz and "?start=" not in reminder
    finally:
        smtp.stop()
