"""What the deadline ladder knows about the programme's tasks, as plain data read in one go.

`load_deadline_state` turns the database into these frozen dataclasses, so the planning
(reminders.deadlines) is a pure function that tests build by hand, without a database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AdviserAssignment,
    Cohort,
    Jst,
    Person,
    ProgrammeStep,
    Role,
    TaskProgress,
    TaskState,
)
from storage.programme import ProgrammeTemplate, template_from_dict
from storage.programme_calendar import TASK
from storage.programme_errors import TemplateInvalid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ladder:
    """The template's [reminders] and [review] settings the ladder follows, in days."""

    days_before: tuple[int, ...]  # e.g. (14, 7, 1, 0), latest last
    alert_days: int
    first_review_days: int
    fix_days: int
    rereview_days: int

    @classmethod
    def of(cls, template: ProgrammeTemplate) -> Ladder:
        review = template.review
        return cls(
            days_before=tuple(sorted(set(template.reminders.task_days_before), reverse=True)),
            alert_days=template.reminders.task_overdue_alert_days,
            first_review_days=review.first_review_days,
            fix_days=review.fix_days,
            rereview_days=review.rereview_days,
        )


@dataclass(frozen=True)
class StandIn:
    """A substitute adviser for a period (first and last local day, inclusive)."""

    person_id: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Duty:
    """Who advises a JST: the adviser, and a stand-in while they are away."""

    adviser_id: int
    stand_in: StandIn | None = None

    def on(self, day: dt.date) -> int:
        if self.stand_in is None:
            return self.adviser_id
        inside = self.stand_in.first <= day <= self.stand_in.last
        return self.stand_in.person_id if inside else self.adviser_id


@dataclass(frozen=True)
class TaskFacts:
    """One task of one JST: its dates and where it stands in the review loop."""

    code: str
    title_pl: str
    title_en: str
    due_on: dt.date  # the programme's date; `due` honours an extension
    resolution: bool = False
    state: TaskState = TaskState.PENDING
    extended_until: dt.date | None = None
    extended_at: dt.datetime | None = None  # when the extension was granted
    submitted_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    review_round: int = 0  # returns so far

    @property
    def due(self) -> dt.date:
        return self.extended_until or self.due_on


@dataclass(frozen=True)
class JstTasks:
    """A JST's tasks, its ladder, and whom to tell."""

    jst_id: int
    name: str
    teryt: str
    ladder: Ladder
    members: tuple[int, ...]
    duty: Duty | None
    tasks: tuple[TaskFacts, ...]


@dataclass(frozen=True)
class DeadlineState:
    now: dt.datetime
    jsts: tuple[JstTasks, ...]
    coordinators: tuple[int, ...]
    names: dict[int, str]  # adviser id -> full name, for the coordinators' alert


async def load_deadline_state(session: AsyncSession, now: dt.datetime) -> DeadlineState:
    """Every JST whose cohort has a valid template, with its tasks, team and adviser."""
    templates = await _templates(session)
    steps: dict[int, list[ProgrammeStep]] = defaultdict(list)
    for step in await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.kind == TASK, ProgrammeStep.due_on.is_not(None))
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
    ):
        steps[step.cohort_id].append(step)
    progress = {(p.jst_id, p.step_code): p for p in await session.scalars(select(TaskProgress))}
    members: dict[int | None, list[int]] = defaultdict(list)
    for person_id, jst_id in await session.execute(
        select(Person.id, Person.jst_id)
        .where(Person.role == Role.MEMBER, Person.erased_at.is_(None))
        .order_by(Person.id)
    ):
        members[jst_id].append(person_id)
    duties = {a.jst_id: _duty(a) for a in await session.scalars(select(AdviserAssignment))}
    jsts = [
        JstTasks(
            jst_id=jst.id,
            name=jst.name,
            teryt=jst.teryt,
            ladder=Ladder.of(templates[jst.cohort_id]),
            members=tuple(members[jst.id]),
            duty=duties.get(jst.id),
            tasks=tuple(
                _facts(step, progress.get((jst.id, step.code)), templates[jst.cohort_id])
                for step in steps[jst.cohort_id]
            ),
        )
        for jst in await session.scalars(select(Jst).order_by(Jst.id))
        if jst.cohort_id in templates
    ]
    coordinators, names = await coordinators_and_advisers(session)
    return DeadlineState(now, tuple(jsts), coordinators, names)


async def coordinators_and_advisers(
    session: AsyncSession,
) -> tuple[tuple[int, ...], dict[int, str]]:
    """Who gets the e-mail alerts, and each adviser's name for them to read."""
    coordinators = await session.scalars(
        select(Person.id)
        .where(Person.role == Role.COORDINATOR, Person.erased_at.is_(None))
        .order_by(Person.id)
    )
    advisers = await session.execute(
        select(Person.id, Person.full_name).where(Person.role == Role.ADVISER)
    )
    return tuple(coordinators), {person_id: name for person_id, name in advisers}


async def _templates(session: AsyncSession) -> dict[int, ProgrammeTemplate]:
    """Each cohort's template; one that no longer validates is left out, not the whole tick."""
    templates = {}
    for cohort in await session.scalars(select(Cohort)):
        try:
            templates[cohort.id] = template_from_dict(cohort.template)
        except TemplateInvalid:
            log.warning("cohort %s has an invalid template: no task reminders", cohort.name)
    return templates


def _duty(assignment: AdviserAssignment) -> Duty:
    first, last = assignment.substitute_from, assignment.substitute_until
    if assignment.substitute_id is None or first is None or last is None:
        return Duty(assignment.adviser_id)
    return Duty(assignment.adviser_id, StandIn(assignment.substitute_id, first, last))


def _facts(
    step: ProgrammeStep, row: TaskProgress | None, template: ProgrammeTemplate
) -> TaskFacts:
    assert step.due_on is not None, "selected with a due date"
    resolution = any(task.code == step.code and task.resolution for task in template.task)
    facts = TaskFacts(step.code, step.title_pl, step.title_en, step.due_on, resolution)
    if row is None:
        return facts
    extended = row.extended_until is not None and row.state is TaskState.PENDING
    return replace(
        facts,
        state=row.state,
        extended_until=row.extended_until,
        # a pending task's row changes only when it is extended (storage.tasks.extend_deadline)
        extended_at=row.updated_at if extended else None,
        submitted_at=row.submitted_at,
        reviewed_at=row.reviewed_at,
        review_round=row.review_round,
    )
