"""The audit log: one call per change, in the caller's transaction; what the operator read of
whom (`record_reads`: an entry a person, without the data); every entry about one person.

Entries name people by id (`entity` "person" and `entity_id`, `actor` "person:<id>", or
`person_id` / `substitute_id` in the details), never by name or address, so a person's entries
are still found, and say nothing of them, after their erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, insert, or_, select
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


READ = "read"


async def record_reads(
    session: AsyncSession, now: dt.datetime, *, actor: str, people: Iterable[int], via: str
) -> None:
    """That `actor` saw these people's data through `via` (a command, an export): one entry
    each."""
    entries = [
        entry(now, actor=actor, action=READ, entity="person", entity_id=person_id, via=via)
        for person_id in sorted(set(people))
    ]
    await record_all(session, entries)


async def about_person(session: AsyncSession, person_id: int) -> list[AuditEntry]:
    """Every entry that names the person (as its subject, its actor, or in its details),
    oldest first."""
    details = AuditEntry.details
    found = await session.scalars(
        select(AuditEntry)
        .where(
            or_(
                and_(AuditEntry.entity == "person", AuditEntry.entity_id == person_id),
                AuditEntry.actor == f"person:{person_id}",
                details["person_id"].as_integer() == person_id,
                details["substitute_id"].as_integer() == person_id,
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(found)
