"""Writing a checked team file: upserts by TERYT and e-mail, audited, a no-op when unchanged.

Runs in the caller's transaction and never commits; a dry run is the same call rolled back.
Only attributes that really differ are assigned, so an unchanged file writes nothing at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.import_read import ImportIssue
from storage.importer import ImportPlan
from storage.models import AdviserAssignment, Base, Cohort, Jst, Person

_Row = TypeVar("_Row", bound=Base)
NO_SUBSTITUTE: dict[str, Any] = {
    "substitute_id": None,
    "substitute_from": None,
    "substitute_until": None,
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import changed (or, in a dry run, would change)."""

    jsts: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    assignments: Counts = field(default_factory=Counts)
    absent: int = 0
    warnings: list[ImportIssue] = field(default_factory=list)


async def apply_import(
    session: AsyncSession, plan: ImportPlan, cohort: Cohort, now: dt.datetime, actor: str
) -> ImportSummary:
    """Make the database match the plan; people missing from the file are only counted."""
    if plan.errors:
        raise ValueError("a plan with errors must not be applied")
    writer = _Writer(session, now, actor)
    summary = ImportSummary(warnings=list(plan.warnings))
    jsts = await _apply_jsts(writer, plan, cohort, summary.jsts)
    people = await _apply_people(writer, plan, jsts, summary.people)
    await _apply_assignments(writer, plan, jsts, people, summary.assignments)
    summary.absent = await _count_absent(session, set(plan.people))
    return summary


async def erased_addresses(session: AsyncSession) -> set[str]:
    """The stored addresses of people erased at their request."""
    return set(await session.scalars(select(Person.email).where(Person.erased_at.is_not(None))))


async def jst_cohorts(session: AsyncSession) -> dict[str, str]:
    """The cohort of every JST already in the database, by TERYT (a few thousand at most)."""
    found = await session.execute(select(Jst.teryt, Cohort.name).join(Cohort))
    return {teryt: name for teryt, name in found}


async def _apply_jsts(
    writer: _Writer, plan: ImportPlan, cohort: Cohort, counts: Counts
) -> dict[str, Jst]:
    found = await writer.session.scalars(select(Jst).where(Jst.teryt.in_(plan.jsts)))
    existing = {jst.teryt: jst for jst in found}
    result: dict[str, Jst] = {}
    for teryt, planned in plan.jsts.items():
        wanted = {
            "name": planned.name,
            "kind": planned.kind,
            "voivodeship": planned.voivodeship,
            "cohort_id": cohort.id,
        }
        result[teryt] = await writer.upsert(
            "jst",
            existing.get(teryt),
            partial(Jst, teryt=teryt, created_at=writer.now),
            wanted,
            counts,
            teryt=teryt,
        )
    return result


async def _apply_people(
    writer: _Writer, plan: ImportPlan, jsts: dict[str, Jst], counts: Counts
) -> dict[str, Person]:
    found = await writer.session.scalars(select(Person).where(Person.email.in_(plan.people)))
    existing = {person.email: person for person in found}
    result: dict[str, Person] = {}
    for email, planned in plan.people.items():
        teryt = plan.member_jsts.get(email)
        wanted = {
            "full_name": planned.full_name,
            "gender": planned.gender,
            "language": planned.language,
            "role": planned.role,
            "jst_id": jsts[teryt].id if teryt is not None else None,
        }
        result[email] = await writer.upsert(
            "person",
            existing.get(email),
            partial(Person, email=email, created_at=writer.now),
            wanted,
            counts,
            stamp="updated_at",
        )
    return result


async def _apply_assignments(
    writer: _Writer,
    plan: ImportPlan,
    jsts: dict[str, Jst],
    people: dict[str, Person],
    counts: Counts,
) -> None:
    ids = [jst.id for jst in jsts.values()]
    found = await writer.session.scalars(
        select(AdviserAssignment).where(AdviserAssignment.jst_id.in_(ids))
    )
    existing = {assignment.jst_id: assignment for assignment in found}
    for teryt, email in plan.advisers.items():
        jst_id, adviser_id = jsts[teryt].id, people[email].id
        assignment = existing.get(jst_id)
        wanted: dict[str, Any] = {"adviser_id": adviser_id}
        if assignment is not None and assignment.adviser_id != adviser_id:
            wanted |= NO_SUBSTITUTE  # the substitute stood in for the previous adviser
        await writer.upsert(
            "assignment",
            assignment,
            partial(AdviserAssignment, jst_id=jst_id),
            wanted,
            counts,
            teryt=teryt,
        )


async def _count_absent(session: AsyncSession, emails: set[str]) -> int:
    """People the file does not list; they are left as they are."""
    count = await session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.erased_at.is_(None), Person.email.not_in(emails))
    )
    return count or 0


@dataclass
class _Writer:
    """Creates or updates one row at a time, auditing each real change."""

    session: AsyncSession
    now: dt.datetime
    actor: str

    async def upsert(
        self,
        entity: str,
        row: _Row | None,
        make: Callable[[], _Row],
        wanted: dict[str, Any],
        counts: Counts,
        *,
        stamp: str | None = None,
        **details: Any,
    ) -> _Row:
        """Create `row` from `make` + `wanted`, or set only the attributes that differ."""
        if row is None:
            row = make()
            action = "created"
            changed = sorted(wanted)
            counts.created += 1
            self.session.add(row)
        else:
            action = "updated"
            changed = sorted(name for name, value in wanted.items() if getattr(row, name) != value)
            counts.updated += bool(changed)
            counts.unchanged += not changed
        if not changed:
            return row
        for name in changed:
            setattr(row, name, wanted[name])
        if stamp is not None:
            setattr(row, stamp, self.now)
        await self.session.flush()
        audit.record(
            self.session,
            self.now,
            actor=self.actor,
            action=f"{entity}.{action}",
            entity=entity,
            entity_id=getattr(row, "id", None),
            fields=changed,
            **details,
        )
        return row
