"""People of finished cohorts, anonymised when the archive period has passed.

A member belongs to their JST's cohort; an adviser to the cohorts of every JST they advised or
stood in for, so they stay until the last of those has passed. Coordinators are tied to no
cohort (storage/people.visible_jsts) and are not anonymised by the schedule. Anonymising is
`storage.anonymise.anonymise_person`, as for an erasure request: the name and address go,
gender and JST stay (the indicators count people supported by gender); the audit log says the
schedule did it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.anonymise import anonymise_person
from storage.models import AdviserAssignment, Jst, Person, Role

ACTOR = "retention"  # the audit log's actor of an anonymisation by the schedule


@dataclass(frozen=True)
class Tied:
    """A person not yet anonymised and the cohorts they belong to."""

    person_id: int
    role: Role
    cohort_ids: frozenset[int]


async def people_tied(session: AsyncSession) -> list[Tied]:
    """Members and advisers not anonymised yet, each with their cohorts."""
    found: dict[tuple[int, Role], set[int]] = defaultdict(set)
    members = (
        select(Person.id, Jst.cohort_id)
        .join(Jst, Jst.id == Person.jst_id)
        .where(Person.role == Role.MEMBER, Person.erased_at.is_(None))
    )
    for person_id, cohort_id in await session.execute(members):
        found[person_id, Role.MEMBER].add(cohort_id)
    advised = or_(
        AdviserAssignment.adviser_id == Person.id, AdviserAssignment.substitute_id == Person.id
    )
    advisers = (
        select(Person.id, Jst.cohort_id)
        .join(AdviserAssignment, advised)
        .join(Jst, Jst.id == AdviserAssignment.jst_id)
        .where(Person.role == Role.ADVISER, Person.erased_at.is_(None))
    )
    for person_id, cohort_id in await session.execute(advisers):
        found[person_id, Role.ADVISER].add(cohort_id)
    return [
        Tied(person_id, role, frozenset(cohorts))
        for (person_id, role), cohorts in sorted(found.items())
    ]


async def anonymise(session: AsyncSession, person_id: int, now: dt.datetime) -> bool:
    """Anonymise one person as an erasure does (audited as done by the schedule); False if
    they were anonymised meanwhile."""
    person = await session.scalar(
        select(Person).where(Person.id == person_id, Person.erased_at.is_(None))
    )
    if person is None:
        return False
    done = await anonymise_person(session, person_id, now, close_questions=False)
    person.erased_at = now
    audit.record(
        session,
        now,
        actor=ACTOR,
        action="person_erased",
        entity="person",
        entity_id=person_id,
        **done.as_json(),
    )
    return True
