"""The walk's report: for every person, every Telegram message and e-mail they got, with dates.

Built from what arrived, not from the bot's own records: the chats of the local Telegram and
the files of the mail sink. Its counts can therefore be checked against the outbox (sent rows
by person and channel), which is what the walk's test does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from core.services import Services
from core.templates import Templates
from localapi import ChatMessage, ControlClient
from sandbox.demo import DemoPlan
from sandbox.mailbox import Mail, Mailbox
from sandbox.people import Playable, playable_people
from storage.models import Jst, Role

TEMPLATE = "sandbox/report.html.j2"
TELEGRAM, EMAIL = "telegram", "email"


@dataclass(frozen=True)
class Entry:
    """One message as its reader got it."""

    at: dt.datetime
    channel: str
    text: str
    subject: str | None = None
    file_name: str | None = None


@dataclass
class PersonLog:
    person: Playable
    behaviour: str | None
    entries: list[Entry] = field(default_factory=list)

    def count(self, channel: str) -> int:
        return sum(entry.channel == channel for entry in self.entries)


@dataclass(frozen=True)
class WalkReport:
    cohort: str
    start: dt.datetime
    end: dt.datetime
    people: list[PersonLog]

    def total(self, channel: str) -> int:
        return sum(log.count(channel) for log in self.people)


async def collect(
    services: Services,
    control: ControlClient,
    mailbox: Mailbox,
    plan: DemoPlan,
    *,
    start: dt.datetime,
    end: dt.datetime,
) -> WalkReport:
    """Everyone's Telegram chat and mailbox, merged by date."""
    async with services.sessionmaker() as session:
        people = await playable_people(session)
        names = dict((await session.execute(select(Jst.teryt, Jst.name))).tuples().all())
    by_jst = {names[jst.teryt]: jst.behaviour for jst in plan.jst}
    mails = mailbox.mails()
    logs = []
    for person in people:
        received = await control.received(person.user_id) if person.telegram_user_id else []
        # E-mails first: at one moment, an invitation comes before the chat it opens.
        entries = [_email(mail) for mail in mails if person.email in mail.recipients]
        entries += [_telegram(message) for message in received]
        entries.sort(key=lambda entry: entry.at)
        behaviour = by_jst.get(person.jsts[0]) if person.role is Role.MEMBER else None
        logs.append(PersonLog(person, behaviour, entries))
    return WalkReport(plan.cohort.name, start, end, logs)


def _telegram(message: ChatMessage) -> Entry:
    document = message.message.document
    return Entry(
        message.message.date,
        TELEGRAM,
        message.text,
        file_name=document.file_name if document else None,
    )


def _email(mail: Mail) -> Entry:
    assert mail.date is not None, "the bot dates every e-mail"
    return Entry(mail.date, EMAIL, mail.text, subject=mail.subject)


def write_report(report: WalkReport, templates: Templates, language: str, path: Path) -> None:
    """The HTML page a coordinator reads (autoescaped, inline CSS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    html = templates.render(language, TEMPLATE, report=report, telegram=TELEGRAM, email=EMAIL)
    path.write_text(html, encoding="utf-8")
