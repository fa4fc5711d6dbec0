"""What people type for tasks, read into plain values: a resolution (the evidence a form reads:
forms/task.py; dates: core/days.py)."""

from __future__ import annotations

import datetime as dt

from core.days import parse_day


def parse_resolution(text: str) -> tuple[str, dt.date] | None:
    """`NUMER RRRR-MM-DD`: the resolution's number (it may hold spaces) and the day adopted."""
    number, _, day_text = text.strip().rpartition(" ")
    day = parse_day(day_text)
    if not number.strip() or day is None:
        return None
    return number.strip(), day
