"""What people type for tasks, read into plain values: dates, a resolution (the evidence a
form reads: forms/task.py)."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POLISH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_day(text: str) -> dt.date | None:
    """A calendar day written RRRR-MM-DD (or DD.MM.RRRR, as Polish documents write it)."""
    text = text.strip()
    with suppress(ValueError):
        if ISO_DAY.match(text):
            return dt.date.fromisoformat(text)
        if found := POLISH_DAY.match(text):
            day, month, year = (int(part) for part in found.groups())
            return dt.date(year, month, day)
    return None


def parse_resolution(text: str) -> tuple[str, dt.date] | None:
    """`NUMER RRRR-MM-DD`: the resolution's number (it may hold spaces) and the day adopted."""
    number, _, day_text = text.strip().rpartition(" ")
    day = parse_day(day_text)
    if not number.strip() or day is None:
        return None
    return number.strip(), day
