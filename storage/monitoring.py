"""Each JST's monitoring: when its council adopted the plan, its report months, and the due
dates of the tasks that follow monitoring (the good-practice description, dissemination).

With `monitoring.starts = "resolution"` (the default) a JST's reports start the month after
its resolution (`adopted_on`); a JST without one is asked for no report, and the tasks after
monitoring wait for it (no date of their own: views show the cohort's planned date, the
deadline ladder plans nothing). With `"phase"` (and for a cohort whose template no longer
validates) every JST of the cohort has the report months stored with the cohort's calendar,
and its tasks their stored due dates. Every reader of a report month or of a task's due date
goes through `monitoring_of` / `Monitoring.task_due`, so the rule is written once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Jst, ProgrammeStep, TaskProgress, TaskState
from storage.programme import ProgrammeTemplate, template_from_dict
from storage.programme_calendar import (
    REPORT,
    CalendarStep,
    compute_calendar,
    monitoring_steps,
    month_after,
)
from storage.programme_errors import TemplateInvalid

# A resolution counts once the JST has recorded it (/uchwala) and until the adviser returns it:
# the council's vote is a fact the team reports, and waiting for the adviser's confirmation
# would hold the first report back by the review's days. A returned resolution stops the
# monitoring until it is recorded again (the reports already sent are kept).
COUNTED = (TaskState.SUBMITTED, TaskState.ACCEPTED)
# The columns of a task's row the rules read (a view reads them with the rest of the row).
RESOLUTION = (
    TaskProgress.jst_id,
    TaskProgress.step_code,
    TaskProgress.state,
    TaskProgress.resolution_date,
)
EXTENSION = (TaskProgress.jst_id, TaskProgress.step_code, TaskProgress.extended_until)


class Resolution(Protocol):
    jst_id: int
    step_code: str
    state: TaskState
    resolution_date: dt.date | None


class Extension(Protocol):
    jst_id: int
    step_code: str
    extended_until: dt.date | None


@dataclass(frozen=True)
class Monitoring:
    """One JST's monitoring. `reports`: its report months in order (empty: not started);
    `after`: the tasks that follow monitoring, each with its due date for this JST (None: it
    waits for the resolution); `resolution_due`: the resolution task's due date (extension
    honoured) when monitoring waits for it."""

    jst_id: int
    by_resolution: bool
    adopted_on: dt.date | None
    resolution_due: dt.date | None
    reports: tuple[CalendarStep, ...]
    after: Mapping[str, dt.date | None] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        """Monitoring starts with the resolution, which has not been recorded."""
        return self.by_resolution and self.adopted_on is None

    def task_due(
        self, code: str, planned: dt.date, extended: dt.date | None = None
    ) -> dt.date | None:
        """A task's due date for this JST: the extension it was given, else the programme's
        date (`planned`) or the one counted from this JST's monitoring; None while that waits
        for the resolution. Every reader of a task's due date asks here."""
        return extended or self.after.get(code, planned)

    def report(self, code: str) -> CalendarStep | None:
        return next((step for step in self.reports if step.code == code), None)

    def ended(self, today: dt.date) -> tuple[CalendarStep, ...]:
        """The report months that have ended by `today`, R01 first."""
        return tuple(step for step in self.reports if step.ends_on < today)


async def adopted_on(
    session: AsyncSession, resolution_codes: Mapping[int, str]
) -> dict[int, dt.date]:
    """JST id -> the day its council adopted the plan, for those (of `resolution_codes`: JST
    id -> the code of its programme's resolution task) whose resolution counts."""
    rows = await session.execute(
        select(*RESOLUTION).where(
            TaskProgress.jst_id.in_(list(resolution_codes)),
            TaskProgress.resolution_date.is_not(None),
            TaskProgress.state.in_(COUNTED),
        )
    )
    return adopted_in(rows, resolution_codes)


def adopted_in(
    rows: Iterable[Resolution], resolution_codes: Mapping[int, str]
) -> dict[int, dt.date]:
    """JST id -> the day its council adopted the plan, from its tasks' rows (`RESOLUTION`'s
    columns, or more): the one place that decides when monitoring may start (`COUNTED`)."""
    return {
        row.jst_id: row.resolution_date
        for row in rows
        if row.resolution_date is not None
        and row.state in COUNTED
        and resolution_codes.get(row.jst_id) == row.step_code
    }


def extensions_in(rows: Iterable[Extension]) -> dict[int, dict[str, dt.date]]:
    """JST id -> task code -> the extension it was given, from its tasks' rows."""
    found: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for row in rows:
        if row.extended_until is not None:
            found[row.jst_id][row.step_code] = row.extended_until
    return found


async def monitoring_of(session: AsyncSession, jst_ids: Collection[int]) -> dict[int, Monitoring]:
    """The monitoring of each of these JSTs. A cohort monitored by phase, or whose template no
    longer validates, has its stored calendar's report months for every JST."""
    ids = list(jst_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Jst.id, Jst.cohort_id).where(Jst.id.in_(ids)))
    jsts: dict[int, int] = {jst_id: cohort_id for jst_id, cohort_id in rows}
    plans, stored = await cohort_plans(session, set(jsts.values()))
    codes = resolution_codes(jsts, plans)
    adopted = await adopted_on(session, codes)
    extended = await _extensions(session, codes)
    return monitorings(jsts, plans, stored, adopted, extended)


def resolution_codes(jsts: Mapping[int, int], plans: Mapping[int, CohortPlan]) -> dict[int, str]:
    """JST id -> the code of its programme's resolution task (`jsts`: JST id -> cohort id)."""
    return {
        jst_id: plan.resolution
        for jst_id, cohort_id in jsts.items()
        if (plan := plans.get(cohort_id)) is not None and plan.resolution is not None
    }


def monitorings(
    jsts: Mapping[int, int],
    plans: Mapping[int, CohortPlan],
    stored: Mapping[int, tuple[CalendarStep, ...]],
    adopted: Mapping[int, dt.date],
    extended: Mapping[int, Mapping[str, dt.date]],
) -> dict[int, Monitoring]:
    """Each JST's monitoring (`jsts`: JST id -> cohort id) from its cohort's plan, or the
    cohort's stored report months when its template does not validate."""
    found = {}
    for jst_id, cohort_id in jsts.items():
        plan = plans.get(cohort_id)
        if plan is None:
            found[jst_id] = Monitoring(jst_id, False, None, None, stored[cohort_id])
        else:
            found[jst_id] = plan.of(jst_id, adopted.get(jst_id), extended.get(jst_id))
    return found


async def cohort_plans(
    session: AsyncSession, cohort_ids: Collection[int]
) -> tuple[dict[int, CohortPlan], dict[int, tuple[CalendarStep, ...]]]:
    """Each cohort's plan (of those whose template validates: the others are logged by
    storage.cohorts.cohort_templates) and each one's report months as stored."""
    stored = await _stored_reports(session, cohort_ids)
    plans = {}
    for cohort in await session.scalars(select(Cohort).where(Cohort.id.in_(stored))):
        try:
            template = template_from_dict(cohort.template)
        except TemplateInvalid:
            continue
        plans[cohort.id] = CohortPlan(template, cohort.start_date, stored[cohort.id])
    return plans, stored


async def _stored_reports(
    session: AsyncSession, cohort_ids: Collection[int]
) -> dict[int, tuple[CalendarStep, ...]]:
    """Each cohort's report steps as stored with its calendar, R01 first."""
    found: dict[int, list[CalendarStep]] = {cohort_id: [] for cohort_id in cohort_ids}
    for step in await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.cohort_id.in_(list(cohort_ids)), ProgrammeStep.kind == REPORT)
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.starts_on)
    ):
        found[step.cohort_id].append(
            CalendarStep(
                step.position,
                step.code,
                step.kind,
                step.title_pl,
                step.title_en,
                step.starts_on,
                step.ends_on,
                step.due_on,
            )
        )
    return {cohort_id: tuple(steps) for cohort_id, steps in found.items()}


async def _extensions(
    session: AsyncSession, resolution_codes: Mapping[int, str]
) -> dict[int, dict[str, dt.date]]:
    """JST id -> task code -> the extension it was given (the resolution's is read)."""
    return extensions_in(
        await session.execute(
            select(*EXTENSION).where(
                TaskProgress.jst_id.in_(list(resolution_codes)),
                TaskProgress.extended_until.is_not(None),
            )
        )
    )


_Dated = tuple[tuple[CalendarStep, ...], dict[str, dt.date | None]]


class CohortPlan:
    """A cohort's template and start, and the monitoring of each first month asked (JSTs
    adopting in the same month share it): `of` is the rule, pure, for a JST's adoption day.
    `stored`: the cohort's report months as stored with its calendar (what a cohort monitored
    by phase has, for every JST)."""

    def __init__(
        self, template: ProgrammeTemplate, start: dt.date, stored: tuple[CalendarStep, ...]
    ) -> None:
        self.template = template
        self.stored = stored
        self.by_resolution = template.monitoring.starts == "resolution"
        resolution = template.resolution_task()
        self.resolution = resolution.code if resolution else None
        self.resolution_due = next(
            (s.due_on for s in compute_calendar(template, start) if s.code == self.resolution),
            None,
        )
        self.after_codes = tuple(t.code for t in template.task if t.due_after is not None)
        self._months: dict[dt.date, _Dated] = {}

    def dated(self, first: dt.date) -> _Dated:
        """The reports from `first` on, and the due dates of the tasks after them."""
        if first not in self._months:
            steps = monitoring_steps(self.template, first)
            self._months[first] = (
                tuple(s for s in steps if s.kind == REPORT),
                {s.code: s.due_on for s in steps if s.kind != REPORT},
            )
        return self._months[first]

    def of(
        self, jst_id: int, adopted: dt.date | None, extended: Mapping[str, dt.date] | None
    ) -> Monitoring:
        """The JST's monitoring, given the day its resolution counts from (None: none yet) and
        its tasks' extensions (the resolution's moves the date monitoring waits for)."""
        if not self.by_resolution:
            return Monitoring(jst_id, False, adopted, None, self.stored)
        if adopted is None:
            due = (extended or {}).get(self.resolution or "", self.resolution_due)
            return Monitoring(jst_id, True, None, due, (), dict.fromkeys(self.after_codes))
        reports, after = self.dated(month_after(adopted))
        return Monitoring(jst_id, True, adopted, None, reports, after)


def latest_day(monitoring: Monitoring) -> dt.date | None:
    """The last due date of a JST's monitoring and the tasks after it (None: not dated)."""
    days = [s.due_on for s in monitoring.reports if s.due_on] + [
        day for day in monitoring.after.values() if day is not None
    ]
    return max(days, default=None)
