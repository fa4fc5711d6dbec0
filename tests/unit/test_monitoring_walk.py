"""A unit walk of whole cohorts (issue 21, acceptance): day by day, from the start until well
after the programme, for several start dates and a JST whose resolution comes on time, early,
late or never. At every day, with what is known that day (the resolution only once adopted):

- no deadline falls on a day off: the tasks (their due dates for this JST), a fix after a
  return on that day, the reports, DP and the dissemination task UPOW;
- reports start after the resolution, the month after it, and run `monitoring.reports` months
  back to back, each due after its month ends; before the resolution there is none, and DP and
  UPOW wait (no date);
- DP is due after the last report (a month after its deadline), UPOW after DP.

The rule walked is storage.monitoring.CohortPlan.of, the one every reader goes through.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from dateutil.relativedelta import relativedelta

from storage.monitoring import CohortPlan, Monitoring
from storage.programme import ProgrammeTemplate, default_template_path, load_template
from storage.programme_calendar import (
    REPORT,
    TASK,
    compute_calendar,
    month_after,
    programme_end,
)
from storage.workdays import is_working_day, term_end

TEMPLATE = load_template(default_template_path())
DAY = dt.timedelta(days=1)
STARTS = (dt.date(2025, 10, 1), dt.date(2026, 1, 31), dt.date(2026, 3, 15), dt.date(2026, 7, 4))
# When the resolution is adopted, counted from its due date (None: never).
ADOPTIONS = {"on time": 0, "early": -20, "late": 45, "a year late": 365, "never": None}


def _with(**monitoring: object) -> ProgrammeTemplate:
    changed = TEMPLATE.monitoring.model_copy(update=monitoring)
    return TEMPLATE.model_copy(update={"monitoring": changed})


def _plan(template: ProgrammeTemplate, start: dt.date) -> CohortPlan:
    """The plan of a cohort whose calendar is stored as computed (storage.cohorts.add_cohort)."""
    stored = tuple(s for s in compute_calendar(template, start) if s.kind == REPORT)
    return CohortPlan(template, start, stored)


def _walk(template: ProgrammeTemplate, start: dt.date, shift: int | None) -> int:
    """Walk one JST of a cohort day by day; the number of days a report was asked for."""
    plan = _plan(template, start)
    steps = compute_calendar(template, start)
    resolution_due = next(s.due_on for s in steps if s.code == "UCHWALA")
    assert resolution_due is not None
    adopted = None if shift is None else resolution_due + shift * DAY
    end = programme_end(template, start) + relativedelta(years=3)
    tasks = [s for s in steps if s.kind == TASK]
    monitored_days = 0
    day = start
    while day <= end:
        known = adopted if adopted is not None and adopted <= day else None
        monitoring = plan.of(1, known, None)
        for task in tasks:
            assert task.due_on is not None
            due = monitoring.task_due(task.code, task.due_on)
            assert due is None or is_working_day(due), (start, day, task.code, due)
        assert is_working_day(term_end(day, template.review.fix_days)), (start, day)
        planned = {task.code: task.due_on for task in tasks}
        _check_monitoring(template, monitoring, known, day, planned)
        monitored_days += bool(monitoring.ended(day))
        day += DAY
    return monitored_days


def _check_monitoring(
    template: ProgrammeTemplate,
    monitoring: Monitoring,
    adopted: dt.date | None,
    day: dt.date,
    planned: dict[str, dt.date | None],
) -> None:
    by_resolution = template.monitoring.starts == "resolution"
    if by_resolution and adopted is None:
        assert monitoring.reports == (), (day, "no report before the resolution")
        assert set(monitoring.after.values()) == {None}, (day, "DP and UPOW wait")
        return
    reports = monitoring.reports
    assert len(reports) == template.monitoring.reports
    assert all(r.kind == REPORT for r in reports)
    if by_resolution:
        assert adopted is not None
        assert reports[0].starts_on == month_after(adopted) > adopted, (day, adopted)
        assert (reports[0].starts_on - relativedelta(months=1)).month == adopted.month
    for report in reports:
        assert report.due_on is not None and report.due_on > report.ends_on
        assert is_working_day(report.due_on), (day, report.code, report.due_on)
    for earlier, later in pairwise(reports):
        assert later.starts_on == earlier.ends_on + DAY
    last_due = reports[-1].due_on
    assert planned["DP"] is not None and planned["UPOW"] is not None
    dp = monitoring.task_due("DP", planned["DP"])
    upow = monitoring.task_due("UPOW", planned["UPOW"])
    assert last_due is not None and dp is not None and upow is not None
    assert last_due < dp < upow, (day, last_due, dp, upow)
    assert dp >= last_due + relativedelta(months=1), "a month after monitoring ends"
    assert is_working_day(dp) and is_working_day(upow)


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("adoption", ADOPTIONS)
def test_a_cohort_walked_day_by_day(start: dt.date, adoption: str) -> None:
    monitored = _walk(TEMPLATE, start, ADOPTIONS[adoption])
    assert (monitored == 0) == (adoption == "never"), "reports are asked for once adopted"


def test_six_reports_as_the_schedule_has_them() -> None:
    six = _with(reports=6)
    monitoring = _plan(six, STARTS[0]).of(1, dt.date(2027, 12, 3), None)
    assert [r.starts_on for r in monitoring.reports] == [
        dt.date(2028, month, 1) for month in range(1, 7)
    ]
    # R06 (June) is due on Monday 17 July 2028 (the 15th is a Saturday): DP a month after.
    assert monitoring.reports[-1].due_on == dt.date(2028, 7, 17)
    assert monitoring.after["DP"] == dt.date(2028, 8, 17)
    _walk(six, STARTS[2], 30)


def test_a_cohort_monitored_by_phase_has_the_cohorts_months_whatever_the_resolution() -> None:
    by_phase = _with(starts="phase", starts_at_end_of="ADOPT")
    plan = _plan(by_phase, STARTS[0])
    never, late = plan.of(1, None, None), plan.of(2, dt.date(2028, 3, 1), None)
    assert never.reports == late.reports == plan.stored and never.after == late.after == {}
    assert never.reports[0].starts_on == dt.date(2027, 5, 1)  # ADOPT ends on 30 April 2027
    for adoption in ADOPTIONS.values():
        _walk(by_phase, STARTS[1], adoption)


def test_a_late_resolution_waits_with_its_extension() -> None:
    """An extension of the resolution moves the date monitoring waits for, not the months."""
    plan = _plan(TEMPLATE, STARTS[0])
    waiting = plan.of(1, None, {"UCHWALA": dt.date(2027, 6, 30)})
    assert waiting.waiting and waiting.resolution_due == dt.date(2027, 6, 30)
    assert plan.of(1, None, None).resolution_due == dt.date(2027, 4, 30)
    assert not plan.of(1, dt.date(2027, 6, 3), None).waiting
