"""Materials as plain view data: what one change did, the list coordinators and experts see.

Every change of a material is a MaterialEvent; `MaterialChange` rebuilds it with names, so
the messages about a change read the same, also when a change is replayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Material, MaterialEvent, MaterialState, Person, Role
from storage.tasks.views import Evidence, evidence_pieces

KINDS = ("schedule", "scenario", "training", "other")  # harmonogram, scenariusz, materiał, inne


@dataclass(frozen=True)
class MaterialChange:
    """One change of a material, by whom, with what it carried (rebuilt from its event)."""

    event_id: int
    action: str
    at: dt.datetime
    material_id: int
    title: str
    kind: str
    cohort: str
    review_round: int  # the round the change belongs to (returns before it)
    due_on: dt.date  # the material's deadline after the change (review, or fix)
    submitted_by_id: int  # who handed in the latest version: the fix is theirs
    actor_id: int | None  # None: the operator (CLI)
    actor_name: str | None
    actor_gender: str | None
    pieces: tuple[Evidence, ...]  # what a version carried, in the order sent
    remarks: str | None


@dataclass(frozen=True)
class MaterialItem:
    """A material as the /materialy list and the export show it."""

    id: int
    title: str
    kind: str
    cohort: str
    state: str
    review_round: int
    due_on: dt.date
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    accepted_at: dt.datetime | None


async def material_changes(
    session: AsyncSession, events: Sequence[MaterialEvent]
) -> list[MaterialChange]:
    """The events as view data, in the order given."""
    changes = []
    for event in events:
        material = await session.get_one(Material, event.material_id)
        cohort = await session.get_one(Cohort, material.cohort_id)
        actor = await session.get(Person, event.person_id) if event.person_id else None
        changes.append(
            MaterialChange(
                event_id=event.id,
                action=event.action,
                at=event.at,
                material_id=material.id,
                title=material.title,
                kind=material.kind,
                cohort=cohort.name,
                review_round=event.review_round,
                due_on=material.due_on,
                submitted_by_id=material.submitted_by_id,
                actor_id=event.person_id,
                actor_name=actor.full_name if actor else None,
                actor_gender=actor.gender.value if actor else None,
                pieces=evidence_pieces(event.details.get("pieces")),
                remarks=event.note if event.action == "returned" else None,
            )
        )
    return changes


async def latest_version(session: AsyncSession, material_id: int) -> MaterialChange:
    """The version handed in last (what the experts review now)."""
    event = await session.scalar(
        select(MaterialEvent)
        .where(MaterialEvent.material_id == material_id, MaterialEvent.action == "submitted")
        .order_by(MaterialEvent.id.desc())
        .limit(1)
    )
    assert event is not None, "a material is created with its first version"
    return (await material_changes(session, [event]))[0]


async def material_items(
    session: AsyncSession, *, states: Sequence[MaterialState] = tuple(MaterialState)
) -> list[MaterialItem]:
    """Materials in `states`: those waiting first (review, then fix), each by its deadline."""
    submitter, reviewer = Person.__table__.alias("submitter"), Person.__table__.alias("reviewer")
    waiting_first = case(
        (Material.state == MaterialState.SUBMITTED, 0),
        (Material.state == MaterialState.RETURNED, 1),
        else_=2,
    )
    rows = await session.execute(
        select(Material, Cohort.name, submitter.c.full_name, reviewer.c.full_name)
        .join(Cohort, Cohort.id == Material.cohort_id)
        .join(submitter, submitter.c.id == Material.submitted_by_id)
        .outerjoin(reviewer, reviewer.c.id == Material.reviewed_by_id)
        .where(Material.state.in_(states))
        .order_by(waiting_first, Material.due_on, Material.id)
    )
    return [
        MaterialItem(
            id=material.id,
            title=material.title,
            kind=material.kind,
            cohort=cohort,
            state=material.state.value,
            review_round=material.review_round,
            due_on=material.due_on,
            submitted_by=submitted_by,
            submitted_at=material.submitted_at,
            reviewed_by=reviewed_by,
            reviewed_at=material.reviewed_at,
            accepted_at=material.accepted_at,
        )
        for material, cohort, submitted_by, reviewed_by in rows
    ]


async def experts(session: AsyncSession) -> list[Person]:
    """Every expert not erased: each sees the whole queue and is told of each version."""
    return list(
        await session.scalars(
            select(Person)
            .where(Person.role == Role.EXPERT, Person.erased_at.is_(None))
            .order_by(Person.id)
        )
    )
