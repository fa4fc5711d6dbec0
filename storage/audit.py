"""The audit log: one call per change, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    now: dt.datetime,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    **details: Any,
) -> None:
    """Add an audit entry; `details` must be JSON-serialisable and hold no secrets."""
    session.add(
        AuditEntry(
            **entry(now, actor=actor, action=action, entity=entity, entity_id=entity_id, **details)
        )
    )


def entry(
    now: dt.datetime,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The columns of an audit entry, for `record_all`."""
    return {
        "at": now,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "details": details,
    }


async def record_all(session: AsyncSession, entries: list[dict[str, Any]]) -> None:
    """Write many audit entries in one statement (an import audits thousands of changes; one
    ORM object each is one INSERT each on SQLite, which cannot batch rows that return ids)."""
    if entries:
        await session.execute(insert(AuditEntry), entries)
