"""Calendar days as people type them: RRRR-MM-DD, or DD.MM.RRRR as Polish documents write them."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POLISH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


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
