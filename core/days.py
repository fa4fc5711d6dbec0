"""Calendar days as people type them: RRRR-MM-DD, DD.MM.RRRR as Polish documents write them,
and "3 grudnia 2026 r." (a month's name in the genitive, as CLDR gives it, in any letter case;
the nominative and English names are read too)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POLISH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@cache
def _month_numbers() -> dict[str, int]:
    """Every month's name (Polish genitive and nominative, English), lower case, to its number:
    read from CLDR when a text is first searched, not at start (English's locale data, 1 MB)."""
    return {
        name.lower(): number
        for names in (
            get_month_names("wide", context="format", locale="pl"),
            get_month_names("wide", context="stand-alone", locale="pl"),
            get_month_names("wide", context="format", locale="en"),
        )
        for number, name in names.items()
    }


_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w./-])", r"(?![\d/]|[-.]\d)"  # "2026r." is a day too


@cache
def _day_in_text() -> re.Pattern[str]:
    """A day somewhere in a text: (year, month, day) as ISO, Polish digits, or with a month's
    name."""
    return re.compile(
        _EDGE_BEFORE
        + r"(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
        + r"|(?P<dot_d>\d{1,2})\.(?P<dot_m>\d{1,2})\.(?P<dot_y>\d{4})"
        + r"|(?P<word_d>\d{1,2})\.?\s+(?P<word_m>"
        + "|".join(sorted(_month_numbers(), key=len, reverse=True))
        + r")\s+(?P<word_y>\d{4}))"
        + _EDGE_AFTER,
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class FoundDay:
    """A day written in a text: where, as written, and the day (None: no such day, 31 lutego)."""

    start: int
    end: int
    written: str
    day: dt.date | None


def find_days(text: str) -> Iterator[FoundDay]:
    """Every day written in `text`, in order, in any of the forms above."""
    for found in _day_in_text().finditer(text):
        parts = found.groupdict()
        if parts["iso_y"]:
            year, month, day = parts["iso_y"], parts["iso_m"], parts["iso_d"]
        elif parts["dot_y"]:
            year, month, day = parts["dot_y"], parts["dot_m"], parts["dot_d"]
        else:
            year, day = parts["word_y"], parts["word_d"]
            month = str(_month_numbers()[parts["word_m"].lower()])
        yield FoundDay(found.start(), found.end(), found.group(), _day(year, month, day))


def _day(year: str, month: str, day: str) -> dt.date | None:
    with suppress(ValueError):
        return dt.date(int(year), int(month), int(day))
    return None


def parse_day(text: str) -> dt.date | None:
    """The day written, or None if it is in neither form or no such day exists."""
    text = text.strip()
    with suppress(ValueError):
        if ISO_DAY.match(text):
            return dt.date.fromisoformat(text)
        if found := POLISH_DAY.match(text):
            day, month, year = (int(part) for part in found.groups())
            return dt.date(year, month, day)
    return None
