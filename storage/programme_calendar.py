"""A cohort's calendar: the template's phases, tasks and reports turned into dates.

Phase i starts the sum of the earlier phases' months after the cohort's start (computed from
the start each time, so clipping 31 Jan to 28 Feb never drifts later phases) and ends the day
before the next one starts. A task's or a report's due date that falls on a day off moves to
the next working day (storage/workdays.py).

Monitoring (`monitoring_steps`) runs from a first month: the month after the JST's resolution
(`starts = "resolution"`; the cohort's calendar plans it from the resolution task's due date,
storage/monitoring.py dates each JST from its own resolution) or the first whole month after
a phase. The reports follow month by month, each due on `due_day` of the next month; a task
`due_after` monitoring is due `months` after the last report's due date (monitoring ends when
its last report is due), a task `due_after` another task `months` after that task's due date;
a term in months ends on the same day of the month, or the month's last day (as Kodeks
postępowania administracyjnego, art. 57 § 3, counts them; relativedelta clips the same way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta

from storage.programme import MONITORING, NUMBER_PLACEHOLDER, ProgrammeTemplate, Task
from storage.workdays import working_day_from

TASK = "task"
REPORT = "report"
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class CalendarStep:
    """One dated step of a cohort: a phase (kind = its phase kind), a task or a report."""

    position: int
    code: str
    kind: str
    title_pl: str
    title_en: str
    starts_on: dt.date
    ends_on: dt.date
    due_on: dt.date | None
    label_pl: str | None = None  # a task's short name for sentences
    label_en: str | None = None


def phase_dates(template: ProgrammeTemplate, start: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Each phase's first and last day, in template order."""
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    offset = 0
    for phase in template.phase:
        first = start + relativedelta(months=offset)
        offset += phase.months
        dates[phase.code] = (first, start + relativedelta(months=offset) - ONE_DAY)
    return dates


def programme_end(template: ProgrammeTemplate, start: dt.date) -> dt.date:
    """The last day of the last phase."""
    return start + relativedelta(months=template.months) - ONE_DAY


def compute_calendar(template: ProgrammeTemplate, start: dt.date) -> list[CalendarStep]:
    """Every step with its dates, ordered by start (phases first on the same day); monitoring
    and the tasks after it as planned (`planned_first_month`)."""
    dates = phase_dates(template, start)
    steps = [
        CalendarStep(0, p.code, p.kind, p.title_pl, p.title_en, *dates[p.code], None)
        for p in template.phase
    ]
    for task in template.task:
        if task.due_at_end_of is None:
            continue  # dated by monitoring_steps
        first, last = dates[task.due_at_end_of]
        steps.append(_task_step(task, first, last))
    steps.extend(monitoring_steps(template, planned_first_month(template, start)))
    ordered = sorted(steps, key=lambda step: (step.starts_on, step.kind in (TASK, REPORT)))
    return [replace(step, position=position) for position, step in enumerate(ordered, start=1)]


def month_after(day: dt.date) -> dt.date:
    """The first day of the first whole month after `day`: a resolution adopted on any day of
    December 2027 starts monitoring in January 2028."""
    following = day + ONE_DAY
    return following if following.day == 1 else following.replace(day=1) + relativedelta(months=1)


def planned_first_month(template: ProgrammeTemplate, start: dt.date) -> dt.date:
    """The month a cohort's monitoring starts as planned: after the phase it starts at the end
    of, or after the resolution task's due date (a JST adopting the plan by then)."""
    monitoring = template.monitoring
    if monitoring.starts == "phase":
        assert monitoring.starts_at_end_of is not None, "checked with the template"
        return month_after(phase_dates(template, start)[monitoring.starts_at_end_of][1])
    resolution = template.resolution_task()
    assert resolution is not None and resolution.due_at_end_of is not None, "checked"
    return month_after(working_day_from(phase_dates(template, start)[resolution.due_at_end_of][1]))


def monitoring_steps(template: ProgrammeTemplate, first_month: dt.date) -> list[CalendarStep]:
    """The reports from `first_month` on, then the tasks due after monitoring, in order."""
    monitoring = template.monitoring
    steps = []
    for number, code in enumerate(template.report_codes(), start=1):
        month = first_month + relativedelta(months=number - 1)
        next_month = month + relativedelta(months=1)
        steps.append(
            CalendarStep(
                0,
                code,
                REPORT,
                monitoring.report_title_pl.replace(NUMBER_PLACEHOLDER, str(number)),
                monitoring.report_title_en.replace(NUMBER_PLACEHOLDER, str(number)),
                month,
                next_month - ONE_DAY,
                working_day_from(next_month.replace(day=monitoring.due_day)),
            )
        )
    due = {MONITORING: steps[-1].due_on}
    for task in template.task:
        if task.due_after is None:
            continue
        after = due[task.due_after.step]
        assert after is not None, "reports and tasks have due dates"
        step = _task_step(
            task, after + ONE_DAY, after + relativedelta(months=task.due_after.months)
        )
        due[task.code] = step.due_on
        steps.append(step)
    return steps


def _task_step(task: Task, first: dt.date, last: dt.date) -> CalendarStep:
    """A task's step: its term from `first` to `last`, due on `last` or the next working day."""
    return CalendarStep(
        0,
        task.code,
        TASK,
        task.title_pl,
        task.title_en,
        first,
        last,
        working_day_from(last),
        task.label_pl,
        task.label_en,
    )
