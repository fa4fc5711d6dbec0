"""A team's context as plain view data: phase, deadlines, this month's report, open questions."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Row, func, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.attendance import team_attendance
from storage.db import newest_per
from storage.models import (
    AdviserAssignment,
    Cohort,
    Jst,
    MonthlyReport,
    Person,
    ProgrammeStep,
    Question,
    QuestionState,
    TaskEvent,
    TaskProgress,
    TaskState,
)
from storage.monitoring import (
    CohortPlan,
    Monitoring,
    adopted_in,
    cohort_plans,
    extensions_in,
    monitorings,
    resolution_codes,
)
from storage.programme import TRAINING
from storage.programme_calendar import CalendarStep
from storage.round_views import RoundView, next_round, rounds_by_cohort
from storage.tasks.views import HISTORY_LIMIT, TaskChange, task_changes

STEP_TASK = "task"
# A task's progress as the views read it: plain rows, not ORM objects (thousands at a time).
PROGRESS = (
    TaskProgress.jst_id,
    TaskProgress.step_code,
    TaskProgress.state,
    TaskProgress.extended_until,
    TaskProgress.resolution_number,
    TaskProgress.resolution_date,
    TaskProgress.resolution_link,
)
Progress = Row[int, str, TaskState, dt.date | None, str | None, dt.date | None, str | None]
# A programme step as the views read it (the same for every JST of its cohort).
STEP = (
    ProgrammeStep.cohort_id,
    ProgrammeStep.code,
    ProgrammeStep.kind,
    ProgrammeStep.title_pl,
    ProgrammeStep.title_en,
    ProgrammeStep.starts_on,
    ProgrammeStep.ends_on,
    ProgrammeStep.due_on,
    ProgrammeStep.label_pl,
    ProgrammeStep.label_en,
)
Step = Row[int, str, str, str, str, dt.date, dt.date, dt.date | None, str | None, str | None]
JstRow = Row[int, str, str, int, str, int]  # id, name, teryt, cohort id, cohort's name, version
REPORT_MISSING = "missing"
VIEWS_KEPT = 500  # team views a process keeps (TeamViews): a few MB, the busiest JSTs'


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
    label_pl: str | None
    label_en: str | None
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
class ResolutionView:
    """The council's resolution adopting the plan, as the adviser confirmed it."""

    number: str
    adopted_on: dt.date
    link: str | None


@dataclass(frozen=True)
class MonitoringView:
    """Where a JST's monitoring stands: its first report month once started; else the
    resolution it waits for (its due date) when reports start with the resolution."""

    first_month: dt.date | None
    resolution_due: dt.date | None


@dataclass(frozen=True)
class RoundAttendance:
    """A training round held so far (its phase has begun) and who of the team attended it;
    `recorded`: anything was recorded for the team (else nobody knows yet)."""

    code: str
    title_pl: str
    title_en: str
    starts_on: dt.date
    ends_on: dt.date
    attended: tuple[str, ...]  # the names of those present (an erased person's is gone)
    present: int  # how many were present, erased people included
    recorded: bool
    ended: bool  # its phase is over (yesterday or earlier)


class _WithTasks:
    """What the tasks of a view tell at a glance."""

    tasks: tuple[TaskView, ...]

    @property
    def upcoming(self) -> tuple[TaskView, ...]:
        """Tasks not yet accepted, overdue first, then by due date."""
        return tuple(t for t in self.tasks if t.state != TaskState.ACCEPTED)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)


@dataclass(frozen=True)
class TaskContext(_WithTasks):
    """Where a JST stands on the programme, for a message about it (the adviser's copy of a
    question): what `team_view` shows of its phase and tasks, read in two statements where the
    whole view takes five."""

    jst_name: str
    teryt: str
    phase: StepView | None
    tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class TeamView(_WithTasks):
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
    next_round: RoundView | None = None  # the next training round with a date
    resolution: ResolutionView | None = None  # once the adviser confirmed it
    monitoring: MonitoringView | None = None
    attendance: tuple[RoundAttendance, ...] = ()  # the training rounds begun so far

    @property
    def unrecorded_rounds(self) -> tuple[RoundAttendance, ...]:
        """Training rounds over with nothing recorded of who of the team attended."""
        return tuple(r for r in self.attendance if r.ended and not r.recorded)

    @property
    def attendance_missing(self) -> int:
        return len(self.unrecorded_rounds)


@dataclass(frozen=True)
class CohortParts:
    """What the views of a cohort's JSTs share, read once for all of them: its name, steps
    (`STEP`'s columns, in order), plan (None when its template no longer validates), report
    months as stored, and training rounds."""

    version: int
    name: str
    steps: tuple[Step, ...]
    plan: CohortPlan | None
    stored: tuple[CalendarStep, ...]
    rounds: tuple[RoundView, ...]


class TeamViews:
    """The team views one process built (`Services.views`), each kept under the data versions
    of its JST and cohort (migration 0014: the database moves them on at every change a view
    shows, whoever writes), and reused while they stand: /status then reads the caller's row
    and nothing else. The versions come from the caller's read (storage.people.CallerReads),
    made before the view's: a view built meanwhile holds changes newer than its versions,
    never older, so the next read of newer versions builds it again. At most `size` views,
    the least recently used dropped; and each cohort's shared parts, under its version."""

    def __init__(self, size: int = VIEWS_KEPT) -> None:
        self._size = size
        self._views: OrderedDict[tuple[int, dt.date, bool], tuple[tuple[int, int], TeamView]] = (
            OrderedDict()
        )
        self._cohorts: dict[int, CohortParts] = {}

    async def view(
        self,
        session: AsyncSession,
        jst_id: int,
        today: dt.date,
        versions: tuple[int, int] | None,
        *,
        history: bool = False,
    ) -> TeamView:
        """The JST's view as `team_view` builds it; the one kept when built under `versions`."""
        key = (jst_id, today, history)
        kept = self._views.get(key)
        if kept is not None and versions is not None and kept[0] == versions:
            self._views.move_to_end(key)
            return kept[1]
        view = await team_view(session, jst_id, today, history=history, kept=self)
        if versions is not None:
            self._views[key] = (versions, view)
            self._views.move_to_end(key)
            if len(self._views) > self._size:
                self._views.popitem(last=False)
        return view

    async def cohorts(
        self, session: AsyncSession, versions: Mapping[int, tuple[str, int]]
    ) -> dict[int, CohortParts]:
        """Each cohort's shared parts (`versions`: cohort id -> its name and data version):
        those kept under the same version, the others read, in four queries however many."""
        stale = [
            cohort_id
            for cohort_id, (_, version) in versions.items()
            if (kept := self._cohorts.get(cohort_id)) is None or kept.version != version
        ]
        if stale:
            steps: dict[int, list[Step]] = defaultdict(list)
            for row in await session.execute(
                select(*STEP)
                .where(ProgrammeStep.cohort_id.in_(stale))
                .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
            ):
                steps[row.cohort_id].append(row)
            plans, stored = await cohort_plans(session, stale)
            rounds = await rounds_by_cohort(session, stale)
            for cohort_id in stale:
                name, version = versions[cohort_id]
                self._cohorts[cohort_id] = CohortParts(
                    version,
                    name,
                    tuple(steps[cohort_id]),
                    plans.get(cohort_id),
                    stored[cohort_id],
                    tuple(rounds.get(cohort_id, ())),
                )
        return {cohort_id: self._cohorts[cohort_id] for cohort_id in versions}


async def team_view(
    session: AsyncSession,
    jst_id: int,
    today: dt.date,
    *,
    history: bool = False,
    kept: TeamViews | None = None,
) -> TeamView:
    """Everything /status and /zadania show, for one JST only; who did what on the tasks only
    with `history` (/zadania shows it, the rest do not: a query fewer)."""
    (view,) = await team_views(session, [jst_id], today, history=history, kept=kept)
    return view


async def team_views(
    session: AsyncSession,
    jst_ids: Sequence[int],
    today: dt.date,
    *,
    history: bool = False,
    kept: TeamViews | None = None,
) -> list[TeamView]:
    """The views of these JSTs, in their order, read in the same few queries however many
    there are (the weekly digest shows every JST of the country); their task histories only
    with `history`. `kept`: the process's, whose cohort parts are reused while they stand."""
    jsts, cohorts, progress, monitoring = await _read_tasks(session, jst_ids, kept)
    report_steps = {jst_id: _report_step(monitoring.get(jst_id), today) for jst_id in jsts}
    reports = await _reports(session, report_steps)
    advisers = await _adviser_names(session, jsts, today)
    open_questions = await _open_questions(session, jsts)
    histories = await _histories(session, jsts) if history else {}
    attendance = await team_attendance(session, list(jsts))
    views = []
    for jst_id in jst_ids:
        jst = jsts[jst_id]
        parts, own = cohorts[jst.cohort_id], monitoring.get(jst_id)
        views.append(
            TeamView(
                jst_id=jst.id,
                jst_name=jst.name,
                teryt=jst.teryt,
                cohort=parts.name,
                adviser=advisers.get(jst_id),
                phase=_current_phase(parts.steps, today),
                tasks=_tasks(parts.steps, progress[jst_id], own, today),
                report=_report_view(report_steps[jst_id], reports.get(jst_id)),
                open_questions=open_questions.get(jst_id, 0),
                history=histories.get(jst_id, ()),
                next_round=next_round(parts.rounds, today),
                resolution=_confirmed_resolution(progress[jst_id].values()),
                monitoring=_monitoring_view(own),
                attendance=_attendance(parts.steps, attendance.get(jst_id, {}), today),
            )
        )
    return views


async def task_context(
    session: AsyncSession, jst_id: int, today: dt.date, *, kept: TeamViews | None = None
) -> TaskContext:
    """The JST's phase and tasks today, as its team view has them."""
    jsts, cohorts, progress, monitoring = await _read_tasks(session, [jst_id], kept)
    jst = jsts[jst_id]
    steps = cohorts[jst.cohort_id].steps
    return TaskContext(
        jst_name=jst.name,
        teryt=jst.teryt,
        phase=_current_phase(steps, today),
        tasks=_tasks(steps, progress[jst_id], monitoring.get(jst_id), today),
    )


class _TaskParts(NamedTuple):
    """What every view of tasks is built from."""

    jsts: dict[int, JstRow]
    cohorts: dict[int, CohortParts]
    progress: dict[int, dict[str, Progress]]  # by JST, then by the task's code
    monitoring: dict[int, Monitoring]


async def _read_tasks(
    session: AsyncSession, jst_ids: Sequence[int], kept: TeamViews | None
) -> _TaskParts:
    """The JSTs, their cohorts' shared parts (kept ones reused), their tasks' progress and where
    their monitoring stands, in two statements."""
    jsts, versions = await _jsts(session, set(jst_ids))
    cohorts = await (kept or TeamViews()).cohorts(session, versions)
    progress: dict[int, dict[str, Progress]] = defaultdict(dict)
    rows = (await session.execute(select(*PROGRESS).where(TaskProgress.jst_id.in_(jsts)))).all()
    for row in rows:
        progress[row.jst_id][row.step_code] = row
    of_cohort = {jst_id: jst.cohort_id for jst_id, jst in jsts.items()}
    plans = {c: parts.plan for c, parts in cohorts.items() if parts.plan is not None}
    codes = resolution_codes(of_cohort, plans)
    stored = {cohort_id: parts.stored for cohort_id, parts in cohorts.items()}
    monitoring = monitorings(
        of_cohort, plans, stored, adopted_in(rows, codes), extensions_in(rows)
    )
    return _TaskParts(jsts, cohorts, progress, monitoring)


def _confirmed_resolution(rows: Iterable[Progress]) -> ResolutionView | None:
    """The resolution recorded with a task the adviser accepted (only that task holds one)."""
    for row in rows:
        if row.state == TaskState.ACCEPTED and row.resolution_number and row.resolution_date:
            return ResolutionView(row.resolution_number, row.resolution_date, row.resolution_link)
    return None


async def _jsts(
    session: AsyncSession, ids: set[int]
) -> tuple[dict[int, JstRow], dict[int, tuple[str, int]]]:
    """The JSTs by id, and their cohorts' names and data versions by cohort id; an id with no
    row is an error, as `session.get_one` makes it."""
    rows = await session.execute(
        select(
            Jst.id,
            Jst.name,
            Jst.teryt,
            Jst.cohort_id,
            Cohort.name.label("cohort_name"),
            Cohort.data_version,
        )
        .join(Cohort, Cohort.id == Jst.cohort_id)
        .where(Jst.id.in_(ids))
    )
    found, cohorts = {}, {}
    for row in rows:
        found[row.id] = row
        cohorts[row.cohort_id] = (row.cohort_name, row.data_version)
    if len(found) != len(ids):
        raise NoResultFound(f"no Jst with id in {sorted(ids - set(found))}")
    return found, cohorts


def _current_phase(steps: Sequence[Step], today: dt.date) -> StepView | None:
    for step in steps:
        if step.due_on is None and step.starts_on <= today <= step.ends_on:
            return StepView(step.code, step.title_pl, step.title_en)
    return None


def _tasks(
    steps: Sequence[Step],
    progress: dict[str, Progress],
    monitoring: Monitoring | None,
    today: dt.date,
) -> tuple[TaskView, ...]:
    """The tasks with their due dates for this JST: an extension, else the date its
    monitoring gives (a task waiting for the resolution shows the planned date, never late)."""
    views = []
    for step in steps:
        if step.kind != STEP_TASK or step.due_on is None:
            continue
        row = progress.get(step.code)
        state = row.state if row else TaskState.PENDING
        extended = row.extended_until if row else None
        due = monitoring.task_due(step.code, step.due_on, extended) if monitoring else step.due_on
        views.append(
            TaskView(
                code=step.code,
                title_pl=step.title_pl,
                title_en=step.title_en,
                label_pl=step.label_pl,
                label_en=step.label_en,
                due_on=due or step.due_on,
                extended=extended is not None,
                state=state.value,
                overdue=state in TEAM_MUST_ACT and due is not None and due < today,
            )
        )
    return tuple(sorted(views, key=lambda t: t.due_on))


def _attendance(
    steps: Sequence[Step],
    attendance: dict[str, list[tuple[str | None, bool]]],
    today: dt.date,
) -> tuple[RoundAttendance, ...]:
    """The rounds begun by `today`; `attendance`: round -> (member's name, present)."""
    return tuple(
        RoundAttendance(
            code=step.code,
            title_pl=step.title_pl,
            title_en=step.title_en,
            starts_on=step.starts_on,
            ends_on=step.ends_on,
            attended=tuple(
                name for name, present in attendance.get(step.code, []) if present and name
            ),
            present=sum(present for _, present in attendance.get(step.code, [])),
            recorded=step.code in attendance,
            ended=step.ends_on < today,
        )
        for step in steps
        if step.kind == TRAINING and step.starts_on <= today
    )


def _report_step(monitoring: Monitoring | None, today: dt.date) -> CalendarStep | None:
    """The report of the latest month that has ended (the one being collected now)."""
    ended = monitoring.ended(today) if monitoring else ()
    return ended[-1] if ended else None


def _report_view(step: CalendarStep | None, report: MonthlyReport | None) -> ReportView | None:
    if step is None:
        return None
    assert step.due_on is not None
    state = report.state.value if report else REPORT_MISSING
    return ReportView(step.code, step.starts_on, step.due_on, state)


def _monitoring_view(monitoring: Monitoring | None) -> MonitoringView | None:
    if monitoring is None:
        return None
    first = monitoring.reports[0].starts_on if monitoring.reports else None
    return MonitoringView(first, monitoring.resolution_due if monitoring.waiting else None)


async def _reports(
    session: AsyncSession, steps: dict[int, CalendarStep | None]
) -> dict[int, MonthlyReport]:
    """Each JST's report of its current report month, by JST id."""
    codes = {step.code for step in steps.values() if step is not None}
    if not codes:
        return {}
    rows = await session.scalars(
        select(MonthlyReport).where(
            MonthlyReport.jst_id.in_(steps), MonthlyReport.step_code.in_(codes)
        )
    )
    return {
        row.jst_id: row
        for row in rows
        if (step := steps[row.jst_id]) is not None and step.code == row.step_code
    }


async def _adviser_names(
    session: AsyncSession, jsts: Mapping[int, object], today: dt.date
) -> dict[int, str]:
    """JST id -> the name of its adviser on duty today (the rule is the assignment's own), the
    names read with the assignments."""
    adviser, substitute = aliased(Person), aliased(Person)
    rows = await session.execute(
        select(AdviserAssignment, adviser.full_name, substitute.full_name)
        .join(adviser, adviser.id == AdviserAssignment.adviser_id)
        .outerjoin(substitute, substitute.id == AdviserAssignment.substitute_id)
        .where(AdviserAssignment.jst_id.in_(jsts))
    )
    names: dict[int, str] = {}
    for assignment, adviser_name, substitute_name in rows:
        by_id = {assignment.adviser_id: adviser_name, assignment.substitute_id: substitute_name}
        names[assignment.jst_id] = by_id[assignment.adviser_on_duty(today)]
    return names


async def _open_questions(session: AsyncSession, jsts: Mapping[int, object]) -> dict[int, int]:
    rows = await session.execute(
        select(Question.jst_id, func.count())
        .where(Question.jst_id.in_(jsts), Question.state == QuestionState.OPEN)
        .group_by(Question.jst_id)
    )
    return {jst_id: count for jst_id, count in rows}


async def _histories(
    session: AsyncSession, jsts: Mapping[int, object]
) -> dict[int, tuple[TaskChange, ...]]:
    """The last HISTORY_LIMIT changes of each JST's tasks, newest first."""
    newest_first = (TaskEvent.at.desc(), TaskEvent.id.desc())
    latest = newest_per(TaskEvent.id, TaskEvent.jst_id, newest_first, TaskEvent.jst_id.in_(jsts))
    events = await session.scalars(
        select(TaskEvent)
        .join(latest, latest.c.id == TaskEvent.id)
        .where(latest.c.rank <= HISTORY_LIMIT)
        .order_by(TaskEvent.jst_id, *newest_first)
    )
    found: dict[int, list[TaskChange]] = defaultdict(list)
    for change in await task_changes(session, list(events)):
        found[change.jst_id].append(change)
    return {jst_id: tuple(changes) for jst_id, changes in found.items()}
