"""Failed outbox messages as a coordinator sees them in the web view: channel, kind, person,
JST, when and why; never the message itself (it may hold a link or someone's words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Jst, OutboxMessage, OutboxState, Person


@dataclass(frozen=True)
class FailedMessage:
    row_id: int
    channel: str
    kind: str
    person_id: int | None
    person: str | None  # None: for no person, or an erased one
    jst_name: str | None
    created_at: dt.datetime
    reason: str | None


async def failed_messages(session: AsyncSession, *, limit: int) -> list[FailedMessage]:
    """Failed rows, newest first (at most `limit`)."""
    found = await session.execute(
        select(OutboxMessage, Person, Jst.name)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .outerjoin(Jst, Jst.id == Person.jst_id)
        .where(OutboxMessage.state == OutboxState.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        FailedMessage(
            row_id=row.id,
            channel=row.channel.value,
            kind=row.kind,
            person_id=row.person_id,
            person=person.full_name if person and person.erased_at is None else None,
            jst_name=jst_name,
            created_at=row.created_at,
            reason=row.last_error,
        )
        for row, person, jst_name in found
    ]
