"""storage.workdays: the `holidays` package's Polish public holidays, named in both languages."""

from __future__ import annotations

import datetime as dt

from storage.workdays import LANGUAGES, _poland, holiday_names, is_working_day


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


def test_poland_loaded_alone_is_the_packages_poland() -> None:
    """`_poland` executes the package's Poland module without the package of every country."""
    import holidays

    years = range(2024, 2032)
    for ours, language in LANGUAGES.items():
        expected = holidays.country_holidays("PL", language=language, years=years)
        alone = _poland()(language=language, years=years)
        assert dict(alone) == dict(expected), ours
