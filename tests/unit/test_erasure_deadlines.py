"""The week-before alert of an erasure request's legal deadline (reminders/erasure_deadlines.py)
goes on the last working day on or before the day a week before: a weekend or a holiday there
brings it forward, never later, so the coordinators always have a week."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from reminders.erasure_deadlines import ErasureDeadlineRule, OpenRequests
from storage.models import ErasureRequest

WARSAW = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(WARSAW, (20, 8))
COORDINATORS = (11, 12)


def _request(number: int, deadline: str) -> ErasureRequest:
    return ErasureRequest(id=number, deadline=dt.date.fromisoformat(deadline))


@pytest.mark.parametrize(
    ("deadline", "alerted_on"),
    [
        ("2026-12-21", "2026-12-14"),  # a Monday a week before: that day
        ("2026-12-20", "2026-12-11"),  # a Sunday a week before: the Friday
        ("2027-01-08", "2026-12-31"),  # New Year's Day a week before: the day before it
        # Saturday 26 December, after Christmas Day and Christmas Eve (a holiday since 2025):
        # Wednesday the 23rd, not Monday the 28th, five days before the deadline
        ("2027-01-02", "2026-12-23"),
    ],
)
def test_the_alert_goes_on_the_last_working_day_a_week_or_more_before(
    deadline: str, alerted_on: str
) -> None:
    state = OpenRequests(((_request(7, deadline), {"number": 7}),), COORDINATORS)
    plan = ErasureDeadlineRule().plan(state, CALENDAR)
    expected = dt.datetime.combine(dt.date.fromisoformat(alerted_on), dt.time(8), WARSAW)
    assert [(due.person_id, due.at) for due in plan] == [
        (coordinator, expected.astimezone(dt.UTC)) for coordinator in COORDINATORS
    ]
    assert {due.key for due in plan} == {f"erasure:7:week-before:{c}" for c in COORDINATORS}


def test_an_alert_after_until_is_not_planned_yet() -> None:
    state = OpenRequests(((_request(3, "2027-01-08"), {}),), COORDINATORS)
    alert = dt.datetime(2026, 12, 31, 7, tzinfo=dt.UTC)  # 08:00 in Warsaw, the day planned
    assert ErasureDeadlineRule().plan(state, CALENDAR, until=alert - dt.timedelta(minutes=1)) == []
    assert len(ErasureDeadlineRule().plan(state, CALENDAR, until=alert)) == len(COORDINATORS)
