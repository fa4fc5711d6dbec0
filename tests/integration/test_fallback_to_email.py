"""A reminder Telegram cannot deliver goes out by e-mail, once; replies never do (issue 7.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update
from telegram import Bot

from core.clock import FixedClock
from core.services import Services
from outbox.email_policy import reminder_email, reminder_payload
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.telegram_sender import TelegramDelivery
from storage.models import Channel, Delivery, OutboxState, Person
from tests.support.outbox_rows import Queued, given, outbox_rows, states
from tests.support.smtp import SmtpServer, smtp
from tests.support.telegram_request import BLOCKED, FakeBotApi, failing_for, offline_bot

__all__ = ["smtp"]  # the fixture

HTML = "Termin zadania <b>ZW1</b> mija <i>31 marca 2026</i>."
TASK_DUE = {
    "code": "ZW1",
    "title_pl": "Zadanie wdrożeniowe 1: diagnoza wstępna",
    "title_en": "Implementation task 1: initial diagnosis",
    "label_pl": "diagnoza wstępna",
    "label_en": "initial diagnosis",
    "jst_name": "Gmina Alfa",
    "due_on": dt.date(2026, 3, 31),
    "extended": False,
    "resolution": False,
    "days": 29,
}


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(clock: FixedClock) -> AsyncIterator[tuple[FakeBotApi, Bot]]:
    api = FakeBotApi(clock)
    async with offline_bot(api) as started:
        yield api, started


def reminder(person: str, key: str, *, legacy: bool = False) -> Queued:
    """A reminder as the tick queues it: Telegram text, and its e-mail (the template and its
    values) if needed; or (`legacy`) as earlier versions queued it, the e-mail from the text."""
    payload: dict[str, Any] = {
        "method": "sendMessage",
        "params": {"text": HTML, "parse_mode": "HTML"},
        "email": reminder_email(HTML) if legacy else reminder_payload("task_due", TASK_DUE),
    }
    return Queued(person, key, delivery=Delivery.AT_MOST_ONCE, payload=payload)


async def test_blocked_and_never_joined_people_get_the_reminder_by_email_once(
    services: Services, smtp: SmtpServer, bot: tuple[FakeBotApi, Bot]
) -> None:
    api, telegram = bot
    people = await given(
        services,
        {"ann": 501, "bob": None, "eve": 503, "cid": 504},
        reminder("ann", "deadline:ann"),
        Queued("ann", "reply:77:status:0"),  # a reply to a command: Telegram or nothing
        reminder("bob", "deadline:bob", legacy=True),
        reminder("eve", "deadline:eve"),
        reminder("cid", "deadline:cid"),
    )
    async with services.sessionmaker.begin() as session:
        await session.execute(
            update(Person).where(Person.id == people["eve"]).values(erased_at=services.clock.now())
        )
    api.responder = failing_for(501, BLOCKED)
    telegram_sender = TelegramDelivery(telegram, services)
    email_sender = EmailDelivery(smtp.services(services), bot_username="advisory_test_bot")

    for _ in range(2):  # twice: nothing more the second time
        while (await telegram_sender.deliver_due()).claimed:
            pass
        await deliver_all(email_sender)

    found = await states(services)
    assert {key: found[key] for key in found if key.startswith("deadline:")} == {
        "deadline:ann": (OutboxState.SKIPPED, "forbidden"),
        "deadline:ann:email": (OutboxState.SENT, None),
        "deadline:bob": (OutboxState.SKIPPED, "no_telegram_chat"),
        "deadline:bob:email": (OutboxState.SENT, None),
        "deadline:eve": (OutboxState.SKIPPED, "no_telegram_chat"),  # erased: no e-mail
        "deadline:cid": (OutboxState.SENT, None),
    }
    assert found["reply:77:status:0"] == (OutboxState.SKIPPED, "no_telegram_chat")
    rows = await outbox_rows(services)
    assert rows["deadline:ann:email"].channel is Channel.EMAIL
    assert rows["deadline:ann:email"].delivery is Delivery.AT_MOST_ONCE
    assert rows["deadline:ann:email"].kind == rows["deadline:ann"].kind

    async with services.sessionmaker() as session:
        ann = await session.get_one(Person, people["ann"])
        bob = await session.get_one(Person, people["bob"])
    (to_ann,), (to_bob,) = smtp.to(ann.email), smtp.to(bob.email)
    assert len(smtp.received) == 2 and ann.telegram_unreachable_at is not None
    texts = {}
    for name, message in (("ann", to_ann), ("bob", to_bob)):
        part = message.get_body(("plain",))
        assert part is not None
        texts[name] = part.get_content()
    # Ann's is made from the reminder's template when sent: its subject names the task; she
    # joined (and blocked the bot), so the text keeps the bot's command and has no join link.
    assert to_ann["Subject"] == "Zadanie ZW1 (diagnoza wstępna): termin 31 marca 2026 – za 29 dni"
    assert "Termin: 31 marca 2026 – za 29 dni." in texts["ann"] and "/zadanie" in texts["ann"]
    assert "otwórz https://t.me/advisory_test_bot, odblokuj bota" in texts["ann"]
    assert "?start=" not in texts["ann"]
    # Bob's was queued by an earlier version: the text as it was, and a link to join with.
    assert to_bob["Subject"].startswith("Przypomnienie z bota programu")
    assert "Termin zadania ZW1 mija 31 marca 2026." in texts["bob"]
    assert "nie jest jeszcze połączone z botem" in texts["bob"]
    assert "https://t.me/advisory_test_bot?start=" in texts["bob"]
