"""Invitations by e-mail, and the e-mail fallback for a member who blocked the bot (issue 7).

The whole way through the installed `advisorybot`, the local Bot API and a real SMTP server:
`invites --send` queues the links while the mail server is down and the running bot sends them
once it is back; Anna joins with hers, the bot stops and she blocks it; the next real reminder
(the first one the registered rules plan for her) reaches her by e-mail, once.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.calendar import WorkCalendar
from core.settings import load_settings
from localapi import ControlClient
from outbox.email_policy import telegram_text
from reminders.rules import all_rules
from reminders.schedule import Due
from reminders.tick import planned
from storage.db import create_engine, create_sessionmaker
from storage.models import Channel, OutboxMessage, OutboxState, Person
from tests.e2e.conftest import eventually, join
from tests.support.bot_process import BotWorld
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

ANNA, ANNA_EMAIL, BARTOSZ_EMAIL = 7101, "anna.nowak@example.pl", "bartosz.wisniewski@example.pl"
START_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


def text_of(smtp: SmtpServer, address: str, subject_start: str) -> list[str]:
    """The plain-text parts of the e-mails to `address` whose subject starts so."""
    texts = []
    for message in smtp.to(address):
        part = message.get_body(("plain",))
        if str(message["Subject"]).startswith(subject_start) and part is not None:
            texts.append(part.get_content())
    return texts


async def next_reminder(world: BotWorld, email: str) -> tuple[Due, list[OutboxMessage]]:
    """The first Telegram reminder the registered rules plan for the person from now on, and
    the outbox rows of that person (read in one go)."""
    engine = create_engine(world.env["DATABASE_URL"])
    try:
        async with create_sessionmaker(engine)() as session:
            person_id = await session.scalar(select(Person.id).where(Person.email == email))
            now = dt.datetime.now(dt.UTC)
            calendar = WorkCalendar(ZoneInfo("Europe/Warsaw"), (20, 8))
            rules = all_rules(load_settings(_env_file=None))
            upcoming = [
                due
                for due in await planned(session, rules, now, calendar)
                if due.person_id == person_id and due.channel is Channel.TELEGRAM and due.at > now
            ]
            rows = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.person_id == person_id)
            )
            return upcoming[0], list(rows)
    finally:
        await engine.dispose()


async def test_invited_by_email_a_member_who_blocked_the_bot_gets_her_reminder_by_email_once(
    world: BotWorld, control: ControlClient, smtp: SmtpServer
) -> None:
    world.env.update(smtp.env())
    world.start()
    await control.until_polling()
    smtp.stop()
    sent = await world.cli("invites", "--send")
    assert "Invitations queued for e-mail: 9. E-mails sent now: 0." in sent
    smtp.start()

    async def all_invited() -> bool:  # the running bot's e-mail sender retries on its own
        return len(smtp.received) == 9

    await eventually(all_invited, within=30)
    (invitation,) = text_of(smtp, ANNA_EMAIL, "Zaproszenie")
    anna, welcome = await join(control, START_CODE.findall(invitation)[0], ANNA, "Anna")
    assert "Anna Nowak" in welcome.text
    assert await world.terminate() == 0
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
    (reminder,) = text_of(smtp, ANNA_EMAIL, "Przypomnienie")
    assert telegram_text(by_key[due.key].payload["params"]["text"]) in reminder
    assert "https://t.me/" in reminder and "odblokuj bota" in reminder
    (to_bartosz,) = text_of(smtp, BARTOSZ_EMAIL, "Przypomnienie")  # never joined
    assert "nie dołączyłeś(-aś) jeszcze do bota" in to_bartosz
