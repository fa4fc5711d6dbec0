"""A silent JST, on SQLite and PostgreSQL, through the real rules, senders and an SMTP server:
nobody of Gmina Cisza's team (Zofia, Piotr) has joined the bot (issue 19, item 4).

The programme starts on 1 January 2025 (the shipped template): report R01 (April 2026) is
requested on Monday 4 May 2026, reminded on 11 and 18 May, due on 15 May; ZW3 and HDR_ORE are
due on 30 June (T-14: 16 June). The team is first invited on Thursday 30 April; 10 working
days later (1 and 3 May are holidays) is Friday 15 May, 09:00. Adam advises both JSTs and is
on Telegram; Kasia coordinates. Gmina Gwar's Ewa has joined: her JST is never silent.
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from core.clock import FixedClock
from core.services import Services
from digest.attention import ReasonKind
from digest.build import build_digest
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.telegram_sender import TelegramDelivery
from reminders.rules import all_rules
from reminders.tick import run_tick
from storage.cohorts import add_cohort
from storage.invites import InviteRefused, RefusalReason, issue_invites, redeem_invite
from storage.models import Gender, Person, Role
from storage.programme import default_template_path
from tests.support import telegram_request
from tests.support.outbox_rows import outbox_rows
from tests.support.people_data import assign_adviser
from tests.support.programme_data import CREATED, add_jst, add_person
from tests.support.smtp import SmtpServer, smtp
from tests.support.task_data import adopt
from tests.support.telegram_request import FakeBotApi

__all__ = ["smtp"]  # the fixture
api = telegram_request.api
bot = telegram_request.bot
timedelta_periods = telegram_request.timedelta_periods
pytestmark = pytest.mark.usefixtures("timedelta_periods")  # as the bot runs

WARSAW = ZoneInfo("Europe/Warsaw")
ZOFIA, PIOTR, EWA = "zofia@cisza.example.pl", "piotr@cisza.example.pl", "ewa@gwar.example.pl"
ADAM, ADAM_CHAT, ZOFIA_CHAT = "adam@ore.example.pl", 901, 902
KASIA = "kasia@ore.example.pl"
CISZA = "1206022"
START_CODE = re.compile(r"https://t\.me/advisory_test_bot\?start=([A-Za-z0-9_-]+)")
ON_TELEGRAM = {"telegram_user_id", "telegram_chat_id", "joined_at", "notice_confirmed_at"}


def local(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=WARSAW).astimezone(dt.UTC)


def joined(chat: int) -> dict[str, Any]:
    """A person's fields once they joined on Telegram and read the notice."""
    return dict.fromkeys(ON_TELEGRAM, CREATED) | {
        "telegram_user_id": chat,
        "telegram_chat_id": chat,
    }


async def _seed(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "pilot", dt.date(2025, 1, 1), default_template_path(), now=CREATED, actor="t"
        )
        cisza = await add_jst(session, cohort, CISZA, "Gmina Cisza")
        gwar = await add_jst(session, cohort, "1206033", "Gmina Gwar")
        zofia = await add_person(session, ZOFIA, "Zofia Nowicka", jst=cisza)
        await add_person(session, PIOTR, "Piotr Zając", jst=cisza, gender=Gender.MALE)
        ewa = await add_person(session, EWA, "Ewa Gwarna", jst=gwar, **joined(903))
        for jst, member in ((cisza, zofia), (gwar, ewa)):  # monitoring from April 2026
            adopt(session, jst.id, dt.date(2026, 3, 20), member.id)
        adam = await add_person(
            session, ADAM, "Adam Mazur", role=Role.ADVISER, gender=Gender.MALE, **joined(ADAM_CHAT)
        )
        await add_person(session, KASIA, "Kasia Zielińska", role=Role.COORDINATOR)
        await assign_adviser(session, cisza, adam)
        await assign_adviser(session, gwar, adam)


class Programme:
    """The rules, both senders and the mail server, on the test's clock."""

    def __init__(
        self, services: Services, clock: FixedClock, smtp: SmtpServer, telegram: Bot
    ) -> None:
        self.services, self.clock, self.smtp = services, clock, smtp
        self.telegram = TelegramDelivery(telegram, services)
        self.email = EmailDelivery(smtp.services(services), bot_username="advisory_test_bot")

    async def at(self, moment: dt.datetime) -> None:
        """A tick at `moment`, then everything due delivered (a reminder Telegram cannot
        take goes by e-mail)."""
        self.clock.set(moment)
        await run_tick(self.services, all_rules(self.services.settings), moment)
        while (await self.telegram.deliver_due()).claimed:
            pass
        await deliver_all(self.email)

    def mails(self, address: str) -> list[EmailMessage]:
        return self.smtp.to(address)


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def _redeem(services: Services, code: str, chat: int) -> Person | RefusalReason:
    async with services.sessionmaker.begin() as session:
        try:
            return await redeem_invite(session, code, chat, chat, services.clock.now())
        except InviteRefused as refused:
            return refused.reason


async def _silent_notices(services: Services) -> list[str]:
    return [key for key in await outbox_rows(services) if key.startswith("team-silent:")]


async def _silent_reason(services: Services, now: dt.datetime) -> dict[str, dt.date | None]:
    """The JSTs the digest lists as needing attention because nobody of the team is on
    Telegram, with the day the team was first invited."""
    async with services.sessionmaker() as session:
        digest = await build_digest(session, now, zone=services.settings.zone)
    silent = (
        (item.team.teryt, item.reason(ReasonKind.NOBODY_JOINED)) for item in digest.attention
    )
    return {teryt: reason.since for teryt, reason in silent if reason is not None}


async def test_a_silent_team_gets_reminders_it_can_act_on_and_its_adviser_is_told_once(
    services: Services, clock: FixedClock, smtp: SmtpServer, api: FakeBotApi, bot: Bot
) -> None:
    await _seed(services)
    programme = Programme(services, clock, smtp, bot)
    clock.set(local(4, 30, 10))
    async with services.sessionmaker.begin() as session:
        invited = await issue_invites(session, services.clock.now(), dt.timedelta(days=30))
    codes = {invite.email: invite.code for invite in invited}
    assert set(codes) == {ZOFIA, PIOTR, KASIA}

    await programme.at(local(5, 4))  # R01 requested
    await programme.at(local(5, 11))  # reminded after 5 working days
    assert await _silent_reason(services, local(5, 11, 8)) == {}  # not 10 working days yet
    for moment in (local(5, 15), local(5, 15, 10)):  # the adviser's day, ticked twice
        await programme.at(moment)
    await programme.at(local(5, 18))  # reminded after 10 working days, past the deadline
    assert await _silent_reason(services, local(5, 18, 8)) == {CISZA: dt.date(2026, 4, 30)}

    # Each member's e-mails: a subject of its own naming the month, the adviser to reply to.
    for address in (ZOFIA, PIOTR):
        mails = programme.mails(address)
        assert [str(mail["Subject"]) for mail in mails] == [
            "Raport za kwiecień 2026: termin 15 maja 2026",
            "Raport za kwiecień 2026: termin 15 maja 2026 – za 4 dni",
            "Raport za kwiecień 2026: termin 15 maja 2026 – 3 dni po terminie",
        ]
        for mail in mails:
            assert str(mail["Reply-To"]) == f"Adam Mazur <{ADAM}>"
            text = plain(mail)
            assert "trafi do Twojego doradcy: Adam Mazur (adam@ore.example.pl)" in text
            assert "/raport" not in text and "odpowiedz na tego e-maila" in text
            assert "co zespół zrobił w dniach 1–30 kwietnia 2026" in text
            html = mail.get_body(("html",))
            assert html is not None
            assert len(START_CODE.findall(text)) == 1  # its own link, the same in the HTML
            assert set(START_CODE.findall(html.get_content())) == set(START_CODE.findall(text))

    # Only the latest e-mail's link works; an earlier one is refused (and the invitation's).
    zofia_codes = [START_CODE.findall(plain(mail))[0] for mail in programme.mails(ZOFIA)]
    assert len(set(zofia_codes)) == 3
    assert await _redeem(services, zofia_codes[0], ZOFIA_CHAT) is RefusalReason.REVOKED
    zofia = await _redeem(services, zofia_codes[-1], ZOFIA_CHAT)
    assert isinstance(zofia, Person) and zofia.email == ZOFIA

    # The adviser was told once, on Telegram, with the team and what to do.
    notices = [
        call.params["text"]
        for call in api.sends
        if call.params.get("chat_id") == ADAM_CHAT and "Gmina Cisza" in call.params["text"]
    ]
    silent = [text for text in notices if "nikt z zespołu nie dołączył do bota" in text]
    assert len(silent) == 1
    assert "od pierwszego zaproszenia (30 kwietnia 2026)" in silent[0]
    assert "Zofia Nowicka – zofia@cisza.example.pl" in silent[0]
    assert "Piotr Zając – piotr@cisza.example.pl" in silent[0]
    assert len(await _silent_notices(services)) == 1

    # The coordinator's digest of 18 May lists the JST under "needs attention", with why.
    digests = [plain(m) for m in programme.mails(KASIA) if "Podsumowanie tygodnia" in plain(m)]
    assert len(digests) == 3  # 4, 11 and 18 May
    assert "nikogo z zespołu nie ma na Telegramie" not in digests[1]
    needing = digests[2].split("== Wymagają uwagi ==")[1].split("\n\n")[0]
    jsts = re.split(r"(?m)^\d+\. ", needing)[1:]
    lines = {item.split(" (TERYT")[0]: item for item in jsts}
    assert "Gmina Gwar" in lines  # its tasks are late, but someone joined
    assert "Telegramie" not in lines["Gmina Gwar"]
    assert (
        "nikogo z zespołu nie ma na Telegramie (pierwsze zaproszenie: 30 kwietnia 2026)"
        in (lines["Gmina Cisza"])
    )

    # The digests Kasia got showed no link: her invitation's still works.
    assert isinstance(await _redeem(services, codes[KASIA], 904), Person)

    # Someone joined: the digest no longer lists the JST as silent; nobody is told again.
    assert await _silent_reason(services, local(5, 25, 8)) == {}
    await programme.at(local(6, 16))  # ZW3 and HDR_ORE: 14 days to go; R02 past its deadline
    piotr = [str(mail["Subject"]) for mail in programme.mails(PIOTR)]
    assert len(piotr) == len(set(piotr)) == 6
    assert "Zadanie ZW3 (prace końcowe nad HDR): termin 30 czerwca 2026 – za 14 dni" in piotr
    assert len(await _silent_notices(services)) == 1
