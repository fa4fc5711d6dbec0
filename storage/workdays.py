"""Polish working days: not a Saturday, a Sunday or a public holiday (the `holidays` package).

One definition for the programme's deadlines (a term that ends on a day off ends on the next
working day, as Polish administrative law counts terms: Kodeks postępowania administracyjnego,
art. 57 § 4) and for core.calendar's working time, when people may be reminded.

The package is asked when a day is first checked, not at import, and only Poland's module of it
is loaded (`_poland`). Their names come in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

ONE_DAY = dt.timedelta(days=1)
LANGUAGES = {"pl": "pl", "en": "en_US"}  # ours -> the package's

Names = dict[str, str]  # language -> the holiday's name


@cache
def _poland() -> type[HolidayBase]:
    """The package's own Poland, executed from its module's file.

    `holidays.country_holidays("PL")` imports the package `holidays.countries` first, and that
    imports every country's module: some 250 modules and 8 MB of the running bot's memory, for
    one country (bench/README.md, issue 23). Poland's module needs only the package's base,
    groups and calendars. tests/unit/test_workdays.py checks it against `country_holidays`.
    """
    import holidays  # noqa: PLC0415 - at the first day checked, not at start

    path = Path(holidays.__file__).with_name("countries") / "poland.py"
    spec = importlib.util.spec_from_file_location("holidays.countries.poland", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    poland: type[HolidayBase] = module.Poland
    return poland


@cache
def _polish_holidays(language: str) -> HolidayBase:
    return _poland()(language=LANGUAGES[language])  # years as asked


def holiday_names(day: dt.date) -> Names | None:
    """The public holiday on `day` by its names ("pl", "en"); None on any other day."""
    if day not in _polish_holidays("pl"):
        return None
    return {language: _polish_holidays(language)[day] for language in LANGUAGES}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _polish_holidays("pl")


def working_day_from(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the next one: when a term ending on `day`
    really ends."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def term_end(day: dt.date, days: int) -> dt.date:
    """When a term of `days` calendar days from `day` ends (a return's days to fix it)."""
    return working_day_from(day + dt.timedelta(days=days))
