"""Taking outbox rows for sending: claim (a lease), then "sending" just before each send.

A claimed row has not reached Telegram or the mail server yet: if its sender dies, the row goes
back to pending when the lease runs out, whatever its delivery. Only a row marked SENDING may
have arrived: after a crash an AT_MOST_ONCE row (a reminder, a reply) is left UNCONFIRMED, an
AT_LEAST_ONCE row (an answer, a forward, an alert) is sent again, marked as a repeat.

Outside working time (quiet hours, weekends, holidays) rows planned by the rules wait; a row
past its `stale_at` is skipped, not sent (DESIGN 5: every rule applies at sending).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from outbox.rows import OUTBOX, OUTBOX_TABLE
from storage.models import Channel, Delivery, OutboxMessage, OutboxState

LEASE_EXPIRED = "lease_expired"
STALE = "stale"
TAKEN = (OutboxState.CLAIMED, OutboxState.SENDING)


def sendable(
    now: dt.datetime | BindParameter[Any], *, working: bool, table: Any = OutboxMessage
) -> ColumnElement[bool]:
    """Pending rows a sender may take at `now`; outside working time none a rule planned."""
    return and_(_in_turn(now, working=working, table=table), table.next_attempt_at <= now)


def _in_turn(
    now: dt.datetime | BindParameter[Any], *, working: bool, table: Any
) -> ColumnElement[bool]:
    """Pending rows whose time has come, due now or waiting for a retry: they keep their
    place in the person's order."""
    conditions = [table.state == OutboxState.PENDING, table.not_before <= now]
    if not working:
        conditions.append(table.planned_by.is_(None))
    return and_(*conditions)


# The sender's statements, built once with their values as parameters: built at every pass
# (an alias of the table copies each of its columns), they were most of a claim's CPU.
NOW = bindparam("now", type_=OutboxMessage.not_before.type)
CHANNEL = bindparam("channel", type_=OutboxMessage.channel.type)
ROW_ID = bindparam("row_id", type_=OutboxMessage.id.type)
LEASE = bindparam("lease", type_=OutboxMessage.lease_until.type)


def _claim_query(*, working: bool) -> Select[OutboxMessage]:
    earlier = aliased(OutboxMessage, name="earlier")
    held_back = exists().where(
        earlier.person_id == OutboxMessage.person_id,
        earlier.channel == OutboxMessage.channel,
        earlier.id < OutboxMessage.id,
        or_(earlier.state.in_(TAKEN), _in_turn(NOW, working=working, table=earlier)),
    )
    return (
        select(OutboxMessage)
        .where(OutboxMessage.channel == CHANNEL, sendable(NOW, working=working), ~held_back)
        .order_by(OutboxMessage.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )


CLAIM = {working: _claim_query(working=working) for working in (True, False)}
EXPIRED = (
    select(OutboxMessage)
    .where(
        OutboxMessage.channel == CHANNEL,
        OutboxMessage.state.in_(TAKEN),
        OutboxMessage.lease_until <= NOW,
    )
    .with_for_update(skip_locked=True, of=OutboxMessage)
)
SENDING = (  # the row's object is set below
    update(OUTBOX_TABLE)
    .where(OUTBOX.id == ROW_ID, OUTBOX.state == OutboxState.CLAIMED, OUTBOX.lease_until == LEASE)
    .values(state=OutboxState.SENDING)
)


async def claim_due(
    session: AsyncSession,
    *,
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta,
    channel: Channel,
    working: bool = True,
) -> list[OutboxMessage]:
    """Lease the sendable rows of a channel, oldest first, at most one per person (per-chat
    order); rows gone stale are skipped instead.

    A person's row waits while an earlier row of theirs is taken, due or waiting for a retry;
    an earlier row scheduled for later (`not_before` in the future, a reminder at night) does
    not hold back a row that may go now.
    """
    await _recover_expired_leases(session, now=now, channel=channel)
    values = {"now": now, "channel": channel, "limit": limit}
    rows = (await session.scalars(CLAIM[working], values)).all()
    fresh = []
    for row in rows:
        if row.stale_at is not None and row.stale_at <= now:
            row.state, row.last_error = OutboxState.SKIPPED, STALE
        else:
            fresh.append(row)
    return await lease_rows(session, fresh, now=now, lease=lease)


async def lease_rows(
    session: AsyncSession, rows: Sequence[OutboxMessage], *, now: dt.datetime, lease: dt.timedelta
) -> list[OutboxMessage]:
    """Take rows for sending: another sender skips them until the lease runs out."""
    for row in rows:
        row.state = OutboxState.CLAIMED
        row.lease_until = now + lease
        row.attempts += 1
    await session.flush()
    return list(rows)


async def mark_sending(session: AsyncSession, rows: Sequence[OutboxMessage]) -> bool:
    """Just before the request goes out: from now on the rows may have arrived. False if
    another sender took them over (their lease ran out): then they are not sent here."""
    for row in rows:
        result = await session.execute(SENDING, {"row_id": row.id, "lease": row.lease_until})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        row.state = OutboxState.SENDING
    return True


async def being_sent(session: AsyncSession, person_id: int) -> bool:
    """Whether a Telegram message to this person is claimed or on its way now."""
    found = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.channel == Channel.TELEGRAM,
            OutboxMessage.state.in_(TAKEN),
        )
        .limit(1)
    )
    return found is not None


async def _recover_expired_leases(
    session: AsyncSession, *, now: dt.datetime, channel: Channel
) -> None:
    """Rows whose sender died: never attempted, back to pending; mid-send, by their delivery."""
    expired = await session.scalars(EXPIRED, {"now": now, "channel": channel})
    for row in expired:
        row.lease_until = None
        if row.state is OutboxState.CLAIMED:
            row.state, row.attempts = OutboxState.PENDING, max(row.attempts - 1, 0)
            continue
        row.last_error = LEASE_EXPIRED
        if row.delivery is Delivery.AT_MOST_ONCE:
            row.state = OutboxState.UNCONFIRMED
        else:
            row.state, row.repeat, row.next_attempt_at = OutboxState.PENDING, True, now
    await session.flush()
