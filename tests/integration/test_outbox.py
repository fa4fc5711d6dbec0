"""The outbox rows on SQLite and PostgreSQL: dedupe, claiming, per-person order, leases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FixedClock
from core.services import Services
from outbox.claims import claim_due, mark_sending
from outbox.queue import enqueue, mark_retry, mark_sent, mark_unreachable
from outbox.rows import COPY_ROWS, NewMessage, enqueue_many, queued_keys
from storage.models import AuditEntry, Channel, Delivery, OutboxMessage, OutboxState
from tests.support.outbox_rows import (
    ANN_AND_BOB,
    ANSWER_AND_REMINDER,
    Queued,
    add_person,
    given,
    lease_of,
    outbox_rows,
    person,
    queue_text,
)

LEASE = dt.timedelta(minutes=5)
MINUTE = dt.timedelta(minutes=1)


async def claim(services: Services, channel: Channel = Channel.TELEGRAM) -> list[str]:
    """Claim like a sender would; the claimed rows' dedupe keys, oldest first."""
    async with services.sessionmaker.begin() as session:
        rows = await claim_due(
            session, now=services.clock.now(), limit=10, lease=LEASE, channel=channel
        )
        return [row.dedupe_key for row in rows]


async def test_a_repeated_dedupe_key_adds_nothing_and_the_transaction_goes_on(
    services: Services, clock: FixedClock
) -> None:
    now = clock.now()

    async def repeat(session: AsyncSession) -> int | None:
        return await enqueue(
            session,
            dedupe_key="deadline:1:ZW1:T-7",
            channel=Channel.TELEGRAM,
            kind="reminder",
            payload={"method": "sendMessage", "params": {"text": "another text"}},
            person_id=ann,
            delivery=Delivery.AT_MOST_ONCE,
            now=now,
        )

    async with services.sessionmaker.begin() as session:
        ann = await add_person(session, now, chat_id=501)
        first = await queue_text(session, now, ann, "deadline:1:ZW1:T-7")
        again = await repeat(session)
        await queue_text(session, now, ann, "deadline:1:ZW1:T-1")
    async with services.sessionmaker.begin() as session:
        later = await repeat(session)

    assert again is None and later is None
    rows = await outbox_rows(services)
    assert sorted(rows) == ["deadline:1:ZW1:T-1", "deadline:1:ZW1:T-7"]
    kept = rows["deadline:1:ZW1:T-7"]
    assert kept.id == first.id
    assert kept.payload == {"method": "sendMessage", "params": {"text": "deadline:1:ZW1:T-7"}}
    assert (kept.state, kept.attempts, kept.delivery) == (
        OutboxState.PENDING,
        0,
        Delivery.AT_LEAST_ONCE,
    )
    assert kept.not_before == kept.next_attempt_at == now


async def test_a_claim_leases_the_due_rows_of_its_channel_only(
    services: Services, clock: FixedClock
) -> None:
    await given(
        services,
        ANN_AND_BOB,
        Queued("ann", "due"),
        Queued("bob", "later", not_before=MINUTE),
        Queued("bob", "by-email", channel=Channel.EMAIL),
    )

    assert await claim(services) == ["due"]
    claimed = (await outbox_rows(services))["due"]
    assert (claimed.state, claimed.attempts, claimed.lease_until) == (
        OutboxState.CLAIMED,
        1,
        clock.now() + LEASE,
    )
    assert await claim(services) == []
    clock.advance(MINUTE)
    assert await claim(services) == ["later"]
    assert await claim(services, Channel.EMAIL) == ["by-email"]


async def test_a_persons_rows_go_one_at_a_time_in_order(
    services: Services, clock: FixedClock
) -> None:
    await given(
        services,
        ANN_AND_BOB,
        *(Queued(key.split("-")[0], key) for key in ("ann-1", "bob-1", "ann-2", "ann-3")),
    )

    assert await claim(services) == ["ann-1", "bob-1"]
    assert await claim(services) == []  # ann-1 is being sent: ann-2 waits
    row_id, lease = await lease_of(services, "ann-1")
    async with services.sessionmaker.begin() as session:
        await mark_retry(
            session, row_id, lease_until=lease, at=clock.now() + MINUTE, error="NetworkError"
        )
    assert await claim(services) == []  # ann-1 waits for its retry: ann-2 still waits

    clock.advance(MINUTE)
    assert await claim(services) == ["ann-1"]
    row_id, lease = await lease_of(services, "ann-1")
    async with services.sessionmaker.begin() as session:
        await mark_sent(session, row_id, lease_until=lease, external_id="7", now=clock.now())
    assert await claim(services) == ["ann-2"]


async def test_a_row_scheduled_for_later_does_not_hold_back_a_due_one(
    services: Services,
) -> None:
    await given(
        services,
        {"ann": 501},
        Queued("ann", "morning", not_before=dt.timedelta(hours=9)),
        Queued("ann", "answer"),
    )

    assert await claim(services) == ["answer"]


async def test_an_expired_lease_returns_rows_never_sent_as_they_were(
    services: Services, clock: FixedClock
) -> None:
    """The sender died after claiming, before sending: nothing can have arrived."""
    await given(services, ANN_AND_BOB, *ANSWER_AND_REMINDER, Queued("bob", "bob-next"))
    assert await claim(services) == ["answer", "reminder"]

    clock.advance(LEASE - dt.timedelta(seconds=1))
    assert await claim(services) == []  # the sender may still be working on them
    clock.advance(dt.timedelta(seconds=1))
    assert await claim(services) == ["answer", "reminder"]

    rows = await outbox_rows(services)
    assert [(rows[k].state, rows[k].attempts, rows[k].repeat) for k in ("answer", "reminder")] == [
        (OutboxState.CLAIMED, 1, False)
    ] * 2


async def test_an_expired_lease_mid_send_resends_answers_as_repeats_and_not_reminders(
    services: Services, clock: FixedClock
) -> None:
    await given(services, ANN_AND_BOB, *ANSWER_AND_REMINDER, Queued("bob", "bob-next"))
    async with services.sessionmaker.begin() as session:
        claimed = await claim_due(
            session, now=clock.now(), limit=10, lease=LEASE, channel=Channel.TELEGRAM
        )
        assert await mark_sending(session, claimed)

    clock.advance(LEASE)
    assert await claim(services) == ["answer", "bob-next"]

    rows = await outbox_rows(services)
    assert (rows["answer"].state, rows["answer"].attempts) == (OutboxState.CLAIMED, 2)
    assert (rows["answer"].repeat, rows["answer"].last_error) == (True, "lease_expired")
    assert rows["answer"].lease_until == clock.now() + LEASE
    assert (rows["reminder"].state, rows["reminder"].last_error) == (
        OutboxState.UNCONFIRMED,
        "lease_expired",
    )


async def test_an_outcome_applies_only_under_the_lease_it_was_claimed_with(
    services: Services, clock: FixedClock
) -> None:
    await given(services, {"ann": 501}, Queued("ann", "answer"))
    await claim(services)
    row_id, stale = await lease_of(services, "answer")
    clock.advance(LEASE)
    await claim(services)  # another sender takes the row over
    _, current = await lease_of(services, "answer")

    async with services.sessionmaker.begin() as session:
        assert not await mark_sent(
            session, row_id, lease_until=stale, external_id="1", now=clock.now()
        )
        assert await mark_retry(
            session,
            row_id,
            lease_until=current,
            at=clock.now(),
            error="retry_after:3",
            count_attempt=False,
        )
        assert not await mark_retry(
            session, row_id, lease_until=current, at=clock.now(), error="again"
        )

    row = (await outbox_rows(services))["answer"]
    assert (row.state, row.attempts, row.external_id) == (OutboxState.PENDING, 0, None)
    assert (row.last_error, row.lease_until) == ("retry_after:3", None)


async def test_an_unreachable_person_is_recorded_once_with_an_audit_entry(
    services: Services, clock: FixedClock
) -> None:
    ann = (await given(services, {"ann": 501}))["ann"]
    async with services.sessionmaker.begin() as session:
        assert await mark_unreachable(session, ann, clock.now())
        assert not await mark_unreachable(session, ann, clock.now() + dt.timedelta(hours=1))

    assert (await person(services, ann)).telegram_unreachable_at == clock.now()
    async with services.sessionmaker() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    assert [(e.action, e.entity_id) for e in entries] == [("telegram_unreachable", ann)]


async def test_thousands_of_rows_go_in_at_once_each_once_and_are_found_by_key(
    services: Services, clock: FixedClock
) -> None:
    """A national tick: more keys than either database takes as parameters of one statement
    (SQLite 32,766; PostgreSQL 32,767), some queued already, one repeated in the batch."""
    now = clock.now()
    keys = [f"deadline:{n}:T-0:{n}" for n in range(40_000)]

    def message(key: str) -> NewMessage:
        payload = {"method": "sendMessage", "params": {"text": "Zadanie — termin dziś"}}
        return NewMessage(key, Channel.TELEGRAM, "task_due", payload, None, Delivery.AT_MOST_ONCE)

    async with services.sessionmaker.begin() as session:
        assert await enqueue_many(session, [message(k) for k in keys[:100]], now=now) == 100
    async with services.sessionmaker.begin() as session:
        assert await queued_keys(session, keys) == set(keys[:100])
        assert await queued_keys(session, []) == set()
        batch = [message(k) for k in [*keys, keys[-1]]]
        assert await enqueue_many(session, batch, now=now) == len(keys) - 100
    async with services.sessionmaker() as session:
        assert await queued_keys(session, keys[::-1]) == set(keys)
        stored = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert stored == len(keys)


async def test_a_batch_large_enough_for_copy_reads_back_as_rows_inserted_one_by_one(
    services: Services, clock: FixedClock
) -> None:
    """On PostgreSQL a large batch goes in by COPY, which converts the values itself: enums,
    a JSON payload with diacritics, emoji and markup, datetimes in another zone. Its rows must
    be the rows the INSERT makes of the same messages (on SQLite both are the INSERT)."""
    now = clock.now()
    later = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    payload = {"method": "sendMessage", "params": {"text": "Zażółć <b>gęślą</b> jaźń 🎓"}}

    def message(key: str) -> NewMessage:
        return NewMessage(
            key, Channel.EMAIL, "task_due", payload, None, Delivery.AT_LEAST_ONCE, later
        )

    batch = [message(f"copy:{n}") for n in range(COPY_ROWS)]
    async with services.sessionmaker.begin() as session:
        assert await enqueue_many(session, batch, now=now) == COPY_ROWS
        assert await enqueue_many(session, [message("insert:0")], now=now) == 1

    async with services.sessionmaker() as session:
        rows = (await session.execute(select(OutboxMessage.__table__))).mappings().all()
    stored = [{k: v for k, v in row.items() if k not in ("id", "dedupe_key")} for row in rows]
    assert len(stored) == COPY_ROWS + 1
    assert all(row == stored[-1] for row in stored)
    assert stored[-1]["payload"] == payload
    assert stored[-1]["not_before"] == later
    assert stored[-1]["state"] == OutboxState.PENDING
