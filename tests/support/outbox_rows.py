"""Test data for outbox tests: people with or without a Telegram chat, and queued messages."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from outbox.queue import enqueue
from storage.models import (
    Channel,
    Delivery,
    Gender,
    Language,
    OutboxMessage,
    OutboxState,
    Person,
    Role,
)

_numbers = itertools.count(1)


async def add_person(session: AsyncSession, now: dt.datetime, *, chat_id: int | None) -> int:
    """A team member who joined on Telegram (chat_id) or has not yet (None)."""
    number = next(_numbers)
    person = Person(
        email=f"member{number}@gmina.example.pl",
        full_name=f"Członkini {number}",
        gender=Gender.FEMALE,
        language=Language.PL,
        role=Role.MEMBER,
        telegram_user_id=chat_id,
        telegram_chat_id=chat_id,
        joined_at=now if chat_id else None,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    await session.flush()
    return person.id


async def queue_text(
    session: AsyncSession,
    now: dt.datetime,
    person_id: int | None,
    key: str,
    *,
    delivery: Delivery = Delivery.AT_LEAST_ONCE,
    not_before: dt.datetime | None = None,
    channel: Channel = Channel.TELEGRAM,
    payload: dict[str, Any] | None = None,
    planned_by: str | None = None,
    stale_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue a message (by default a sendMessage whose text is its dedupe key)."""
    row = await enqueue(
        session,
        dedupe_key=key,
        channel=channel,
        kind=str((payload or {}).get("template", "test")),  # e-mail rows: as the tick queues
        payload=payload or {"method": "sendMessage", "params": {"text": key}},
        person_id=person_id,
        delivery=delivery,
        now=now,
        not_before=not_before,
        planned_by=planned_by,
        stale_at=stale_at,
    )
    assert row is not None
    return await session.get_one(OutboxMessage, row)


@dataclass(frozen=True)
class Queued:
    """A message queued for a named person (None: for no person), `not_before` and
    `stale_after` from now; `planned_by` a rule (it then waits for working time)."""

    person: str | None
    key: str
    delivery: Delivery = Delivery.AT_LEAST_ONCE
    not_before: dt.timedelta | None = None
    channel: Channel = Channel.TELEGRAM
    payload: dict[str, Any] | None = None
    planned_by: str | None = None
    stale_after: dt.timedelta | None = None


ANN_AND_BOB = {"ann": 501, "bob": 502}
# After a crash mid-send: Ann's answer must arrive, Bob's reminder must not come twice.
ANSWER_AND_REMINDER = (
    Queued("ann", "answer", delivery=Delivery.AT_LEAST_ONCE),
    Queued("bob", "reminder", delivery=Delivery.AT_MOST_ONCE),
)


async def given(
    services: Services, chats: Mapping[str, int | None], *messages: Queued
) -> dict[str, int]:
    """People by name with their Telegram chats, and their queued messages; ids by name."""
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        people = {
            name: await add_person(session, now, chat_id=chat) for name, chat in chats.items()
        }
        for message in messages:
            await queue_text(
                session,
                now,
                None if message.person is None else people[message.person],
                message.key,
                delivery=message.delivery,
                not_before=None if message.not_before is None else now + message.not_before,
                channel=message.channel,
                payload=message.payload,
                planned_by=message.planned_by,
                stale_at=None if message.stale_after is None else now + message.stale_after,
            )
    return people


async def outbox_rows(services: Services) -> dict[str, OutboxMessage]:
    """Every outbox row as committed, by dedupe key."""
    async with services.sessionmaker() as session:
        rows = await session.scalars(select(OutboxMessage))
        return {row.dedupe_key: row for row in rows}


async def states(services: Services) -> dict[str, tuple[OutboxState, str | None]]:
    """Every row's state and last error, by dedupe key."""
    return {key: (row.state, row.last_error) for key, row in (await outbox_rows(services)).items()}


async def lease_of(services: Services, key: str) -> tuple[int, dt.datetime]:
    """A row being sent: its id and the lease its sender holds."""
    row = (await outbox_rows(services))[key]
    assert row.lease_until is not None
    return row.id, row.lease_until


async def person(services: Services, person_id: int) -> Person:
    async with services.sessionmaker() as session:
        return await session.get_one(Person, person_id)
