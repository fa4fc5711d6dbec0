"""Polish working days: not a Saturday, a Sunday or a public holiday.

One definition for the programme's deadlines (a term that ends on a day off ends on the next
working day, as Polish administrative law counts terms: Kodeks postępowania administracyjnego,
art. 57 § 4) and for core.calendar's working time, when people may be reminded.

The public holidays are those of the act on days free from work (ustawa z dnia 18 stycznia
1951 r. o dniach wolnych od pracy, art. 1) as it stands since 1990: Epiphany again since 2011,
Christmas Eve since 2025, and the one-off 12 November 2018 of the independence centenary; each
named in Polish and English as the `holidays` package names it (which chose by the process's
locale: now by the reader's language). The package itself is not asked: for one country it
imports all of them (its `holidays.countries` imports some 250 modules), 8 MB and a tenth of a
second in the running bot, for thirteen dates a year (bench/README.md, issue 23).
tests/unit/test_workdays.py holds these dates and names to the package's, day by day, from 1990
to 2100: when the law changes and the package learns it, that test says so.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from dateutil.easter import easter

ONE_DAY = dt.timedelta(days=1)

Names = dict[str, str]  # language -> the holiday's name

# (month, day): the holiday's names and the first year it is one.
FIXED: dict[tuple[int, int], tuple[Names, int]] = {
    (1, 1): ({"pl": "Nowy Rok", "en": "New Year's Day"}, 1990),
    (1, 6): ({"pl": "Święto Trzech Króli", "en": "Epiphany"}, 2011),
    (5, 1): ({"pl": "Święto Państwowe", "en": "National Day"}, 1990),
    (5, 3): (
        {"pl": "Święto Narodowe Trzeciego Maja", "en": "National Day of the Third of May"},
        1990,
    ),
    (8, 15): ({"pl": "Wniebowzięcie Najświętszej Marii Panny", "en": "Assumption Day"}, 1990),
    (11, 1): ({"pl": "Uroczystość Wszystkich Świętych", "en": "All Saints' Day"}, 1990),
    (11, 11): ({"pl": "Narodowe Święto Niepodległości", "en": "National Independence Day"}, 1990),
    (12, 24): ({"pl": "Wigilia Bożego Narodzenia", "en": "Christmas Eve"}, 2025),
    (12, 25): ({"pl": "Boże Narodzenie (pierwszy dzień)", "en": "Christmas Day"}, 1990),
    (12, 26): ({"pl": "Boże Narodzenie (drugi dzień)", "en": "Second Day of Christmas"}, 1990),
}
# Days after Easter Sunday.
MOVABLE: dict[int, Names] = {
    0: {"pl": "Niedziela Wielkanocna", "en": "Easter Sunday"},
    1: {"pl": "Poniedziałek Wielkanocny", "en": "Easter Monday"},
    49: {"pl": "Zielone Świątki", "en": "Pentecost"},
    60: {"pl": "Dzień Bożego Ciała", "en": "Corpus Christi"},
}
ONE_OFF: dict[dt.date, Names] = {
    dt.date(2018, 11, 12): {
        "pl": "Narodowe Święto Niepodległości - 100-lecie",
        "en": "National Independence Day - 100th anniversary",
    },
}


@cache
def _holidays(year: int) -> dict[dt.date, Names]:
    found = {
        dt.date(year, month, day): name
        for (month, day), (name, since) in FIXED.items()
        if year >= since
    }
    sunday = easter(year)
    found |= {sunday + dt.timedelta(days=after): name for after, name in MOVABLE.items()}
    return found | {day: name for day, name in ONE_OFF.items() if day.year == year}


def holiday_names(day: dt.date) -> Names | None:
    """The public holiday on `day` by its names ("pl", "en"); None on any other day."""
    return _holidays(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_day_from(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the next one: when a term ending on `day`
    really ends."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def term_end(day: dt.date, days: int) -> dt.date:
    """When a term of `days` calendar days from `day` ends (a return's days to fix it)."""
    return working_day_from(day + dt.timedelta(days=days))
