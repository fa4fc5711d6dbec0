"""storage.workdays' public holidays are the `holidays` package's, day by day and by name in
both languages: the bot does not import the package (it loads every country's module for one),
this test does."""

from __future__ import annotations

import datetime as dt

import holidays

from storage.workdays import holiday_names, is_working_day

FIRST, LAST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
LANGUAGES = {"pl": "pl", "en": "en_US"}  # ours -> the package's


def test_every_day_from_1990_to_2100_as_the_holidays_package_has_it() -> None:
    years = range(FIRST.year, LAST.year + 1)
    package = {
        ours: holidays.country_holidays("PL", years=years, language=theirs)
        for ours, theirs in LANGUAGES.items()
    }
    day, differ = FIRST, list[tuple[dt.date, object, object]]()
    while day <= LAST:
        theirs = {lang: package[lang][day] for lang in LANGUAGES} if day in package["pl"] else None
        if holiday_names(day) != theirs:
            differ.append((day, holiday_names(day), theirs))
        if is_working_day(day) != (day.weekday() < 5 and theirs is None):
            differ.append((day, is_working_day(day), theirs))
        day += dt.timedelta(days=1)
    assert not differ, differ[:10]


def test_the_holidays_of_a_year() -> None:
    first = dt.date(2026, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range(365)]
    assert [f"{day:%m-%d}" for day in days if holiday_names(day)] == [
        "01-01", "01-06", "04-05", "04-06", "05-01", "05-03", "05-24", "06-04",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26",
    ]  # fmt: skip
    assert holiday_names(dt.date(2026, 6, 4)) == {
        "pl": "Dzień Bożego Ciała",
        "en": "Corpus Christi",
    }
    assert holiday_names(dt.date(2024, 12, 24)) is None  # Christmas Eve: a holiday from 2025
    assert not is_working_day(dt.date(2018, 11, 12))  # the independence centenary, a Monday
