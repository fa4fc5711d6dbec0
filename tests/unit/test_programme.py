"""The shipped programme template and the calendar it gives, against the schedule's durations."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from storage.programme import (
    ProgrammeTemplate,
    default_template_path,
    load_template,
    template_from_dict,
)
from storage.programme_calendar import CalendarStep, compute_calendar, programme_end
from storage.workdays import is_working_day, working_day_from

# "Harmonogram działań w projekcie": the blocks and their "ok. N miesięcy", 27 in total.
SCHEDULE = [
    ("PREP", "preparation", 3),
    ("Z1", "training", 1),
    ("D1", "advisory", 3),
    ("Z2", "training", 1),
    ("D2", "advisory", 3),
    ("Z3", "training", 1),
    ("D3", "advisory", 2),
    ("Z4", "training", 1),
    ("D4", "advisory", 3),
    ("ADOPT", "adoption", 1),
    ("MON", "monitoring", 6),
    ("GP", "summary", 1),
    ("SUM", "summary", 1),
]
START = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def template() -> ProgrammeTemplate:
    return load_template(default_template_path())


def _by_code(steps: list[CalendarStep]) -> dict[str, CalendarStep]:
    return {step.code: step for step in steps}


def test_shipped_template_follows_the_schedule(template: ProgrammeTemplate) -> None:
    assert template.code == "ore-2024"
    assert [(p.code, p.kind, p.months) for p in template.phase] == SCHEDULE
    assert template.months == 27
    codes = ["ZW1", "ZW2", "ZW3", "HDR_ORE", "UCHWALA", "DP", "UPOW"]
    assert [t.code for t in template.task] == codes
    assert [t.code for t in template.task if t.resolution] == ["UCHWALA"]
    assert (template.monitoring.reports, template.monitoring.due_day) == (12, 15)
    assert template.monitoring.starts == "resolution"  # each JST from its own resolution
    after = {t.code: (t.due_after.step, t.due_after.months) for t in template.task if t.due_after}
    assert after == {"DP": ("monitoring", 1), "UPOW": ("DP", 1)}
    assert (template.review.first_review_days, template.review.fix_days) == (7, 5)
    assert template.review.rereview_days == 5
    assert template.reminders.task_days_before == [14, 7, 1, 0]
    assert template.model_dump()["indicators"] == {
        "people": 150,
        "women": 105,
        "men": 45,
        "jsts": 50,
    }


def test_stored_dict_rebuilds_the_same_template(template: ProgrammeTemplate) -> None:
    assert template_from_dict(template.model_dump(mode="json")) == template


@pytest.mark.parametrize(
    "start", [START, dt.date(2026, 1, 31), dt.date(2027, 2, 28), dt.date(2028, 8, 1)]
)
def test_each_phase_starts_the_earlier_phases_months_after_the_start(
    template: ProgrammeTemplate, start: dt.date
) -> None:
    steps = _by_code(compute_calendar(template, start))
    months_before = 0
    for code, kind, months in SCHEDULE:
        phase = steps[code]
        assert phase.kind == kind
        assert phase.starts_on == start + relativedelta(months=months_before)
        months_before += months
        assert phase.ends_on == start + relativedelta(months=months_before) - dt.timedelta(1)
        assert phase.due_on is None
    assert months_before == 27
    assert programme_end(template, start) == steps["SUM"].ends_on


def test_phases_are_back_to_back(template: ProgrammeTemplate) -> None:
    phases = [step for step in compute_calendar(template, START) if step.due_on is None]
    assert phases[0].starts_on == START
    for earlier, later in pairwise(phases):
        assert later.starts_on == earlier.ends_on + dt.timedelta(days=1)
    assert phases[-1].ends_on == dt.date(2028, 6, 14)


def test_phase_dates_for_a_mid_month_start(template: ProgrammeTemplate) -> None:
    steps = _by_code(compute_calendar(template, START))
    assert (steps["PREP"].starts_on, steps["PREP"].ends_on) == (START, dt.date(2026, 6, 14))
    assert steps["Z1"].starts_on == dt.date(2026, 6, 15)
    assert steps["Z4"].ends_on == dt.date(2027, 6, 14)
    assert steps["MON"].starts_on == dt.date(2027, 10, 15)
    assert steps["MON"].ends_on == dt.date(2028, 4, 14)


def test_start_on_31_january_clips_to_month_ends_without_drifting(
    template: ProgrammeTemplate,
) -> None:
    steps = _by_code(compute_calendar(template, dt.date(2026, 1, 31)))
    expected = {
        "PREP": (dt.date(2026, 1, 31), dt.date(2026, 4, 29)),
        "Z1": (dt.date(2026, 4, 30), dt.date(2026, 5, 30)),
        "D1": (dt.date(2026, 5, 31), dt.date(2026, 8, 30)),
        "Z2": (dt.date(2026, 8, 31), dt.date(2026, 9, 29)),
        "D2": (dt.date(2026, 9, 30), dt.date(2026, 12, 30)),
        "Z3": (dt.date(2026, 12, 31), dt.date(2027, 1, 30)),
        "D3": (dt.date(2027, 1, 31), dt.date(2027, 3, 30)),
        "Z4": (dt.date(2027, 3, 31), dt.date(2027, 4, 29)),
        "D4": (dt.date(2027, 4, 30), dt.date(2027, 7, 30)),
        "ADOPT": (dt.date(2027, 7, 31), dt.date(2027, 8, 30)),
        "MON": (dt.date(2027, 8, 31), dt.date(2028, 2, 28)),
        "GP": (dt.date(2028, 2, 29), dt.date(2028, 3, 30)),
        "SUM": (dt.date(2028, 3, 31), dt.date(2028, 4, 29)),
    }
    assert {code: (steps[code].starts_on, steps[code].ends_on) for code in expected} == expected


def test_tasks_are_due_on_the_last_day_of_their_phase_or_the_next_working_day(
    template: ProgrammeTemplate,
) -> None:
    steps = _by_code(compute_calendar(template, START))
    due = {code: steps[code].due_on for code in ("ZW1", "ZW2", "ZW3", "HDR_ORE", "UCHWALA")}
    assert due == {
        "ZW1": dt.date(2026, 10, 14),
        "ZW2": dt.date(2027, 2, 15),  # the phase ends on Sunday 14 February
        "ZW3": dt.date(2027, 9, 14),
        "HDR_ORE": dt.date(2027, 9, 14),
        "UCHWALA": dt.date(2027, 10, 14),
    }
    for task in template.task:
        if task.due_at_end_of is None:
            continue
        phase = steps[task.due_at_end_of]
        assert steps[task.code].kind == "task"
        assert steps[task.code].starts_on == phase.starts_on
        assert steps[task.code].ends_on == phase.ends_on
        assert steps[task.code].due_on == working_day_from(phase.ends_on)


@pytest.mark.parametrize(
    "start", [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 366, 7)]
)
def test_no_deadline_falls_on_a_day_off(template: ProgrammeTemplate, start: dt.date) -> None:
    """Reports due on the 15th fell on Saturdays (15 Jan, 15 Apr, 15 Jul 2028) and on a holiday
    (15 Aug 2028) (issue 21): a term ending on a day off ends on the next working day."""
    for step in compute_calendar(template, start):
        if step.due_on is not None:
            assert is_working_day(step.due_on), (start, step.code, step.due_on)


def test_twelve_monthly_reports_planned_from_the_month_after_the_resolution_is_due(
    template: ProgrammeTemplate,
) -> None:
    reports = [step for step in compute_calendar(template, START) if step.kind == "report"]
    assert [r.code for r in reports] == [f"R{n:02d}" for n in range(1, 13)]
    # The resolution is due on 14 October 2027, so a JST adopting it then starts in November.
    month = dt.date(2027, 11, 1)
    for number, report in enumerate(reports, start=1):
        following = month + relativedelta(months=1)
        assert (report.starts_on, report.ends_on) == (month, following - dt.timedelta(1))
        assert report.due_on == working_day_from(following.replace(day=15))
        assert report.title_pl.endswith(f"nr {number}")
        assert report.title_en.endswith(f"no. {number}")
        month = following
    assert reports[-1].due_on == dt.date(2028, 11, 15)
    steps = _by_code(compute_calendar(template, START))
    # A month after the last report's deadline, then a month after that.
    assert (steps["DP"].starts_on, steps["DP"].due_on) == (
        dt.date(2028, 11, 16),
        dt.date(2028, 12, 15),
    )
    assert steps["UPOW"].due_on == dt.date(2029, 1, 15)


def test_reports_start_in_the_same_month_when_training_ends_on_a_month_end(
    template: ProgrammeTemplate,
) -> None:
    """`starts = "phase"`: the whole cohort's reports from the first whole month after Z4."""
    monitoring = template.monitoring.model_copy(
        update={"starts": "phase", "starts_at_end_of": "Z4"}
    )
    by_phase = template.model_copy(update={"monitoring": monitoring})
    steps = _by_code(compute_calendar(by_phase, dt.date(2026, 1, 1)))
    assert steps["Z4"].ends_on == dt.date(2027, 3, 31)
    assert (steps["R01"].starts_on, steps["R01"].ends_on) == (
        dt.date(2027, 4, 1),
        dt.date(2027, 4, 30),
    )
    assert steps["R01"].due_on == dt.date(2027, 5, 17)  # Saturday 15 May
    assert steps["R02"].ends_on == dt.date(2027, 5, 31)


def test_calendar_is_ordered_by_start_with_phases_first(template: ProgrammeTemplate) -> None:
    steps = compute_calendar(template, START)
    assert [step.position for step in steps] == list(range(1, len(steps) + 1))
    assert len(steps) == 13 + 7 + 12
    assert len({step.code for step in steps}) == len(steps)
    keys = [(step.starts_on, step.kind in ("task", "report")) for step in steps]
    assert keys == sorted(keys)
    codes = [step.code for step in steps]
    assert codes[:5] == ["PREP", "Z1", "D1", "ZW1", "Z2"]
    assert codes.index("ZW3") < codes.index("HDR_ORE")


def test_default_template_path_is_the_shipped_file() -> None:
    path = default_template_path()
    assert path.name == "ore-2024.toml"
    assert path.is_file()
    assert Path(path.parent.name) == Path("programme")
