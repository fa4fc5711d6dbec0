"""A team's context as plain view data: phase, deadlines, this month's report, open questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AdviserAssignment,
    Cohort,
    Jst,
    MonthlyReport,
    Person,
    ProgrammeStep,
    Question,
    QuestionState,
    TaskProgress,
    TaskState,
)
from storage.task_views import HISTORY_LIMIT, TaskChange, task_history

STEP_TASK = "task"
STEP_REPORT = "report"
REPORT_MISSING = "missing"


@dataclass(frozen=True)
class StepView:
    code: str
    title_pl: str
    title_en: str


TEAM_MUST_ACT = frozenset({TaskState.PENDING, TaskState.RETURNED})  # submitted: the adviser


@dataclass(frozen=True)
class TaskView:
    code: str
    title_pl: str
    title_en: str
    due_on: dt.date
    extended: bool
    state: str
    overdue: bool


@dataclass(frozen=True)
class ReportView:
    code: str
    period_start: dt.date
    due_on: dt.date
    state: str


@dataclass(frozen=True)
class TeamView:
    jst_id: int
    jst_name: str
    teryt: str
    cohort: str
    adviser: str | None
    phase: StepView | None
    tasks: tuple[TaskView, ...]
    report: ReportView | None
    open_questions: int
    history: tuple[TaskChange, ...] = ()  # who did what on the tasks, newest first

    @property
    def upcoming(self) -> tuple[TaskView, ...]:
        """Tasks not yet accepted, overdue first, then by due date."""
        return tuple(t for t in self.tasks if t.state != TaskState.ACCEPTED)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)


async def team_view(session: AsyncSession, jst_id: int, today: dt.date) -> TeamView:
    """Everything /status and /zadania show, for one JST only."""
    jst = await session.get_one(Jst, jst_id)
    cohort = await session.get_one(Cohort, jst.cohort_id)
    steps = (
        await session.scalars(
            select(ProgrammeStep)
            .where(ProgrammeStep.cohort_id == cohort.id)
            .order_by(ProgrammeStep.position)
        )
    ).all()
    progress = {
        p.step_code: p
        for p in await session.scalars(select(TaskProgress).where(TaskProgress.jst_id == jst_id))
    }
    return TeamView(
        jst_id=jst.id,
        jst_name=jst.name,
        teryt=jst.teryt,
        cohort=cohort.name,
        adviser=await _adviser_name(session, jst_id, today),
        phase=_current_phase(steps, today),
        tasks=_tasks(steps, progress, today),
        report=await _current_report(session, jst_id, steps, today),
        open_questions=await session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.jst_id == jst_id, Question.state == QuestionState.OPEN)
        )
        or 0,
        history=tuple(await task_history(session, jst_id, limit=HISTORY_LIMIT)),
    )


def _current_phase(steps: Sequence[ProgrammeStep], today: dt.date) -> StepView | None:
    for step in steps:
        if step.due_on is None and step.starts_on <= today <= step.ends_on:
            return StepView(step.code, step.title_pl, step.title_en)
    return None


def _tasks(
    steps: Sequence[ProgrammeStep], progress: dict[str, TaskProgress], today: dt.date
) -> tuple[TaskView, ...]:
    views = []
    for step in steps:
        if step.kind != STEP_TASK or step.due_on is None:
            continue
        row = progress.get(step.code)
        state = row.state if row else TaskState.PENDING
        due = row.extended_until if row and row.extended_until else step.due_on
        views.append(
            TaskView(
                code=step.code,
                title_pl=step.title_pl,
                title_en=step.title_en,
                due_on=due,
                extended=bool(row and row.extended_until),
                state=state.value,
                overdue=state in TEAM_MUST_ACT and due < today,
            )
        )
    return tuple(sorted(views, key=lambda t: t.due_on))


async def _current_report(
    session: AsyncSession, jst_id: int, steps: Sequence[ProgrammeStep], today: dt.date
) -> ReportView | None:
    """The report of the latest month that has ended (the one being collected now)."""
    ended = [s for s in steps if s.kind == STEP_REPORT and s.due_on and s.ends_on < today]
    if not ended:
        return None
    step = ended[-1]
    assert step.due_on is not None
    report = await session.scalar(
        select(MonthlyReport).where(
            MonthlyReport.jst_id == jst_id, MonthlyReport.step_code == step.code
        )
    )
    state = report.state.value if report else REPORT_MISSING
    return ReportView(step.code, step.starts_on, step.due_on, state)


async def _adviser_name(session: AsyncSession, jst_id: int, today: dt.date) -> str | None:
    assignment = await session.scalar(
        select(AdviserAssignment).where(AdviserAssignment.jst_id == jst_id)
    )
    if assignment is None:
        return None
    adviser = await session.get_one(Person, assignment.adviser_on_duty(today))
    return adviser.full_name
