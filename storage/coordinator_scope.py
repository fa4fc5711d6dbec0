"""The cohorts each coordinator covers: their weekly digest's scope.

A coordinator listed in a cohort's import file covers that cohort; the operator sets or clears
it (`advisorybot coordinator scope`). A coordinator with no cohort at all covers every cohort:
ORE's national coordinators, and every coordinator there was before scopes existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import CoordinatorCohort


async def coordinator_cohorts(session: AsyncSession, coordinator_id: int) -> frozenset[int] | None:
    """The ids of the cohorts the coordinator covers; None: every cohort."""
    found = frozenset(
        await session.scalars(
            select(CoordinatorCohort.cohort_id).where(
                CoordinatorCohort.coordinator_id == coordinator_id
            )
        )
    )
    return found or None


async def add_coordinator_cohorts(
    session: AsyncSession,
    pairs: Collection[tuple[int, int]],
    *,
    now: dt.datetime,
    actor: str,
) -> int:
    """Let each (coordinator, cohort) pair cover its cohort; how many were new."""
    existing = set(
        await session.execute(
            select(CoordinatorCohort.coordinator_id, CoordinatorCohort.cohort_id)
        )
    )
    new = sorted(set(pairs) - {(c, k) for c, k in existing})
    if not new:
        return 0
    await session.execute(
        insert(CoordinatorCohort),
        [{"coordinator_id": c, "cohort_id": k, "created_at": now} for c, k in new],
    )
    for coordinator_id, cohort_id in new:
        audit.record(
            session,
            now,
            actor=actor,
            action="coordinator_cohort_added",
            entity="person",
            entity_id=coordinator_id,
            cohort_id=cohort_id,
        )
    return len(new)


async def set_coordinator_cohorts(
    session: AsyncSession,
    coordinator_id: int,
    cohort_ids: Collection[int] | None,
    *,
    now: dt.datetime,
    actor: str,
) -> bool:
    """The coordinator covers exactly these cohorts (None: every cohort); False if unchanged."""
    before = await coordinator_cohorts(session, coordinator_id)
    after = frozenset(cohort_ids) if cohort_ids else None
    if before == after:
        return False
    await session.execute(
        delete(CoordinatorCohort).where(CoordinatorCohort.coordinator_id == coordinator_id)
    )
    if after is not None:
        await session.execute(
            insert(CoordinatorCohort),
            [{"coordinator_id": coordinator_id, "cohort_id": k, "created_at": now} for k in after],
        )
    audit.record(
        session,
        now,
        actor=actor,
        action="coordinator_scope_set",
        entity="person",
        entity_id=coordinator_id,
        cohorts=sorted(after) if after is not None else "all",
    )
    return True
