"""A cohort's calendar: the template's phases, tasks and reports turned into dates.

Phase i starts the sum of the earlier phases' months after the cohort's start (computed from
the start each time, so clipping 31 Jan to 28 Feb never drifts later phases) and ends the day
before the next one starts. A task's or a report's due date that falls on a day off moves to
the next working day (storage/workdays.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta

from storage.programme import NUMBER_PLACEHOLDER, ProgrammeTemplate
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
    """Every step with its dates, ordered by start (phases first on the same day)."""
    dates = phase_dates(template, start)
    steps = [
        CalendarStep(0, p.code, p.kind, p.title_pl, p.title_en, *dates[p.code], None)
        for p in template.phase
    ]
    for task in template.task:
        first, last = dates[task.due_at_end_of]
        steps.append(
            CalendarStep(
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
        )
    steps.extend(_reports(template, dates[template.monitoring.starts_at_end_of][1]))
    ordered = sorted(steps, key=lambda step: (step.starts_on, step.kind in (TASK, REPORT)))
    return [replace(step, position=position) for position, step in enumerate(ordered, start=1)]


def _reports(template: ProgrammeTemplate, after: dt.date) -> list[CalendarStep]:
    """One report per calendar month, from the first whole month after `after`."""
    monitoring = template.monitoring
    first_day = after + ONE_DAY
    first_month = (
        first_day if first_day.day == 1 else first_day.replace(day=1) + relativedelta(months=1)
    )
    reports = []
    for number, code in enumerate(template.report_codes(), start=1):
        month = first_month + relativedelta(months=number - 1)
        next_month = month + relativedelta(months=1)
        reports.append(
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
    return reports
