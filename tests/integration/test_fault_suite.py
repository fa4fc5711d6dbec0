"""The fault suite: each fault a row of a table, checked for who received what and when.

Nothing lost, nothing doubled beyond what README documents (an answer, a forward or an alert
whose send had an unknown outcome goes again marked as a repeat; a reply or a reminder is then
left unconfirmed, never sent twice), nothing outside working time, nothing stale. The sender is
the real one (outbox.telegram_sender, outbox.email_sender) on SQLite and PostgreSQL; Telegram is
PTB's own Bot over a scripted `BaseRequest` (tests/support/telegram_request.py), which records
what reached a chat whatever the bot heard; e-mail goes to a real SMTP server (aiosmtpd).

A killed sender leaves the database as it was at the kill: the kill points are those states,
made with the sender's own steps (claim; mark sending; the request sent).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.error import NetworkError

from core.calendar import shared_calendar
from core.clock import FixedClock
from core.services import Services
from outbox.claims import claim_due, mark_sending
from outbox.email_policy import reminder_email
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.plans import WITHDRAWN, unplanned, withdraw
from outbox.telegram_sender import TelegramDelivery
from storage.models import Channel, Delivery, OutboxState, Person
from tests.support import telegram_request
from tests.support.outbox_rows import Queued, given, outbox_rows
from tests.support.smtp import SmtpServer, smtp
from tests.support.telegram_request import (
    BLOCKED,
    CONNECT_TIMEOUT,
    SERVER_ERROR,
    SLOW,
    TIMEOUT,
    ApiCall,
    FakeBotApi,
    Outcome,
    flood,
)

__all__ = ["smtp"]

REPEAT = "↻ Wysłane ponownie"
WAITING = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)
LEASE = dt.timedelta(minutes=10)
WARSAW = ZoneInfo("Europe/Warsaw")

api = telegram_request.api
bot = telegram_request.bot
timedelta_periods = telegram_request.timedelta_periods
pytestmark = pytest.mark.usefixtures("timedelta_periods")  # as the bot runs


@dataclass(frozen=True)
class Kind:
    """A kind of message as the outbox holds it."""

    name: str
    delivery: Delivery
    planned_by: str | None = None


REPLY = Kind("reply", Delivery.AT_MOST_ONCE)
REMINDER = Kind("reminder", Delivery.AT_MOST_ONCE, planned_by="deadlines")
FORWARD = Kind("forward", Delivery.AT_LEAST_ONCE)
KINDS = (REPLY, REMINDER, FORWARD)


@dataclass(frozen=True)
class Expected:
    """What the chat got (how many copies, how many of them marked as a repeat) and the row's
    final state."""

    copies: int
    repeats: int
    state: OutboxState


SENT_ONCE = Expected(1, 0, OutboxState.SENT)
# Telegram faults × kinds: the first send of each message meets the fault, then Telegram works.
TELEGRAM_FAULTS: dict[str, tuple[Outcome, dict[Kind, Expected]]] = {
    "429": (flood(3), dict.fromkeys(KINDS, SENT_ONCE)),
    "5xx": (SERVER_ERROR, dict.fromkeys(KINDS, SENT_ONCE)),
    "unreachable (connect timeout)": (CONNECT_TIMEOUT, dict.fromkeys(KINDS, SENT_ONCE)),
    "timeout with delivery": (
        SLOW,
        {
            REPLY: Expected(1, 0, OutboxState.UNCONFIRMED),
            REMINDER: Expected(1, 0, OutboxState.UNCONFIRMED),
            FORWARD: Expected(2, 1, OutboxState.SENT),
        },
    ),
    "black hole": (
        TIMEOUT,
        {
            REPLY: Expected(0, 0, OutboxState.UNCONFIRMED),
            REMINDER: Expected(0, 0, OutboxState.UNCONFIRMED),
            FORWARD: Expected(1, 1, OutboxState.SENT),
        },
    ),
    "403 blocked": (BLOCKED, dict.fromkeys(KINDS, Expected(0, 0, OutboxState.SKIPPED))),
}


def received(api: FakeBotApi, chat_id: int) -> list[str]:
    return [c.params.get("text", "") for c in api.delivered if c.params.get("chat_id") == chat_id]


async def drain(
    services: Services, delivery: TelegramDelivery, clock: FixedClock, days: int = 2
) -> None:
    """Passes until nothing is left to send or `days` of fake time have gone; between passes
    time jumps to the next retry or lease end (by five minutes while rows wait for the
    morning)."""
    until = clock.now() + dt.timedelta(days=days)
    while clock.now() < until:
        if (await delivery.deliver_due()).claimed:
            continue
        rows = [r for r in (await outbox_rows(services)).values() if r.state in WAITING]
        if not rows:
            return
        moments = [r.lease_until or max(r.next_attempt_at, r.not_before) for r in rows]
        clock.set(max(min(moments), clock.now() + dt.timedelta(minutes=5)))


@pytest.mark.parametrize("fault", list(TELEGRAM_FAULTS))
async def test_telegram_faults_by_kind(
    fault: str, services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    outcome, expected = TELEGRAM_FAULTS[fault]
    chats = {kind.name: 600 + n for n, kind in enumerate(KINDS)}
    await given(
        services,
        chats,
        *(Queued(k.name, k.name, k.delivery, planned_by=k.planned_by) for k in KINDS),
    )
    failed: set[int] = set()

    def first_send_fails(call: ApiCall) -> Outcome | None:
        chat = int(call.params["chat_id"])
        if chat in failed:
            return None
        failed.add(chat)
        return outcome

    api.responder = first_send_fails
    await drain(services, TelegramDelivery(bot, services), clock)

    rows = await outbox_rows(services)
    for kind in KINDS:
        texts = received(api, chats[kind.name])
        found = Expected(
            len(texts), sum(t.startswith(REPEAT) for t in texts), rows[kind.name].state
        )
        assert found == expected[kind], (fault, kind.name, texts, rows[kind.name].last_error)
        assert all(t.endswith(kind.name) for t in texts)


KILL_POINTS = ("after claiming", "after marking sending", "after the request reached Telegram")
# Kill points × kinds: (copies, repeats, state) once another sender takes over.
AFTER_KILL = {
    "after claiming": dict.fromkeys(KINDS, SENT_ONCE),
    "after marking sending": {
        REPLY: Expected(0, 0, OutboxState.UNCONFIRMED),
        REMINDER: Expected(0, 0, OutboxState.UNCONFIRMED),
        FORWARD: Expected(1, 1, OutboxState.SENT),
    },
    "after the request reached Telegram": {
        REPLY: Expected(1, 0, OutboxState.UNCONFIRMED),
        REMINDER: Expected(1, 0, OutboxState.UNCONFIRMED),
        FORWARD: Expected(2, 1, OutboxState.SENT),
    },
}


@pytest.mark.parametrize("kill", KILL_POINTS)
async def test_a_killed_sender_by_kill_point_and_kind(
    kill: str, services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    """Sixty rows of each kind in one batch: the kill leaves them all at that point."""
    people = {
        f"{kind.name}-{n}": 700 + 100 * i + n for i, kind in enumerate(KINDS) for n in range(20)
    }
    kind_of = {name: next(k for k in KINDS if name.startswith(k.name)) for name in people}
    await given(
        services,
        people,
        *(Queued(p, p, kind_of[p].delivery, planned_by=kind_of[p].planned_by) for p in people),
    )
    async with services.sessionmaker.begin() as session:
        rows = await claim_due(
            session, now=clock.now(), limit=100, lease=LEASE, channel=Channel.TELEGRAM
        )
        assert len(rows) == len(people)
        if kill != "after claiming":
            await mark_sending(session, rows)
    if kill == "after the request reached Telegram":
        for row in rows:
            await bot.send_message(people[row.dedupe_key], row.dedupe_key)

    delivery = TelegramDelivery(bot, services, lease=LEASE)
    await drain(services, delivery, clock)

    final = await outbox_rows(services)
    for name, chat in people.items():
        texts = received(api, chat)
        found = Expected(len(texts), sum(t.startswith(REPEAT) for t in texts), final[name].state)
        assert found == AFTER_KILL[kill][kind_of[name]], (kill, name, texts)


# Working time: (queued at, local), what Telegram does until when, the first send (local).
TUESDAY_9 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=WARSAW)
WORKING_TIME = {
    "outage until 22:30: the reminder waits for the morning": (
        TUESDAY_9,
        dt.datetime(2026, 12, 8, 22, 30, tzinfo=WARSAW),
        dt.datetime(2026, 12, 9, 8, 0, tzinfo=WARSAW),
    ),
    "outage from Friday until Saturday 11:00: Monday": (
        dt.datetime(2026, 12, 11, 9, 0, tzinfo=WARSAW),
        dt.datetime(2026, 12, 12, 11, 0, tzinfo=WARSAW),
        dt.datetime(2026, 12, 14, 8, 0, tzinfo=WARSAW),
    ),
    "outage over the change to summer time and Easter: Tuesday 8:00 summer time": (
        dt.datetime(2027, 3, 26, 19, 0, tzinfo=WARSAW),
        dt.datetime(2027, 3, 27, 10, 0, tzinfo=WARSAW),
        dt.datetime(2027, 3, 30, 8, 0, tzinfo=WARSAW),
    ),
    "outage over a public holiday (11 November): the next working day": (
        dt.datetime(2026, 11, 10, 19, 0, tzinfo=WARSAW),
        dt.datetime(2026, 11, 10, 21, 0, tzinfo=WARSAW),
        dt.datetime(2026, 11, 12, 8, 0, tzinfo=WARSAW),
    ),
}


@pytest.mark.parametrize("case", list(WORKING_TIME))
async def test_reminders_held_by_an_outage_wait_for_working_time_and_replies_do_not(
    case: str, services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    queued, back, first_allowed = WORKING_TIME[case]
    clock.set(queued.astimezone(dt.UTC))
    week = dt.timedelta(days=7)
    await given(
        services,
        {"ann": 501, "bob": 502},
        Queued("ann", "reminder", Delivery.AT_MOST_ONCE, planned_by="deadlines", stale_after=week),
        Queued("bob", "reply", Delivery.AT_MOST_ONCE),
    )
    sent_at: dict[str, dt.datetime] = {}
    delivery = TelegramDelivery(bot, services)
    api.responder = lambda call: SERVER_ERROR if clock.now() < back else None
    while clock.now() < first_allowed + dt.timedelta(hours=1):
        before = len(api.delivered)
        await delivery.deliver_due()
        for call in api.delivered[before:]:
            sent_at[call.params["text"]] = clock.now()
            silent = call.params.get("disable_notification", False)
            assert silent is (call.params["text"] == "reply"), "only the reply, without a sound"
        clock.advance(dt.timedelta(minutes=5))
    assert sent_at["reminder"] == first_allowed.astimezone(dt.UTC)
    assert back <= sent_at["reply"] < back + dt.timedelta(minutes=30)


async def test_a_reminder_held_past_its_deadline_is_never_sent(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    """'Termin jutro' held by an outage until after the deadline: stale, skipped."""
    clock.set(TUESDAY_9.astimezone(dt.UTC))
    day = dt.timedelta(days=1)
    await given(
        services,
        {"ann": 501},
        Queued(
            "ann", "due tomorrow", Delivery.AT_MOST_ONCE, planned_by="deadlines", stale_after=day
        ),
    )
    api.responder = lambda call: SERVER_ERROR if clock.now() < TUESDAY_9 + 2 * day else None
    await drain(services, TelegramDelivery(bot, services), clock, days=4)
    row = (await outbox_rows(services))["due tomorrow"]
    assert (row.state, row.last_error, received(api, 501)) == (OutboxState.SKIPPED, "stale", [])


async def test_a_row_no_longer_planned_is_withdrawn_and_a_second_tick_view_is_respected(
    services: Services, clock: FixedClock
) -> None:
    """The task was accepted while its reminder waited: the rule plans it no more."""
    people = await given(
        services,
        {"ann": 501, "bob": 502},
        Queued("ann", "task:7:T-1", Delivery.AT_MOST_ONCE, planned_by="deadlines"),
        Queued("bob", "task:8:T-1", Delivery.AT_MOST_ONCE, planned_by="deadlines"),
        Queued("bob", "answer", Delivery.AT_LEAST_ONCE),
    )
    assert people
    async with services.sessionmaker() as session:
        newer = await unplanned(
            session, rules=["deadlines"], planned=["task:8:T-1"], now=clock.now() - LEASE
        )
        gone = await unplanned(
            session, rules=["deadlines"], planned=["task:8:T-1"], now=clock.now()
        )
    assert newer == [], "rows queued after this tick's view are not its to withdraw"
    async with services.sessionmaker.begin() as session:
        assert await withdraw(session, gone) == 1
    rows = await outbox_rows(services)
    assert (rows["task:7:T-1"].state, rows["task:7:T-1"].last_error) == (
        OutboxState.SKIPPED,
        WITHDRAWN,
    )
    assert rows["task:8:T-1"].state is rows["answer"].state is OutboxState.PENDING


@dataclass(frozen=True)
class SmtpFault:
    """What the server does to the first try of each message; the sender's TLS setting."""

    replies: str | None = None  # the answer to RCPT instead of 250
    reply_lost: bool = False  # the message is kept but answered 451, as if the reply got lost
    down: bool = False
    tls: str = "none"


PLANNED = Kind("reminder e-mail", Delivery.AT_MOST_ONCE, planned_by="deadlines")
INVITATION = Kind("invitation", Delivery.AT_LEAST_ONCE)
EMAIL_KINDS = (PLANNED, INVITATION)
# SMTP faults: (copies, repeats, state); a repeat is the same Message-ID arriving again.
SMTP_FAULTS: dict[str, tuple[SmtpFault, Expected]] = {
    "4xx at RCPT": (SmtpFault(replies="451 4.2.0 Mailbox busy"), SENT_ONCE),
    "down, then up": (SmtpFault(down=True), SENT_ONCE),
    "reply lost after DATA": (SmtpFault(reply_lost=True), Expected(2, 1, OutboxState.SENT)),
    "5xx at RCPT": (
        SmtpFault(replies="550 5.1.1 Mailbox unknown"),
        Expected(0, 0, OutboxState.FAILED),
    ),
    "no STARTTLS offered": (SmtpFault(tls="starttls"), Expected(0, 0, OutboxState.PENDING)),
}


@pytest.mark.parametrize("fault", list(SMTP_FAULTS))
async def test_smtp_faults_by_kind(
    fault: str, services: Services, clock: FixedClock, smtp: SmtpServer
) -> None:
    """Tuesday 9:00 on: each kind of e-mail meets the fault once, then the server works (TLS
    stays missing: the sender never falls back to plaintext)."""
    setup, expected = SMTP_FAULTS[fault]
    clock.set(TUESDAY_9.astimezone(dt.UTC))
    payload = reminder_email("Termin zadania <b>ZW1</b> minął.")
    people = await given(
        services,
        dict.fromkeys((k.name for k in EMAIL_KINDS), None),
        *(
            Queued(
                k.name,
                k.name,
                k.delivery,
                channel=Channel.EMAIL,
                payload=payload,
                planned_by=k.planned_by,
            )
            for k in EMAIL_KINDS
        ),
    )
    async with services.sessionmaker() as session:
        to = {name: (await session.get_one(Person, pid)).email for name, pid in people.items()}
    if setup.replies:
        smtp.handler.replies = dict.fromkeys(to.values(), setup.replies)
    smtp.handler.unconfirmed = len(to) if setup.reply_lost else 0
    if setup.down:
        smtp.stop()
    delivery = EmailDelivery(smtp.services(services, smtp_tls=setup.tls), bot_username="b")
    await delivery.deliver_due()
    smtp.handler.replies = {}
    if setup.down:
        smtp.start()

    calendar = shared_calendar(services.settings.zone, services.settings.quiet_hours)
    until = clock.now() + dt.timedelta(days=1)
    while clock.now() < until:
        before = len(smtp.received)
        await deliver_all(delivery)
        if len(smtp.received) > before:
            assert calendar.is_working_time(clock.now()), f"sent at {clock.now()}"
        clock.advance(dt.timedelta(minutes=10))

    rows = await outbox_rows(services)
    for kind in EMAIL_KINDS:
        copies = [m["Message-ID"] for m in smtp.to(to[kind.name])]
        found = Expected(len(copies), len(copies) - len(set(copies)), rows[kind.name].state)
        assert found == expected, (fault, kind.name, rows[kind.name].last_error)
    if setup.tls != "none":
        assert all("STARTTLS" in (row.last_error or "") for row in rows.values())


async def test_planned_emails_held_by_451_all_day_wait_for_the_morning(
    services: Services, clock: FixedClock, smtp: SmtpServer
) -> None:
    """SMTP 451 from 9:00 to 23:40: the reminder e-mail goes at 8:00 the next day."""
    clock.set(TUESDAY_9.astimezone(dt.UTC))
    payload = reminder_email("Termin zadania <b>ZW1</b> minął.")
    alert = Queued("cid", "alert", channel=Channel.EMAIL, payload=payload, planned_by="deadlines")
    await given(services, {"cid": None}, alert)
    delivery = EmailDelivery(smtp.services(services), bot_username="advisory_test_bot")
    smtp.handler.unconfirmed = 10_000  # the server keeps answering 451
    evening = dt.datetime(2026, 12, 8, 23, 40, tzinfo=WARSAW)
    while clock.now() < evening:
        await deliver_all(delivery)
        clock.advance(dt.timedelta(minutes=10))
    tries = len(smtp.received)
    smtp.handler.unconfirmed = 0
    morning = dt.datetime(2026, 12, 9, 8, 0, tzinfo=WARSAW)
    while clock.now() < morning:
        await deliver_all(delivery)
        assert len(smtp.received) == tries, f"nothing at night ({clock.now()})"
        clock.advance(dt.timedelta(minutes=10))
    await deliver_all(delivery)
    assert len(smtp.received) == tries + 1
    assert (await outbox_rows(services))["alert"].state is OutboxState.SENT


async def test_two_instances_meeting_429_and_timeouts_send_each_message_once(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    """Two `advisorybot run` on one database: each row is one sender's, whatever fails."""
    chats = {f"p{n}": 900 + n for n in range(12)}
    await given(
        services,
        chats,
        *(Queued(p, f"{p}:{turn}", Delivery.AT_MOST_ONCE) for turn in range(3) for p in chats),
    )
    api.fail_next(flood(2), CONNECT_TIMEOUT, SERVER_ERROR, flood(1))
    first, second = TelegramDelivery(bot, services), TelegramDelivery(bot, services)
    for _ in range(200):
        done = await asyncio.gather(first.deliver_due(limit=4), second.deliver_due(limit=4))
        if not any(stats.claimed for stats in done):
            if all(r.state is OutboxState.SENT for r in (await outbox_rows(services)).values()):
                break
            clock.advance(dt.timedelta(seconds=30))
    copies = Counter(call.params["text"] for call in api.delivered)
    assert copies == Counter({f"{p}:{turn}": 1 for p in chats for turn in range(3)})
    for chat_id in chats.values():
        assert received(api, chat_id) == sorted(received(api, chat_id)), "in order per chat"


class FlakyTelegramFiles:
    """Telegram's getFile for an e-mail's attachments: down for the first `down` fetches."""

    def __init__(self, down: int) -> None:
        self.down, self.fetched = down, 0

    async def fetch(self, file_id: str) -> bytes:
        self.fetched += 1
        if self.fetched <= self.down:
            raise NetworkError("Telegram is down")
        return f"content of {file_id}".encode()


async def test_an_email_with_telegram_files_waits_while_telegram_is_down_then_goes_once(
    services: Services, clock: FixedClock, smtp: SmtpServer
) -> None:
    """A question e-mailed to an adviser not on Telegram carries its files: while they cannot be
    fetched nothing reaches the server and nothing is lost; then it goes once, with them."""
    clock.set(TUESDAY_9.astimezone(dt.UTC))
    payload = {
        "template": "question_forward",
        "values": {
            "number": 7,
            "jst_name": "Gmina Alfa",
            "teryt": "1401011",
            "asker": "Anna Nowak",
            "text": "Czy tak wypełniamy arkusz?",
            "asked_at": clock.now().isoformat(),
        },
        "files": [{"file_id": "F1", "name": "arkusz.xlsx", "size": 100, "mime": None}],
    }
    forward = Queued("adviser", "forward", channel=Channel.EMAIL, payload=payload)
    people = await given(services, {"adviser": None}, forward)
    files = FlakyTelegramFiles(down=3)
    delivery = EmailDelivery(smtp.services(services), bot_username="b", files=files)
    while files.fetched < files.down:
        await deliver_all(delivery)
        assert smtp.received == [], "nothing without its files"
        clock.advance(dt.timedelta(minutes=30))
    assert (await outbox_rows(services))["forward"].state is OutboxState.PENDING
    clock.advance(dt.timedelta(hours=6))  # past any backoff
    await deliver_all(delivery)
    async with services.sessionmaker() as session:
        address = (await session.get_one(Person, people["adviser"])).email
    [mail] = smtp.to(address)
    attached = {
        part.get_filename(): part.get_payload(decode=True) for part in mail.iter_attachments()
    }
    assert attached == {"arkusz.xlsx": b"content of F1"}
    assert (await outbox_rows(services))["forward"].state is OutboxState.SENT
