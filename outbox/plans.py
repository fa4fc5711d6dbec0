"""Rows the rules planned follow the plan until they are sent (DESIGN 5).

Each tick sees what the rules plan now. A pending row its rule no longer plans (the task was
accepted, the report sent, the question answered, a step of the ladder passed) is withdrawn:
skipped, never sent. A withdrawn row planned again (its key, so the same event) is pending
again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.email_policy import fallback_key
from storage.db import among
from storage.models import OutboxMessage, OutboxState

WITHDRAWN = "withdrawn"


async def unplanned(
    session: AsyncSession, *, rules: Collection[str], planned: Collection[str], now: dt.datetime
) -> list[int]:
    """The pending rows these rules queued up to `now` and plan no more (an e-mail fallback
    goes with its Telegram row). A row queued after `now` comes from a newer view of the
    state (another instance's tick) and is left alone."""
    if not rules:
        return []
    pending = await session.execute(  # few: rows wait only for working time or a retry
        select(OutboxMessage.id, OutboxMessage.dedupe_key).where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.planned_by.in_(rules),
            OutboxMessage.created_at <= now,
        )
    )
    keys = set(planned)
    candidates = [(row_id, key) for row_id, key in pending if key not in keys]
    if not candidates:
        return []
    fallbacks = {fallback_key(key) for key in keys}
    return [row_id for row_id, key in candidates if key not in fallbacks]


async def withdraw(session: AsyncSession, row_ids: Sequence[int]) -> int:
    """Skip these rows unless a sender took them meanwhile; how many were withdrawn."""
    if not row_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            among(session, OutboxMessage.id, row_ids), OutboxMessage.state == OutboxState.PENDING
        )
        .values(state=OutboxState.SKIPPED, last_error=WITHDRAWN)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def revive(session: AsyncSession, keys: Sequence[str], *, now: dt.datetime) -> int:
    """Withdrawn rows planned again: pending, due now (their own times still apply)."""
    if not keys:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            among(session, OutboxMessage.dedupe_key, keys),
            OutboxMessage.state == OutboxState.SKIPPED,
            OutboxMessage.last_error == WITHDRAWN,
        )
        .values(state=OutboxState.PENDING, last_error=None, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
