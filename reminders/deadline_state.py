"""What the deadline ladder knows about the programme's tasks, as plain data read in one go.

`load_deadline_state` turns the database into these frozen dataclasses, so the planning
(reminders.deadlines) is a pure function that tests build by hand, without a database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cohorts import cohort_templates
from storage.models import (
    Jst,
    ProgrammeStep,
    TaskProgress,
    TaskState,
)
from storage.monitoring import Monitoring, monitoring_of
from storage.programme import ProgrammeTemplate
from storage.programme_calendar import TASK
from storage.rosters import (
    Duty,
    adviser_names,
    coordinator_ids,
    load_duties,
    member_ids_by_jst,
)

ONE_DAY = dt.timedelta(days=1)
# More than weekends and holidays can push a step (Christmas Eve to a Sunday is five days).
CALENDAR_SLACK_DAYS = 14


@dataclass(frozen=True)
class Ladder:
    """The template's [reminders] and [review] settings the ladder follows, in days."""

    days_before: tuple[int, ...]  # e.g. (14, 7, 1, 0), latest last
    alert_days: int
    first_review_days: int
    fix_days: int
    rereview_days: int

    def may_speak(self, task: TaskFacts, today: dt.date) -> bool:
        """False for a task whose reminders are all behind it for certain by `today` (a UTC
        date): accepted, or pending with its last step (the alert `alert_days` after the due
        date, then stale `alert_days` later) long past, however far the calendar moved it."""
        if task.state is TaskState.ACCEPTED:
            return False
        if task.state is not TaskState.PENDING:
            return True  # the review loop: few, and planned as they are
        return today <= task.due + (2 * self.alert_days + CALENDAR_SLACK_DAYS) * ONE_DAY

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


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """One task of one JST: its dates and where it stands in the review loop."""

    code: str
    title_pl: str
    title_en: str
    due_on: dt.date  # the programme's date; `due` honours an extension
    label_pl: str | None = None  # the short name sentences use
    label_en: str | None = None
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


@dataclass(frozen=True, slots=True)
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
    """Every JST whose cohort has a valid template, with its team, adviser and the tasks that
    may still send something at `now` or later (not accepted ones, nor long-past ones).

    Plain columns rather than ORM objects, and what JSTs share (a cohort's tasks and ladder)
    built once: a national tick reads 2,800 JSTs every minute.
    """
    templates, today = await cohort_templates(session), now.date()
    cohorts = await _cohort_tasks(session, templates, today)
    accepted = await _accepted(session)
    progress = await _progress(session)
    members = await member_ids_by_jst(session)
    duties = await load_duties(session)
    rows = (
        await session.execute(select(Jst.id, Jst.name, Jst.teryt, Jst.cohort_id).order_by(Jst.id))
    ).all()
    monitoring = await monitoring_of(session, [row.id for row in rows])
    jsts = []
    for jst_id, name, teryt, cohort_id in rows:
        if cohort_id not in templates:
            continue
        cohort = cohorts[cohort_id].dated(monitoring.get(jst_id), today)
        jsts.append(
            JstTasks(
                jst_id=jst_id,
                name=name,
                teryt=teryt,
                ladder=cohort.ladder,
                members=tuple(members[jst_id]),
                duty=duties.get(jst_id),
                tasks=cohort.tasks_of(progress.get(jst_id, {}), accepted.get(jst_id, ()), today),
            )
        )
    coordinators, names = await coordinator_ids(session), await adviser_names(session)
    return DeadlineState(now, tuple(jsts), coordinators, names)


@dataclass(frozen=True)
class _CohortTasks:
    """A cohort's ladder and tasks. A task nobody has touched speaks the same for every JST of
    the cohort (or, for the tasks after monitoring, of those whose monitoring has the same
    dates): `untouched` are those that may still speak, checked once."""

    ladder: Ladder
    by_code: dict[str, TaskFacts]
    untouched: tuple[TaskFacts, ...]
    _dated: dict[tuple[tuple[str, dt.date | None], ...], _CohortTasks] = field(
        default_factory=dict
    )

    def dated(self, monitoring: Monitoring | None, today: dt.date) -> _CohortTasks:
        """The tasks with a JST's own due dates (storage/monitoring.py); a task that waits for
        the JST's resolution has no date yet and is left out."""
        if monitoring is None or not monitoring.after:
            return self
        key = tuple(sorted(monitoring.after.items()))
        if key not in self._dated:
            own, by_code = dict(key), {}
            for code, facts in self.by_code.items():
                due = own.get(code, facts.due_on)
                if due is not None:
                    by_code[code] = facts if due == facts.due_on else replace(facts, due_on=due)
            untouched = tuple(f for f in by_code.values() if self.ladder.may_speak(f, today))
            self._dated[key] = _CohortTasks(self.ladder, by_code, untouched)
        return self._dated[key]

    def tasks_of(
        self, own: dict[str, list[Any]], accepted: Collection[str], today: dt.date
    ) -> tuple[TaskFacts, ...]:
        """A JST's tasks that may still speak, from its own rows (`own`: task -> its row)."""
        touched = (
            _progressed(self.by_code[code], row)
            for code, row in own.items()
            if code in self.by_code
        )
        tasks = [f for f in self.untouched if f.code not in own and f.code not in accepted]
        tasks += [facts for facts in touched if self.ladder.may_speak(facts, today)]
        return tuple(tasks)


async def _cohort_tasks(
    session: AsyncSession, templates: dict[int, ProgrammeTemplate], today: dt.date
) -> dict[int, _CohortTasks]:
    """The tasks of each cohort with a valid template and at least one task."""
    tasks: dict[int, list[TaskFacts]] = defaultdict(list)
    for step in await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.kind == TASK, ProgrammeStep.due_on.is_not(None))
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
    ):
        if step.cohort_id in templates:
            tasks[step.cohort_id].append(_facts(step, templates[step.cohort_id]))
    cohorts = {}
    for cohort_id, found in tasks.items():
        ladder = Ladder.of(templates[cohort_id])
        untouched = tuple(facts for facts in found if ladder.may_speak(facts, today))
        cohorts[cohort_id] = _CohortTasks(ladder, {f.code: f for f in found}, untouched)
    return cohorts


async def _accepted(session: AsyncSession) -> dict[int, set[str]]:
    """JST id -> the codes of its accepted tasks (which never speak again)."""
    accepted: dict[int, set[str]] = defaultdict(set)
    for jst_id, code in await session.execute(
        select(TaskProgress.jst_id, TaskProgress.step_code).where(
            TaskProgress.state == TaskState.ACCEPTED
        )
    ):
        accepted[jst_id].add(code)
    return accepted


async def _progress(session: AsyncSession) -> dict[int, dict[str, list[Any]]]:
    """JST id -> task -> its row (the columns `_progressed` reads), for tasks not accepted."""
    progress: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    for jst_id, code, *row in await session.execute(
        select(
            TaskProgress.jst_id,
            TaskProgress.step_code,
            TaskProgress.state,
            TaskProgress.extended_until,
            TaskProgress.updated_at,
            TaskProgress.submitted_at,
            TaskProgress.reviewed_at,
            TaskProgress.review_round,
        ).where(TaskProgress.state != TaskState.ACCEPTED)
    ):
        progress[jst_id][code] = row
    return progress


def _facts(step: ProgrammeStep, template: ProgrammeTemplate) -> TaskFacts:
    """A task as it stands for a JST with no progress on it (shared by those JSTs)."""
    assert step.due_on is not None, "selected with a due date"
    resolution_task = template.resolution_task()
    resolution = resolution_task is not None and resolution_task.code == step.code
    return TaskFacts(
        step.code,
        step.title_pl,
        step.title_en,
        step.due_on,
        step.label_pl,
        step.label_en,
        resolution,
    )


def _progressed(facts: TaskFacts, row: list[Any]) -> TaskFacts:
    """The JST's own state of the task, from its task_progress row."""
    state, extended_until, updated_at, submitted_at, reviewed_at, review_round = row
    extended = extended_until is not None and state is TaskState.PENDING
    return TaskFacts(  # not dataclasses.replace: thousands a tick, and it is slow
        facts.code,
        facts.title_pl,
        facts.title_en,
        facts.due_on,
        facts.label_pl,
        facts.label_en,
        facts.resolution,
        state=state,
        extended_until=extended_until,
        # a pending task's row changes only when it is extended (storage.tasks.extend_deadline)
        extended_at=updated_at if extended else None,
        submitted_at=submitted_at,
        reviewed_at=reviewed_at,
        review_round=review_round,
    )
