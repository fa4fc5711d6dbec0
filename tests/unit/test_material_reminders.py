"""The materials' loop in time, without a database: its deadlines (7/5/5 calendar days to the
next working day) for a version handed in on every day of two years, and the reminders around
them — each goes out in working time, the day before is the last working day before the
deadline, the overdue one the first working day after it (with the coordinators' e-mail alert
for a review), nothing from before the version, and a tick's windowed plan is the full plan's
due part."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from reminders.materials import ALERT, FIX, REVIEW, MaterialFacts, MaterialRule, MaterialsNow
from reminders.schedule import Due
from storage.models import Channel, MaterialState
from storage.programme import default_template_path, load_template
from storage.workdays import is_working_day

WARSAW = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(WARSAW)
REVIEW_DAYS = load_template(default_template_path()).review
RULE = MaterialRule()
EXPERTS, COORDINATORS, SUBMITTER = (51, 52), (81, 82), 81
DAY = dt.timedelta(days=1)
DAYS = [dt.date(2026, 1, 1) + n * DAY for n in range(2 * 366)]


def _facts(
    state: MaterialState, since: dt.datetime, due: dt.date, round_: int = 0
) -> MaterialFacts:
    return MaterialFacts(
        3, "Harmonogram", "schedule", "pilot", state, round_, due, since, SUBMITTER, 7
    )


def _plan(facts: MaterialFacts, now: dt.datetime, until: dt.datetime | None = None) -> list[Due]:
    state = MaterialsNow(now, (facts,), EXPERTS, COORDINATORS)
    return RULE.plan(state, CALENDAR, until)


def test_the_template_keeps_the_schedules_7_5_5() -> None:
    assert (REVIEW_DAYS.first_review_days, REVIEW_DAYS.fix_days, REVIEW_DAYS.rereview_days) == (
        7,
        5,
        5,
    )


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_deadline_is_a_working_day_no_sooner_than_the_term(day: dt.date) -> None:
    for due, days in (
        (REVIEW_DAYS.review_by(day, 0), 7),
        (REVIEW_DAYS.review_by(day, 1), 5),
        (REVIEW_DAYS.fix_by(day), 5),
    ):
        assert is_working_day(due), (day, due)
        assert due >= day + days * DAY
        assert all(
            not is_working_day(day + days * DAY + n * DAY) for n in range((due - day).days - days)
        )


def test_christmas_and_new_year() -> None:
    """Handed in on Friday 18 December 2026: 25th, 26th, Sunday 27th off, review by Monday 28th;
    returned that day: fix by Saturday 2 January, so Monday 4th."""
    assert REVIEW_DAYS.review_by(dt.date(2026, 12, 18), 0) == dt.date(2026, 12, 28)
    assert REVIEW_DAYS.fix_by(dt.date(2026, 12, 28)) == dt.date(2027, 1, 4)
    assert REVIEW_DAYS.review_by(dt.date(2027, 1, 4), 1) == dt.date(2027, 1, 11)


def _walk(facts: MaterialFacts) -> dict[tuple[str, int], dt.datetime]:
    """Every message of the material's ladder, by key, with the moment it goes out, as ticks
    every hour from the version to a month later see it."""
    seen: dict[tuple[str, int], dt.datetime] = {}
    now = facts.since
    while now < facts.since + 40 * DAY:
        full = [due for due in _plan(facts, now) if due.is_due(now)]
        windowed = [due for due in _plan(facts, now, until=now) if due.is_due(now)]
        assert {d.key for d in windowed} == {d.key for d in full}
        for due in full:
            seen.setdefault((due.key, due.person_id), now)
            assert due.template in {REVIEW, FIX, ALERT}
        now += dt.timedelta(hours=1)
    return seen


@pytest.mark.parametrize("day", DAYS[::5], ids=str)
def test_the_review_ladder_goes_out_on_working_days(day: dt.date) -> None:
    since = dt.datetime.combine(day, dt.time(10), WARSAW).astimezone(dt.UTC)
    due = REVIEW_DAYS.review_by(day, 0)
    facts = _facts(MaterialState.SUBMITTED, since, due)
    seen = _walk(facts)
    steps = {key.split(":")[3] for key, _ in seen}
    assert steps == {"review-1", "review-0", "review+1", "review-alert"}
    for (key, person), moment in seen.items():
        local = moment.astimezone(WARSAW)
        assert CALENDAR.is_working_time(moment), (key, local)
        step = key.split(":")[3]
        expected = {
            "review-1": CALENDAR.working_day_before(due),
            "review-0": due,
            "review+1": CALENDAR.next_working_day(due + DAY),
            "review-alert": CALENDAR.next_working_day(due + DAY),
        }[step]
        assert local.date() == expected, (key, local)
        assert person in (COORDINATORS if step == "review-alert" else EXPERTS)


def test_a_fix_goes_to_its_coordinator_and_only_after_the_return() -> None:
    """Returned on Thursday 24 December 2026 (fix by Tuesday 29th): the day before is Monday
    28th; nothing is planned for a moment before the return."""
    returned = dt.datetime(2026, 12, 24, 15, tzinfo=WARSAW).astimezone(dt.UTC)
    due = REVIEW_DAYS.fix_by(returned.date())
    assert due == dt.date(2026, 12, 29)
    seen = _walk(_facts(MaterialState.RETURNED, returned, due, round_=1))
    assert {(k.split(":")[3], p) for k, p in seen} == {
        ("fix-1", SUBMITTER),
        ("fix-0", SUBMITTER),
        ("fix+1", SUBMITTER),
    }
    days = {k.split(":")[3]: m.astimezone(WARSAW).date() for (k, _), m in seen.items()}
    assert days == {
        "fix-1": dt.date(2026, 12, 28),
        "fix-0": dt.date(2026, 12, 29),
        "fix+1": dt.date(2026, 12, 30),
    }
    assert all(key.startswith("material:3:1:") for key, _ in seen)


def test_the_alert_is_an_email_that_may_not_be_lost() -> None:
    since = dt.datetime(2026, 3, 2, 10, tzinfo=WARSAW).astimezone(dt.UTC)
    due = REVIEW_DAYS.review_by(since.date(), 0)
    after = CALENDAR.at(CALENDAR.next_working_day(due + DAY), 10)
    plan = _plan(_facts(MaterialState.SUBMITTED, since, due), after)
    alerts = [d for d in plan if d.template == ALERT]
    assert {d.person_id for d in alerts} == set(COORDINATORS)
    assert all(
        d.channel is Channel.EMAIL and d.values["due_on"] == due.isoformat() for d in alerts
    )
    overdue = [d for d in plan if d.template == REVIEW and d.is_due(after)]
    assert {d.values["working_days"] for d in overdue} == {1} and all(
        d.values["days"] < 0 for d in overdue
    )


def test_nothing_is_due_at_the_hand_in_nor_without_materials() -> None:
    since = dt.datetime(2026, 3, 2, 10, tzinfo=WARSAW).astimezone(dt.UTC)
    facts = _facts(MaterialState.SUBMITTED, since, REVIEW_DAYS.review_by(since.date(), 0))
    assert _plan(facts, since, until=since) == []
    assert RULE.plan(MaterialsNow(since, (), EXPERTS, COORDINATORS), CALENDAR) == []
