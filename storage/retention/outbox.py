"""Outbox payloads of finished messages, expired some days after they finished.

A finished row (sent, skipped, failed, unconfirmed) keeps its dedupe key (so nothing is ever
queued twice), kind, person, state, attempts and times (so every count still adds up); its
payload (texts, values, addresses, file ids, chat ids) becomes `{}` and its last error (a mail
server's answer may quote an address) `expired`. An expired row is never sent again: a
withdrawn one is no longer "withdrawn" (outbox/plans.py revives only those), and `outbox
retry` refuses it (outbox/queue.py). Rows not finished (pending, claimed, sending) are never
touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Jst, OutboxMessage, OutboxState, Person

EXPIRED = "expired"  # OutboxMessage.last_error of a row whose payload went
UNFINISHED = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)
Row = OutboxMessage


def _kept() -> ColumnElement[bool]:
    """Finished (sent, skipped, failed, unconfirmed), the payload still there. Said as "not
    unfinished": SQLite then walks the rows in id order from where the last batch ended,
    rather than every sent row by the state's index, expired ones too, for each batch."""
    finished = Row.state.not_in(UNFINISHED)
    return finished & or_(Row.last_error.is_(None), Row.last_error != EXPIRED)


def finished_at() -> ColumnElement[dt.datetime]:
    """When a finished row finished: sent; otherwise its last try (the lease of the last
    claim, or the time it waited for when it was withdrawn or skipped before a claim)."""
    last_try = case(
        (Row.lease_until > Row.next_attempt_at, Row.lease_until), else_=Row.next_attempt_at
    )
    return case((Row.sent_at.is_not(None), Row.sent_at), else_=last_try)


def _finished_before(moment: dt.datetime) -> ColumnElement[bool]:
    """`finished_at() < moment`, as the indexes can read it."""
    return or_(
        Row.sent_at < moment,
        and_(
            Row.sent_at.is_(None),
            Row.next_attempt_at < moment,
            or_(Row.lease_until.is_(None), Row.lease_until < moment),
        ),
    )


async def expire_payloads(
    session: AsyncSession, finished_before: dt.datetime, limit: int, *, after: int = 0
) -> list[int]:
    """Expire at most `limit` payloads of rows finished before the moment, with ids above
    `after`; their ids."""
    ids = list(
        await session.scalars(
            select(Row.id)
            .where(Row.id > after, _kept(), _finished_before(finished_before))
            .order_by(Row.id)
            .limit(limit)
        )
    )
    if ids:
        await session.execute(
            update(Row).where(Row.id.in_(ids)).values(payload={}, last_error=EXPIRED)
        )
    return ids


async def payloads_kept(
    session: AsyncSession,
) -> AsyncIterator[tuple[dt.datetime, str, int | None]]:
    """Each finished row whose payload is kept: when it finished, its kind, and the cohort of
    the team member it went to (None: an adviser, a coordinator, a chat)."""
    query: Any = (
        select(finished_at(), Row.kind, Jst.cohort_id)
        .outerjoin(Person, Person.id == Row.person_id)
        .outerjoin(Jst, Jst.id == Person.jst_id)
        .where(_kept())
    )
    async for finished, kind, cohort_id in await session.stream(
        query.execution_options(yield_per=5_000)
    ):
        yield finished, kind, cohort_id
