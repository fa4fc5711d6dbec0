"""The Telegram sender against PTB talking to an in-process Bot API, on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot

from core.clock import FixedClock
from core.services import Services
from outbox.claims import claim_due, mark_sending
from outbox.policy import GIVE_UP_AFTER, GIVE_UP_AT_ATTEMPT
from outbox.telegram_sender import FLOOD_PAUSE, DeliveryStats, SentMessage, TelegramDelivery
from storage import audit
from storage.models import AuditEntry, Channel, OutboxMessage, OutboxState, Person
from tests.support import telegram_request
from tests.support.outbox_rows import (
    ANN_AND_BOB,
    ANSWER_AND_REMINDER,
    Queued,
    given,
    outbox_rows,
    person,
    states,
)
from tests.support.telegram_request import (
    BLOCKED,
    CHAT_NOT_FOUND,
    SERVER_ERROR,
    TIMEOUT,
    TOKEN,
    FakeBotApi,
    failing_for,
    flood,
)

REPEAT_NOTE = "↻ Wysłane ponownie: ta wiadomość mogła już wcześniej do Ciebie dotrzeć."


api = telegram_request.api
bot = telegram_request.bot
timedelta_periods = telegram_request.timedelta_periods
pytestmark = pytest.mark.usefixtures("timedelta_periods")  # as the bot runs


def sender(services: Services, bot: Bot, jitter: float = 0.0) -> TelegramDelivery:
    return TelegramDelivery(bot, services, jitter=lambda: jitter)


async def test_sends_to_the_chat_known_at_send_time_and_stores_the_message_id(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Odpowiedz", "callback_data": "q:7"}]]}
    params = {"text": "<b>Odpowiedź</b>", "parse_mode": "HTML", "reply_markup": keyboard}
    answer = {"method": "sendMessage", "params": {**params, "reply_to_message_id": 12}}
    people = await given(
        services,
        {"ann": None},
        Queued("ann", "first"),
        Queued("ann", "answer", payload=answer),
    )

    assert await sender(services, bot).deliver_due() == DeliveryStats(claimed=1, skipped=1)
    async with services.sessionmaker.begin() as session:  # she joins after the answer queued
        (await session.get_one(Person, people["ann"])).telegram_chat_id = 501
    assert await sender(services, bot).deliver_due() == DeliveryStats(claimed=1, sent=1)

    assert [(call.method, call.params) for call in api.sends] == [
        ("sendMessage", {"chat_id": 501, **params, "reply_parameters": {"message_id": 12}})
    ]
    rows = await outbox_rows(services)
    assert (rows["first"].state, rows["first"].last_error) == (
        OutboxState.SKIPPED,
        "no_telegram_chat",
    )
    assert (rows["answer"].state, rows["answer"].external_id) == (OutboxState.SENT, "1")
    assert rows["answer"].sent_at == clock.now()


async def test_copies_and_files_are_sent_and_linked_in_the_same_transaction(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    payloads = {
        "copy": {"method": "copyMessage", "params": {"from_chat_id": 501, "message_id": 40}},
        "doc": {"method": "sendDocument", "params": {"document": "BQAD-1", "caption": "HDR"}},
        "photo": {"method": "sendPhoto", "params": {"photo": "AgAD-2"}},
    }
    await given(
        services,
        {key: chat_id for chat_id, key in enumerate(payloads, start=601)},
        *(Queued(key, key, payload=payload) for key, payload in payloads.items()),
    )

    async def link(session: AsyncSession, row: OutboxMessage, sent: SentMessage) -> None:
        audit.record(
            session,
            clock.now(),
            actor="test",
            action="linked",
            entity="outbox",
            entity_id=row.id,
            chat_id=sent.chat_id,
            message_id=sent.message_id,
        )

    delivery = TelegramDelivery(bot, services, on_sent=link)
    assert (await delivery.deliver_due()).sent == 3

    assert [(c.method, c.params["chat_id"]) for c in api.sends] == [
        ("copyMessage", 601),
        ("sendDocument", 602),
        ("sendPhoto", 603),
    ]
    rows = await outbox_rows(services)
    async with services.sessionmaker() as session:
        links = {e.entity_id: e.details for e in await session.scalars(select(AuditEntry))}
    assert links == {
        rows[key].id: {"chat_id": chat_id, "message_id": int(str(rows[key].external_id))}
        for chat_id, key in enumerate(payloads, start=601)
    }


async def test_an_explicit_chat_wins_and_a_person_without_one_waits_for_email(
    services: Services, api: FakeBotApi, bot: Bot
) -> None:
    to_group = {"method": "sendMessage", "params": {"text": "x"}, "chat_id": -1001}
    await given(
        services,
        {"ann": None},
        Queued("ann", "to-ann"),
        Queued(None, "to-group", payload=to_group),
    )

    assert await sender(services, bot).deliver_due() == DeliveryStats(claimed=2, sent=1, skipped=1)
    assert [call.params["chat_id"] for call in api.sends] == [-1001]
    assert (await states(services))["to-ann"] == (OutboxState.SKIPPED, "no_telegram_chat")


async def test_retry_after_waits_exactly_as_told_and_a_429_storm_loses_nothing(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    start = clock.now()
    await given(services, {"ann": 501}, Queued("ann", "answer"))
    api.fail_next(*[flood(30)] * 20)
    delivery = sender(services, bot)

    assert (await delivery.deliver_due()).retried == 1
    row = (await outbox_rows(services))["answer"]
    assert (row.state, row.next_attempt_at, row.attempts, row.last_error) == (
        OutboxState.PENDING,
        start + dt.timedelta(seconds=30),
        0,
        "retry_after:30",
    )
    clock.advance(dt.timedelta(seconds=29))
    assert (await delivery.deliver_due()).claimed == 0

    while (await outbox_rows(services))["answer"].state is OutboxState.PENDING:
        clock.advance(dt.timedelta(seconds=30))
        await delivery.deliver_due()
    row = (await outbox_rows(services))["answer"]
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)  # 429s never count
    assert len(api.sends) == 21


async def test_network_errors_back_off_with_growing_waits(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    await given(services, {"ann": 501}, Queued("ann", "answer"))
    api.fail_next(SERVER_ERROR, TIMEOUT, SERVER_ERROR)
    delivery = sender(services, bot)

    waits = []
    for _ in range(3):
        tried_at = clock.now()
        assert (await delivery.deliver_due()).retried == 1
        row = (await outbox_rows(services))["answer"]
        waits.append((row.next_attempt_at - tried_at).total_seconds())
        clock.set(row.next_attempt_at)
    assert waits == [5, 10, 20]
    assert (await delivery.deliver_due()).sent == 1
    row = (await outbox_rows(services))["answer"]
    assert (row.state, row.attempts, row.last_error) == (
        OutboxState.SENT,
        4,
        "NetworkError: Internal Server Error",
    )


async def test_gives_up_after_three_days_of_network_errors(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    start = clock.now()
    await given(services, {"ann": 501}, Queued("ann", "answer"))
    api.responder = lambda call: SERVER_ERROR
    delivery = sender(services, bot, jitter=0.999)  # the shortest waits the policy allows

    while (await delivery.deliver_due()).retried:
        clock.set((await outbox_rows(services))["answer"].next_attempt_at)

    assert (await states(services))["answer"] == (
        OutboxState.FAILED,
        "gave_up: NetworkError: Internal Server Error",
    )
    assert clock.now() - start >= GIVE_UP_AFTER
    assert len(api.sends) == GIVE_UP_AT_ATTEMPT


async def test_a_blocked_bot_makes_the_person_unreachable_and_skips_their_rows(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    people = await given(
        services,
        ANN_AND_BOB,
        *(Queued(key.split("-")[0], key) for key in ("ann-1", "bob-1", "ann-2")),
    )
    api.responder = failing_for(501, BLOCKED)
    delivery = sender(services, bot)

    assert await delivery.deliver_due() == DeliveryStats(claimed=2, sent=1, skipped=1)
    assert await delivery.deliver_due() == DeliveryStats(claimed=1, skipped=1)

    assert [call.params["chat_id"] for call in api.sends] == [501, 502]
    assert (await person(services, people["ann"])).telegram_unreachable_at == clock.now()
    assert (await person(services, people["bob"])).telegram_unreachable_at is None
    assert await states(services) == {
        "ann-1": (OutboxState.SKIPPED, "forbidden"),
        "bob-1": (OutboxState.SENT, None),
        "ann-2": (OutboxState.SKIPPED, "no_telegram_chat"),
    }


async def test_a_bad_request_fails_with_its_reason_and_spares_other_rows(
    services: Services, api: FakeBotApi, bot: Bot
) -> None:
    people = await given(
        services,
        ANN_AND_BOB,
        Queued("ann", "ann-1"),
        Queued("bob", "bob-1"),
        Queued("bob", "bad", payload={"method": "sendSticker"}),
    )
    api.responder = failing_for(501, CHAT_NOT_FOUND)
    delivery = sender(services, bot)

    assert await delivery.deliver_due() == DeliveryStats(claimed=2, sent=1, failed=1)
    assert await delivery.deliver_due() == DeliveryStats(claimed=1, failed=1)
    assert await delivery.deliver_due() == DeliveryStats()

    assert await states(services) == {
        "ann-1": (OutboxState.FAILED, "Chat not found"),
        "bob-1": (OutboxState.SENT, None),
        "bad": (OutboxState.FAILED, "bad_payload: KeyError: 'sendSticker'"),
    }
    assert (await person(services, people["ann"])).telegram_unreachable_at is None


async def test_a_batch_claimed_by_a_killed_sender_is_sent_whole_when_the_lease_ends(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    await given(services, ANN_AND_BOB, *ANSWER_AND_REMINDER)
    lease = dt.timedelta(minutes=10)
    async with services.sessionmaker.begin() as session:  # a sender claims, then is killed
        await claim_due(session, now=clock.now(), limit=10, lease=lease, channel=Channel.TELEGRAM)
    delivery = sender(services, bot)

    assert (await delivery.deliver_due()).claimed == 0
    clock.advance(lease)
    assert (await delivery.deliver_due()).sent == 2

    assert [call.params["text"] for call in api.sends] == ["answer", "reminder"]
    assert await states(services) == {
        "answer": (OutboxState.SENT, None),
        "reminder": (OutboxState.SENT, None),
    }


async def test_after_a_crash_mid_send_answers_go_again_as_repeats_and_reminders_never(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    await given(services, ANN_AND_BOB, *ANSWER_AND_REMINDER)
    lease = dt.timedelta(minutes=10)
    async with services.sessionmaker.begin() as session:  # killed while the sends were out
        rows = await claim_due(
            session, now=clock.now(), limit=10, lease=lease, channel=Channel.TELEGRAM
        )
        await mark_sending(session, rows)
    delivery = sender(services, bot)

    clock.advance(lease)
    assert (await delivery.deliver_due()).sent == 1
    assert (await delivery.deliver_due()).claimed == 0

    assert [call.params["text"] for call in api.sends] == [f"{REPEAT_NOTE}\nanswer"]
    assert await states(services) == {
        "answer": (OutboxState.SENT, "lease_expired"),
        "reminder": (OutboxState.UNCONFIRMED, "lease_expired"),
    }


async def test_two_senders_send_every_row_once_and_in_order_per_person(
    services: Services, clock: FixedClock, api: FakeBotApi, bot: Bot
) -> None:
    """Two instances, each with connections of its own (on PostgreSQL: claims that skip the
    rows another transaction locked)."""
    chats = {str(chat_id): chat_id for chat_id in range(700, 708)}
    await given(services, chats, *(Queued(c, f"{c}:{turn}") for turn in range(3) for c in chats))
    other = Services.build(services.settings, clock)
    first, second = sender(services, bot), sender(other, bot)

    sent_by = Counter[int]()
    while True:
        done = await asyncio.gather(first.deliver_due(limit=3), second.deliver_due(limit=3))
        sent_by.update({n: stats.sent for n, stats in enumerate(done)})
        if not any(stats.claimed for stats in done):
            break
    await other.close()

    assert sent_by[0] > 0 and sent_by[1] > 0, "both senders took part"
    texts = [call.params["text"] for call in api.sends]
    assert Counter(texts) == Counter(f"{c}:{turn}" for c in chats for turn in range(3))
    for chat, chat_id in chats.items():
        in_chat = [call.params["text"] for call in api.sends if call.params["chat_id"] == chat_id]
        assert in_chat == [f"{chat}:{turn}" for turn in range(3)]
    assert {state for state, _ in (await states(services)).values()} == {OutboxState.SENT}


async def test_works_through_the_applications_rate_limited_bot(
    services: Services, clock: FixedClock, api: FakeBotApi
) -> None:
    await given(services, ANN_AND_BOB, Queued("ann", "ann"), Queued("bob", "bob"))
    api.fail_next(flood(7))
    limited = ExtBot(TOKEN, request=api, get_updates_request=api, rate_limiter=AIORateLimiter())
    async with limited:
        stats = await sender(services, limited).deliver_due()

    assert (stats.retried, stats.sent) == (1, 0)
    resume = clock.now() + dt.timedelta(seconds=7)
    assert stats.paused_until == resume
    rows = await outbox_rows(services)
    assert rows["ann"].next_attempt_at == resume
    assert (rows["bob"].state, rows["bob"].last_error) == (OutboxState.PENDING, FLOOD_PAUSE)
    assert rows["bob"].next_attempt_at == resume, "flood control holds the whole batch back"
    assert rows["bob"].attempts == 0
