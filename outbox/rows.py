"""Outbox rows to add: one at a time (`outbox.queue.enqueue`) or thousands at once (the tick).

A row whose dedupe key exists is left out by the INSERT itself (ON CONFLICT DO NOTHING), so
the transaction lives on and a message is never queued twice. On PostgreSQL thousands go in
by COPY first (a third of the INSERT's time); a key that exists makes COPY fail as a whole, in
a savepoint, and the rows then go in by the INSERT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Insert, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import among, skipping_insert
from storage.models import Channel, Delivery, OutboxMessage, OutboxState

if TYPE_CHECKING:
    import asyncpg

# PostgreSQL: from this many rows on, COPY before INSERT (below it the INSERT is as fast).
COPY_ROWS = 500
# PostgreSQL: rows per INSERT ... VALUES statement (SQLAlchemy's "insertmanyvalues"; default
# 1,000): 2,900 rows of 11 columns stay under the protocol's 32,767 parameters, and a national
# deadline's 10,000 rows go in 4 statements instead of 10 (~10% of the insert, bench/README.md).
PAGE_ROWS = 2_900


@dataclass(frozen=True)
class NewMessage:
    """A message to add to the outbox; due at once unless `not_before` says later. `planned_by`
    (a rule: the row waits for working time, is withdrawn when no longer planned) and
    `stale_at` are described on `OutboxMessage`."""

    dedupe_key: str
    channel: Channel
    kind: str
    payload: dict[str, Any]
    person_id: int | None
    delivery: Delivery
    not_before: dt.datetime | None = None
    planned_by: str | None = None
    stale_at: dt.datetime | None = None

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
            "planned_by": self.planned_by,
            "stale_at": self.stale_at,
            "repeat": False,
            "created_at": now,
        }


OUTBOX_TABLE = cast(Table, OutboxMessage.__table__)  # hot statements in Core: no ORM machinery
OUTBOX = OUTBOX_TABLE.c


def insert_new(dialect: str) -> Insert:
    """An INSERT into the outbox that skips rows whose dedupe key exists (`dialect`: the
    database's kind, `postgresql` or `sqlite`)."""
    insert = skipping_insert(dialect, OUTBOX_TABLE)
    return insert.on_conflict_do_nothing(index_elements=[OUTBOX.dedupe_key])


async def enqueue_many(
    session: AsyncSession, messages: Sequence[NewMessage], *, now: dt.datetime
) -> int:
    """Add many messages at once (a national deadline queues thousands in one tick): one COPY
    or one executemany; returns how many were added."""
    if not messages:
        return 0
    rows = [message.row(now) for message in messages]
    connection = await session.connection()  # Core, not the ORM's bulk insert: no objects
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_ROWS:
        import asyncpg  # noqa: PLC0415 - PostgreSQL's driver: not loaded on SQLite

        try:
            async with session.begin_nested():  # SAVEPOINT at the first use of its connection
                return await _copy(await session.connection(), rows)
        except asyncpg.UniqueViolationError:
            pass  # a key queued meanwhile, or twice in `rows`: the INSERT skips it
    if connection.dialect.name == "postgresql":  # asyncpg counts no rows of an executemany
        insert = insert_new(connection.dialect.name).returning(OUTBOX.id)
        paged = insert.execution_options(insertmanyvalues_page_size=PAGE_ROWS)
        added = await connection.execute(paged, rows)
        return len(added.all())
    result = await connection.execute(insert_new(connection.dialect.name), rows)
    return result.rowcount


async def _copy(connection: AsyncConnection, rows: list[dict[str, Any]]) -> int:
    """COPY the rows into the outbox, each value converted by its column's type as an INSERT
    would (enums to their values, JSON to text, datetimes to UTC)."""
    table = OUTBOX_TABLE
    columns = list(rows[0])
    converted = [
        _converted(
            [row[name] for row in rows], table.c[name].type.bind_processor(connection.dialect)
        )
        for name in columns
    ]
    records = list(zip(*converted, strict=True))
    pooled = await connection.get_raw_connection()
    driver: asyncpg.Connection = pooled.driver_connection
    await driver.copy_records_to_table(
        OutboxMessage.__tablename__, records=records, columns=columns
    )
    return len(records)


def _converted(values: list[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    """One column's values as the driver takes them, each distinct value converted once: a
    national deadline's rows share their payloads, states and times."""
    if process is None:
        return values
    done: dict[Any, Any] = {}
    converted = []
    for value in values:
        key = id(value) if isinstance(value, dict) else value  # alive in `values`: ids hold
        if key not in done:
            done[key] = None if value is None else process(value)
        converted.append(done[key])
    return converted


async def queued_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys the outbox holds already."""
    return set(await queued(session, keys))


async def queued(session: AsyncSession, keys: Sequence[str]) -> dict[str, str | None]:
    """These dedupe keys the outbox holds already, each with its row's last error."""
    if not keys:
        return {}
    found = await session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.last_error).where(
            among(session, OutboxMessage.dedupe_key, keys)
        )
    )
    return {key: error for key, error in found}
