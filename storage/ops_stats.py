"""What the operator's metrics read from the database when scraped (bot/ops_http.py): the
outbox rows not yet done and the people who joined. Two grouped counts: the outbox's by the
index on its state, the people's over one small table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Channel, OutboxMessage, OutboxState, Person, Role

WAITING_STATES = (
    OutboxState.PENDING,
    OutboxState.CLAIMED,
    OutboxState.SENDING,
    OutboxState.UNCONFIRMED,
)


@dataclass(frozen=True)
class QueueGroup:
    """Outbox rows of one channel, state and origin (caused by people, or planned by a rule);
    `oldest` is the earliest moment one of them could go (its `not_before`)."""

    channel: Channel
    state: OutboxState
    planned: bool
    rows: int
    oldest: dt.datetime


async def outbox_groups(session: AsyncSession) -> list[QueueGroup]:
    """The rows not yet sent, failed or skipped, grouped."""
    planned = OutboxMessage.planned_by.is_not(None)
    result = await session.execute(
        select(
            OutboxMessage.channel,
            OutboxMessage.state,
            planned,
            func.count(OutboxMessage.id),
            func.min(OutboxMessage.not_before),
        )
        .where(OutboxMessage.state.in_(WAITING_STATES))
        .group_by(OutboxMessage.channel, OutboxMessage.state, planned)
    )
    return [
        QueueGroup(Channel(channel), OutboxState(state), bool(by_rule), int(rows), oldest)
        for channel, state, by_rule, rows, oldest in result.all()
    ]


async def people_joined(session: AsyncSession) -> dict[Role, int]:
    """People who joined through their invitation and are not erased, by role."""
    result = await session.execute(
        select(Person.role, func.count(Person.id))
        .where(Person.joined_at.is_not(None), Person.erased_at.is_(None))
        .group_by(Person.role)
    )
    return {Role(role): int(count) for role, count in result.all()}
