"""Outside working time, messages caused by people go at once without a sound and reminders wait
(issue 19), on a public holiday in the middle of a weekday, on SQLite and PostgreSQL.

Wednesday 11 November 2026 is Independence Day. On Telegram the rows are queued by the
project's own code: a question, its receipt and forward, an answer (notices.questions), and the
adviser's reminder of an older unanswered question (the questions' service-level rule, through
the real tick); SILENT_OUTSIDE_WORKING_TIME off makes the people's messages ring. The senders
are the real ones; Telegram is PTB's Bot over a scripted request, e-mail a real SMTP server
(aiosmtpd).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from core.clock import FixedClock
from core.services import Services
from localapi.markup import parse_html
from notices.questions import deliver_answer, send_question
from outbox.email_policy import reminder_email
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.telegram_sender import TelegramDelivery
from reminders.questions_sla import QuestionSlaRule
from reminders.tick import run_tick
from storage.models import Channel, OutboxState, Role
from storage.questions.answers import record_answer
from storage.questions.threads import Part, open_question
from tests.support import telegram_request
from tests.support.outbox_rows import Queued, given, outbox_rows
from tests.support.people_data import add_question, assign_adviser
from tests.support.programme_data import add_cohort, add_jst, add_person
from tests.support.smtp import SmtpServer, smtp
from tests.support.telegram_request import ApiCall, FakeBotApi

__all__ = ["smtp"]

api = telegram_request.api
bot = telegram_request.bot
timedelta_periods = telegram_request.timedelta_periods
pytestmark = pytest.mark.usefixtures("timedelta_periods")  # as the bot runs

WARSAW = ZoneInfo("Europe/Warsaw")
ANNA, DOROTA = 1001, 1002  # their Telegram chats
FRIDAY_ASKED = dt.datetime(2026, 11, 6, 15, 0, tzinfo=WARSAW)  # counted: Friday, Monday
TUESDAY_8 = dt.datetime(2026, 11, 10, 8, 0, tzinfo=WARSAW)  # the reminder is due
HOLIDAY_10 = dt.datetime(2026, 11, 11, 10, 0, tzinfo=WARSAW)
THURSDAY_8 = dt.datetime(2026, 11, 12, 8, 0, tzinfo=WARSAW)  # the next working time


def with_setting(services: Services, silent: bool) -> Services:
    settings = services.settings.model_copy(update={"silent_outside_working_time": silent})
    return dataclasses.replace(services, settings=settings)


async def _team(services: Services) -> dict[str, int]:
    """Anna (a member of Gmina Alfa) and Dorota (its adviser), both on Telegram, and Anna's
    question of Friday that nobody has answered."""
    async with services.sessionmaker.begin() as session:
        alfa = await add_jst(session, await add_cohort(session), "1401011", "Gmina Alfa")
        anna = await add_person(
            session, "anna@example.pl", "Anna Nowak", jst=alfa, telegram_chat_id=ANNA
        )
        dorota = await add_person(
            session, "d@ore.example.pl", "Dorota", role=Role.ADVISER, telegram_chat_id=DOROTA
        )
        await assign_adviser(session, alfa, dorota)
        await add_question(session, anna, "Jak przygotować debatę?", at=FRIDAY_ASKED)
        return {"anna": anna.id, "dorota": dorota.id}


async def _ask_and_answer(services: Services, people: dict[str, int]) -> None:
    """On the holiday Anna asks (receipt to her, forward to Dorota) and Dorota answers."""
    now, today = services.clock.now(), HOLIDAY_10.date()
    async with services.sessionmaker.begin() as session:
        thread = await open_question(
            session,
            asker_id=people["anna"],
            parts=[Part(ANNA, 7, "Czy debata może być online?")],
            source_key="tg:1001:7",
            now=now,
            today=today,
        )
        await send_question(session, services, thread, now=now, today=today)
    async with services.sessionmaker.begin() as session:
        answer = await record_answer(
            session,
            thread.question.id,
            adviser_id=people["dorota"],
            parts=[Part(DOROTA, 9, "Tak, może.")],
            to_team=False,
            source_key="tg:1002:9",
            now=now,
            today=today,
        )
        await deliver_answer(session, services, answer.id, now=now)


def _sent(calls: list[ApiCall]) -> list[tuple[int, str, bool]]:
    """Chat, the first line a person reads, whether without a sound."""
    return [
        (
            int(call.params["chat_id"]),
            parse_html(str(call.params["text"]))[0].split("\n")[0],
            call.params.get("disable_notification", False),
        )
        for call in calls
    ]


@pytest.mark.parametrize("silent", [True, False], ids=["silent", "setting off"])
async def test_on_a_holiday_people_s_messages_go_at_once_and_the_reminder_waits(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot, silent: bool
) -> None:
    services = with_setting(services, silent)
    people = await _team(services)
    clock.set(TUESDAY_8)
    assert (await run_tick(services, [QuestionSlaRule()], clock.now())).enqueued == 1
    # The bot was down on Tuesday; it starts on the holiday and people write at once.
    clock.set(HOLIDAY_10)
    await _ask_and_answer(services, people)
    delivery = TelegramDelivery(bot, services)
    while (await delivery.deliver_due()).claimed:
        pass

    sent = _sent(api.delivered)
    assert [(chat, quiet) for chat, _, quiet in sent] == [
        (ANNA, silent),  # the receipt
        (DOROTA, silent),  # the forward: Dorota's reminder waiting does not hold it back
        (ANNA, silent),  # the answer
    ], sent
    assert sent[1][1].startswith("❓ Pytanie nr 2"), sent
    rows = (await outbox_rows(services)).values()
    [reminder] = [row for row in rows if row.planned_by is not None]
    assert (reminder.person_id, reminder.state) == (people["dorota"], OutboxState.PENDING)

    clock.set(THURSDAY_8 - dt.timedelta(minutes=1))
    assert (await delivery.deliver_due()).claimed == 0, "not before the working morning"
    clock.set(THURSDAY_8)
    assert (await delivery.deliver_due()).sent == 1
    assert _sent(api.delivered[3:]) == [
        (DOROTA, "Pytanie nr 1 czeka na odpowiedź już 2 dni robocze", False)
    ]


async def test_on_a_holiday_the_e_mail_copy_of_a_person_s_message_goes_at_once(
    services: Services, clock: FixedClock, bot: Bot, smtp: SmtpServer
) -> None:
    """Celina is not on Telegram: the answer meant for her becomes an e-mail, sent at once
    (e-mail makes no sound); a report reminder e-mail planned by a rule waits."""
    clock.set(HOLIDAY_10)
    answer = {"method": "sendMessage", "params": {"text": "Odpowiedź doradcy"}, "email": True}
    reminder = reminder_email("Czas na raport za październik 2026")
    people = await given(
        services,
        {"celina": None},
        Queued("celina", "answer", payload=answer),
        Queued("celina", "report", channel=Channel.EMAIL, payload=reminder, planned_by="reports"),
    )
    assert (await TelegramDelivery(bot, services).deliver_due()).skipped == 1
    mailing = EmailDelivery(smtp.services(services), bot_username="advisory_test_bot")
    assert (await deliver_all(mailing)).sent == 1
    [copy] = smtp.received
    text = copy.message.get_body(("plain",))
    assert text is not None and "Odpowiedź doradcy" in text.get_content()
    rows = await outbox_rows(services)
    assert rows["answer:email"].person_id == people["celina"]
    assert (rows["answer:email"].state, rows["report"].state) == (
        OutboxState.SENT,
        OutboxState.PENDING,
    )

    clock.set(THURSDAY_8)
    assert (await deliver_all(mailing)).sent == 1
    assert (await outbox_rows(services))["report"].state is OutboxState.SENT
