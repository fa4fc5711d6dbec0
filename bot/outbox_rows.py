"""Outbox rows to add: one at a time (`bot.outbox.enqueue`) or thousands at once (the tick).

A row whose dedupe key exists is left out by the INSERT itself (ON CONFLICT DO NOTHING), so
the transaction lives on and a message is never queued twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import among
from storage.models import Channel, Delivery, OutboxMessage, OutboxState

# PostgreSQL: rows per INSERT ... VALUES statement (SQLAlchemy's "insertmanyvalues"; default
# 1,000): 2,900 rows of 11 columns stay under the protocol's 32,767 parameters, and a national
# deadline's 10,000 rows go in 4 statements instead of 10 (~10% of the insert, bench/README.md).
PAGE_ROWS = 2_900


@dataclass(frozen=True)
class NewMessage:
    """A message to add to the outbox; due at once unless `not_before` says later."""

    dedupe_key: str
    channel: Channel
    kind: str
    payload: dict[str, Any]
    person_id: int | None
    delivery: Delivery
    not_before: dt.datetime | None = None

    def row(self, now: dt.datetime) -> dict[str, Any]:
        due = self.not_before or now
        return {
            "dedupe_key": self.dedupe_key,
            "channel": self.channel,
            "kind": self.kind,
            "payload": self.payload,
            "person_id": self.person_id,
            "delivery": self.delivery,
            "state": OutboxState.PENDING,
            "attempts": 0,
            "not_before": due,
            "next_attempt_at": due,
            "created_at": now,
        }


def insert_new(session: AsyncSession) -> Insert:
    """An INSERT into the outbox that skips rows whose dedupe key exists."""
    insert = (
        postgresql.insert(OutboxMessage)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(OutboxMessage)
    )
    return insert.on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])


async def enqueue_many(
    session: AsyncSession, messages: Sequence[NewMessage], *, now: dt.datetime
) -> int:
    """Add many messages in one executemany (a national deadline queues thousands in one
    tick); returns how many were added."""
    if not messages:
        return 0
    rows = [message.row(now) for message in messages]
    connection = await session.connection()  # Core, not the ORM's bulk insert: no objects
    if connection.dialect.name == "postgresql":  # asyncpg counts no rows of an executemany
        insert = insert_new(session).returning(OutboxMessage.id)
        paged = insert.execution_options(insertmanyvalues_page_size=PAGE_ROWS)
        added = await connection.execute(paged, rows)
        return len(added.all())
    result = await connection.execute(insert_new(session), rows)
    return result.rowcount


async def queued_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys the outbox holds already."""
    if not keys:
        return set()
    return set(
        await session.scalars(
            select(OutboxMessage.dedupe_key).where(among(session, OutboxMessage.dedupe_key, keys))
        )
    )
