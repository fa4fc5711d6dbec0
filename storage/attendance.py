"""Attendance of the training rounds (zjazdy I-IV): a round is a phase of kind "training" of the
cohort's calendar, named by its code; one row a member and round, present or not, with how and
by whom it was recorded. Recording the same again changes nothing and audits nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.cohorts import cohort_steps
from storage.db import among
from storage.models import Attendance, Cohort, Jst, Person, ProgrammeStep, Role
from storage.programme import TRAINING


class Source(StrEnum):
    IMPORT = "import"  # the list of signatures (`advisorybot attendance import`)
    TELEGRAM = "telegram"  # an adviser or a coordinator in the bot (/obecnosc)
    OPERATOR = "operator"  # `advisorybot attendance mark`
    WEB = "web"  # an adviser or a coordinator on the web view's JST page


@dataclass
class MarkCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class PersonIssue:
    """Why a person cannot be marked in a round: a macro of the attendance templates."""

    code: str
    params: Mapping[str, Any]


async def training_rounds(session: AsyncSession, cohort_id: int) -> list[ProgrammeStep]:
    """The cohort's training rounds in order."""
    return [step for step in await cohort_steps(session, cohort_id) if step.kind == TRAINING]


async def people_by_email(session: AsyncSession, emails: Sequence[str]) -> dict[str, Person]:
    """The people with these (normalised) addresses; erased people have none."""
    found = await session.scalars(select(Person).where(among(session, Person.email, emails)))
    return {person.email: person for person in found}


async def person_issue(
    session: AsyncSession, person: Person | None, cohort: Cohort
) -> PersonIssue | None:
    """None when `person` is a team member of one of the cohort's JSTs."""
    if person is None:
        return PersonIssue("unknown_person", {})
    if person.role is not Role.MEMBER or person.jst_id is None:
        return PersonIssue("not_a_member", {"role": person.role.value})
    jst = await session.get_one(Jst, person.jst_id)
    if jst.cohort_id != cohort.id:
        other = await session.get_one(Cohort, jst.cohort_id)
        return PersonIssue("other_cohort", {"cohort": other.name, "jst": jst.name})
    return None


async def record_attendance(
    session: AsyncSession,
    step_code: str,
    marks: Mapping[int, bool],
    *,
    source: Source,
    actor: str,
    now: dt.datetime,
) -> MarkCounts:
    """Each person's presence (`marks`: person id -> present) in the round `step_code`; a row
    that already says so is left as it is."""
    counts = MarkCounts()
    existing = {
        row.person_id: row
        for row in await session.scalars(
            select(Attendance).where(
                Attendance.step_code == step_code,
                among(session, Attendance.person_id, list(marks)),
            )
        )
    }
    entries = []
    for person_id, present in sorted(marks.items()):
        row = existing.get(person_id)
        if row is not None and row.present == present:
            counts.unchanged += 1
            continue
        if row is None:
            row = Attendance(person_id=person_id, step_code=step_code)
            session.add(row)
            counts.created += 1
        else:
            counts.updated += 1
        row.present, row.source, row.recorded_by, row.recorded_at = present, source, actor, now
        entries.append(
            audit.entry(
                now,
                actor=actor,
                action="attendance.recorded",
                entity="attendance",
                person_id=person_id,
                round=step_code,
                present=present,
                source=source.value,
            )
        )
    await audit.record_all(session, entries)
    return counts


async def attendance_of(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, set[str]]:
    """The rounds each person attended (present), by person id."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(Attendance.person_id, Attendance.step_code).where(
            Attendance.present.is_(True), among(session, Attendance.person_id, list(person_ids))
        )
    )
    for person_id, code in rows:
        found[person_id].add(code)
    return found


async def recorded_rounds(session: AsyncSession, person_ids: Sequence[int]) -> set[str]:
    """The rounds anything was recorded for, for any of these people (present or not)."""
    rows = await session.scalars(
        select(Attendance.step_code)
        .where(among(session, Attendance.person_id, list(person_ids)))
        .distinct()
    )
    return set(rows)


async def cohort_members(session: AsyncSession, cohort_id: int) -> set[int]:
    """The ids of the cohort's team members (erased ones too: they were there)."""
    rows = await session.scalars(
        select(Person.id)
        .join(Jst, Person.jst_id == Jst.id)
        .where(Jst.cohort_id == cohort_id, Person.role == Role.MEMBER)
    )
    return set(rows)


async def team_attendance(
    session: AsyncSession, jst_ids: Sequence[int]
) -> dict[int, dict[str, list[tuple[str | None, bool]]]]:
    """JST id -> round -> each member recorded: their name (None once erased: the JST's record
    stays, the name goes) and whether they attended."""
    rows = await session.execute(
        select(
            Person.jst_id,
            Attendance.step_code,
            Person.full_name,
            Person.erased_at,
            Attendance.present,
        )
        .join(Attendance, Attendance.person_id == Person.id)
        .where(among(session, Person.jst_id, jst_ids))
        .order_by(Person.full_name, Person.id)
    )
    found: dict[int, dict[str, list[tuple[str | None, bool]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for jst_id, code, name, erased_at, present in rows:
        if jst_id is not None:  # the query asks for members of these JSTs only
            found[jst_id][code].append((None if erased_at else name, present))
    return found


async def round_codes_by_cohort(session: AsyncSession) -> dict[int, list[str]]:
    """Each cohort's training rounds, in order."""
    found: dict[int, list[str]] = defaultdict(list)
    for cohort_id, code in await session.execute(
        select(ProgrammeStep.cohort_id, ProgrammeStep.code)
        .where(ProgrammeStep.kind == TRAINING)
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
    ):
        found[cohort_id].append(code)
    return found


@dataclass(frozen=True)
class TeamMark:
    """A member of a JST's team and what is recorded of them in a round (None: nothing)."""

    person_id: int
    name: str
    present: bool | None


async def begun_rounds(session: AsyncSession, jst_id: int, today: dt.date) -> list[ProgrammeStep]:
    """The training rounds of the JST's cohort that have begun by `today`."""
    cohort_id = await session.scalar(select(Jst.cohort_id).where(Jst.id == jst_id))
    if cohort_id is None:
        return []
    return [step for step in await training_rounds(session, cohort_id) if step.starts_on <= today]


async def team_marks(session: AsyncSession, jst_id: int, step_code: str) -> list[TeamMark]:
    """The JST's team members (erased ones left out), by name, with their mark in the round."""
    rows = await session.execute(
        select(Person.id, Person.full_name, Attendance.present)
        .outerjoin(
            Attendance,
            (Attendance.person_id == Person.id) & (Attendance.step_code == step_code),
        )
        .where(Person.jst_id == jst_id, Person.role == Role.MEMBER, Person.erased_at.is_(None))
        .order_by(Person.full_name, Person.id)
    )
    return [TeamMark(person_id, name, present) for person_id, name, present in rows]
