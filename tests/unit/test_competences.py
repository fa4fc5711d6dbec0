"""Issue 21 on hand-made data: who counts as supported and as having raised their competences,
when the self-assessment is open, its form's steps, and what the reminder rule plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from forms.self_assessment import (
    ANSWERS_KEY,
    CONFIRM,
    SubmitAssessment,
    open_window,
    opened,
    step,
    windows,
)
from forms.steps import CANCEL, Message, Press
from reminders.self_assessment import AssessmentState, SelfAssessmentRule
from storage.competences import Assessed, AssessmentSetting
from storage.indicators import StaffTally
from storage.models import Gender
from storage.programme import default_template_path, load_template

CALENDAR = WorkCalendar(ZoneInfo("Europe/Warsaw"))
COMPETENCES = load_template(default_template_path()).competences
assert COMPETENCES is not None
# Round Z1 starts on Thursday 1 October 2026; Z4 ends on Wednesday 30 June 2027.
SETTING = AssessmentSetting(COMPETENCES, dt.date(2026, 10, 1), dt.date(2027, 6, 30))
SUPPORTED = StaffTally(1, Gender.FEMALE, 7, True, ("Z1", "Z2", "Z3", "Z4"), 4, 20, 31)


@pytest.mark.parametrize(
    ("change", "supported", "improved"),
    [
        ({}, True, True),
        ({"joined": False}, False, False),  # registered, never joined: not support
        ({"rounds": ()}, False, False),  # joined, never took part
        ({"rounds": ("Z1", "Z2", "Z3")}, True, False),  # fewer rounds than the template asks
        ({"after": 20}, True, False),  # the same sum is no improvement
        ({"after": 19}, True, False),
        ({"after": None}, True, False),  # no "after" answer
        ({"before": None}, True, False),
        ({"required": 3, "rounds": ("Z1", "Z3", "Z4")}, True, True),
    ],
)
def test_support_and_improvement(
    change: dict[str, object], supported: bool, improved: bool
) -> None:
    tally = replace(SUPPORTED, **change)  # type: ignore[arg-type]
    assert (tally.supported, tally.improved) == (supported, improved)


def test_before_is_open_until_the_first_round_after_for_working_days() -> None:
    before, after = windows(SETTING, CALENDAR)
    assert (before.opens, before.closes) == (None, dt.date(2026, 9, 30))
    # 15 working days after Wednesday 30 June 2027: 21 July.
    assert (after.opens, after.closes) == (dt.date(2027, 7, 1), dt.date(2027, 7, 21))
    nothing: frozenset[str] = frozenset()
    assert open_window(SETTING, dt.date(2026, 9, 30), CALENDAR, nothing) == before
    assert open_window(SETTING, dt.date(2026, 10, 1), CALENDAR, nothing) is None
    assert open_window(SETTING, dt.date(2027, 7, 21), CALENDAR, nothing) == after
    assert open_window(SETTING, dt.date(2027, 7, 22), CALENDAR, nothing) is None
    assert open_window(SETTING, dt.date(2026, 9, 1), CALENDAR, frozenset({"before"})) is None


def test_the_form_keeps_every_rating_and_submits_the_whole_set() -> None:
    assert COMPETENCES is not None
    outcome = opened(COMPETENCES, "before", 1)
    assert outcome.show is not None and outcome.show.values["number"] == 1
    state, update = outcome.state, 1
    for rating in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5):
        assert state is not None
        update += 1
        outcome = step(state, Press(update, f"v{rating}"), COMPETENCES)
        state = outcome.state
    assert state is not None and state.step == CONFIRM
    assert outcome.show is not None and outcome.show.values["score"] == 30
    back = step(state, Press(update + 1, "back"), COMPETENCES)
    assert back.state is not None and back.state.step == "digital_gaps"
    assert back.show is not None and back.show.values["answer"] == 5
    sent = step(state, Press(update + 1, "ok"), COMPETENCES)
    assert sent.state is None and isinstance(sent.effect, SubmitAssessment)
    assert sum(sent.effect.answers.values()) == 30 and sent.effect.moment == "before"


def test_the_form_refuses_what_is_no_rating() -> None:
    assert COMPETENCES is not None
    start = opened(COMPETENCES, "after", 1).state
    assert start is not None
    for choice in ("v0", "v6", "vx", "ok", "back"):
        assert step(start, Press(2, choice), COMPETENCES).state == start
    shown = step(start, Message(2, text="5"), COMPETENCES)
    assert shown.state is not None and shown.state.data[ANSWERS_KEY] == {}
    assert step(start, Press(1, "v5"), COMPETENCES).state == start, "a re-delivered update"
    assert step(start, Press(2, CANCEL), COMPETENCES).state is None


def test_the_rule_asks_at_joining_and_reminds_once() -> None:
    joined = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)
    member = Assessed(5, 7, 3, joined, frozenset())
    plan = SelfAssessmentRule().plan(AssessmentState((member,), {3: SETTING}), CALENDAR)
    when = {due.key: CALENDAR.local_date(due.at) for due in plan}
    assert when == {
        "self-assessment:5:before:ask": dt.date(2026, 9, 1),
        "self-assessment:5:before:remind": dt.date(2026, 9, 28),  # 3 working days before Z1
        "self-assessment:5:after:ask": dt.date(2027, 7, 1),
        "self-assessment:5:after:remind": dt.date(2027, 7, 9),  # 7 working days after Z4
    }
    assert all(due.until is not None and due.at < due.until for due in plan)
    answered = replace(member, answered=frozenset({"before", "after"}))
    assert SelfAssessmentRule().plan(AssessmentState((answered,), {3: SETTING}), CALENDAR) == []


def test_a_moment_closed_when_the_state_was_read_plans_nothing() -> None:
    """A tick months after the first round plans no "before" message for anyone (all stale)."""
    member = Assessed(5, 7, 3, dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC), frozenset())
    closes = CALENDAR.at(dt.date(2026, 10, 1), 0)  # "before" is open until 30 September
    for read_at, moments in [
        (closes - dt.timedelta(minutes=1), {"before", "after"}),
        (closes, {"after"}),
        (CALENDAR.at(dt.date(2027, 7, 22), 0), set()),  # "after" closed on 21 July 2027
    ]:
        plan = SelfAssessmentRule().plan(
            AssessmentState((member,), {3: SETTING}, read_at), CALENDAR
        )
        assert {due.key.split(":")[2] for due in plan} == moments
        assert all(due.until is not None and read_at < due.until for due in plan)
