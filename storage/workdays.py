"""Polish working days: not a Saturday, a Sunday or a public holiday (the `holidays` package).

One definition for the programme's deadlines (a term that ends on a day off ends on the next
working day, as Polish administrative law counts terms: Kodeks postępowania administracyjnego,
art. 57 § 4) and for core.calendar's working time, when people may be reminded.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@cache
def polish_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("PL")  # fills in years as they are asked for


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in polish_holidays()


def working_day_from(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the next one: when a term ending on `day`
    really ends."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def term_end(day: dt.date, days: int) -> dt.date:
    """When a term of `days` calendar days from `day` ends (a return's days to fix it)."""
    return working_day_from(day + dt.timedelta(days=days))
