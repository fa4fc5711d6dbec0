"""The working-day calendar: weekends, Polish public holidays, quiet hours, DST changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar

WARSAW = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(WARSAW, (20, 8))


def local(year: int, month: int, on: int, hour: int, minute: int = 0) -> dt.datetime:
    """A Warsaw wall-clock time as aware UTC."""
    return dt.datetime(year, month, on, hour, minute, tzinfo=WARSAW).astimezone(dt.UTC)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    "holiday",
    [
        "2026-01-01",
        "2026-01-06",
        "2026-04-06",  # Easter Monday
        "2026-05-01",
        "2026-06-04",  # Corpus Christi
        "2026-11-11",
        "2026-12-24",  # Christmas Eve, a public holiday since 2025
        "2026-12-25",
        "2027-03-29",  # Easter Monday
        "2027-05-03",
        "2027-11-01",
    ],
)
def test_public_holidays_on_weekdays_are_not_working_days(holiday: str) -> None:
    assert day(holiday).weekday() < 5
    assert not CALENDAR.is_working_day(day(holiday))
    assert CALENDAR.holiday_names(day(holiday))


@pytest.mark.parametrize(
    ("date", "working"),
    [
        ("2026-10-30", True),  # Friday
        ("2026-10-31", False),  # Saturday
        ("2026-11-01", False),  # Sunday and All Saints' Day
        ("2026-11-02", True),  # All Souls' Day is not a public holiday
        ("2026-11-10", True),
        ("2026-12-23", True),
        ("2026-12-26", False),  # Saturday and the second day of Christmas
        ("2026-12-28", True),
        ("2027-03-26", True),  # Good Friday is a working day in Poland
        ("2027-03-30", True),
    ],
)
def test_working_days(date: str, working: bool) -> None:
    assert CALENDAR.is_working_day(day(date)) is working
    assert CALENDAR.holiday_names(day(date)) is None or not working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2026-11-06", 1, "2026-11-09"),  # Friday + 1 = Monday
        ("2026-11-10", 1, "2026-11-12"),  # over Independence Day
        ("2026-11-10", 4, "2026-11-17"),
        ("2026-12-23", 1, "2026-12-28"),  # over Christmas Eve, Christmas and the weekend
        ("2026-12-31", 1, "2027-01-04"),  # over New Year's Day and the weekend
        ("2027-03-26", 1, "2027-03-30"),  # over Easter
        ("2026-11-01", 1, "2026-11-02"),  # from a holiday Sunday
        ("2026-11-01", 0, "2026-11-01"),  # no days: the day itself, working or not
    ],
)
def test_add_working_days(start: str, count: int, expected: str) -> None:
    assert CALENDAR.add_working_days(day(start), count) == day(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-06", "2026-11-09", 1),  # Monday only: the start itself is not counted
        ("2026-11-09", "2026-11-13", 3),  # Tue, Thu, Fri: the 11th is a holiday
        ("2026-12-23", "2027-01-04", 5),  # 28-31 December and 4 January
        ("2026-11-09", "2026-11-09", 0),
        ("2026-11-13", "2026-11-09", 0),  # backwards: nothing
    ],
)
def test_working_days_between(start: str, end: str, expected: int) -> None:
    assert CALENDAR.working_days_between(day(start), day(end)) == expected


def test_working_days_between_undoes_add_working_days() -> None:
    start = day("2026-12-01")
    for count in range(0, 40):
        assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, count)) == (
            count
        )


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (local(2026, 11, 10, 10, 0), local(2026, 11, 10, 10, 0)),  # working hours: as is
        (local(2026, 11, 10, 8, 0), local(2026, 11, 10, 8, 0)),  # opening hour itself
        (local(2026, 11, 10, 19, 59), local(2026, 11, 10, 19, 59)),
        (local(2026, 11, 10, 20, 0), local(2026, 11, 12, 8, 0)),  # evening before a holiday
        (local(2026, 11, 10, 23, 0), local(2026, 11, 12, 8, 0)),
        (local(2026, 11, 12, 5, 0), local(2026, 11, 12, 8, 0)),  # early morning: same day
        (local(2026, 11, 1, 10, 0), local(2026, 11, 2, 8, 0)),  # Sunday 1 November
        (local(2026, 11, 1, 5, 0), local(2026, 11, 2, 8, 0)),
        (local(2026, 11, 1, 23, 0), local(2026, 11, 2, 8, 0)),
        (local(2026, 11, 11, 12, 0), local(2026, 11, 12, 8, 0)),  # a holiday Wednesday
        (local(2027, 3, 29, 10, 0), local(2027, 3, 30, 8, 0)),  # Easter Monday
        (local(2027, 3, 26, 22, 0), local(2027, 3, 30, 8, 0)),  # Friday night before Easter
        (local(2027, 5, 3, 6, 0), local(2027, 5, 4, 8, 0)),  # 3 May, a Monday, before opening
        (local(2026, 12, 23, 21, 0), local(2026, 12, 28, 8, 0)),  # over Christmas
    ],
)
def test_next_allowed(moment: dt.datetime, allowed: dt.datetime) -> None:
    assert CALENDAR.next_allowed(moment) == allowed
    assert CALENDAR.next_allowed(allowed) == allowed, "an allowed moment stays as it is"
    assert not CALENDAR.in_quiet_hours(allowed)


def test_next_allowed_on_dst_weekends_keeps_local_wall_clock() -> None:
    spring = CALENDAR.next_allowed(local(2026, 3, 29, 2, 30))  # clocks jump 02:00 -> 03:00
    assert spring == dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.UTC)  # 08:00 CEST
    autumn = CALENDAR.next_allowed(dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC))  # 02:30 CET
    assert autumn == dt.datetime(2026, 10, 26, 7, 0, tzinfo=dt.UTC)  # 08:00 CET
    friday_evening = CALENDAR.next_allowed(local(2026, 10, 23, 21, 0))  # still CEST
    assert friday_evening == dt.datetime(2026, 10, 26, 7, 0, tzinfo=dt.UTC)
    assert spring.astimezone(WARSAW).hour == autumn.astimezone(WARSAW).hour == 8


def test_at_is_local_wall_clock_on_both_sides_of_dst() -> None:
    assert CALENDAR.at(day("2026-03-27"), 8) == dt.datetime(2026, 3, 27, 7, 0, tzinfo=dt.UTC)
    assert CALENDAR.at(day("2026-03-30"), 8) == dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.UTC)
    assert CALENDAR.at(day("2026-10-23"), 8) == dt.datetime(2026, 10, 23, 6, 0, tzinfo=dt.UTC)
    assert CALENDAR.at(day("2026-10-26"), 8) == dt.datetime(2026, 10, 26, 7, 0, tzinfo=dt.UTC)


def test_local_date_is_warsaw_date_not_utc_date() -> None:
    late_evening = dt.datetime(2026, 6, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 on 2 June in Warsaw
    assert CALENDAR.local_date(late_evening) == day("2026-06-02")


@pytest.mark.parametrize(
    ("hour", "quiet"),
    [(7, True), (8, False), (12, False), (19, False), (20, True), (23, True), (0, True)],
)
def test_quiet_hours_over_midnight(hour: int, quiet: bool) -> None:
    assert CALENDAR.in_quiet_hours(local(2026, 11, 10, hour, 0)) is quiet


def test_quiet_hours_within_one_day() -> None:
    night_only = WorkCalendar(WARSAW, (0, 6))
    assert night_only.in_quiet_hours(local(2026, 11, 10, 5, 0))
    assert not night_only.in_quiet_hours(local(2026, 11, 10, 22, 0))
    assert night_only.next_allowed(local(2026, 11, 10, 3, 0)) == local(2026, 11, 10, 6, 0)
    assert night_only.next_allowed(local(2026, 11, 10, 22, 0)) == local(2026, 11, 10, 22, 0)
    assert night_only.next_allowed(local(2026, 11, 11, 22, 0)) == local(2026, 11, 12, 6, 0)


def test_first_working_day_of_month() -> None:
    assert CALENDAR.first_working_day_of_month(2026, 11) == day("2026-11-02")
    assert CALENDAR.first_working_day_of_month(2027, 5) == day("2027-05-04")
    assert CALENDAR.first_working_day_of_month(2027, 1) == day("2027-01-04")
