"""A council's resolution as people write it: its number and the day it was adopted, in the
usual Polish forms and either order ("Uchwała nr XIV/112/2026 Rady Gminy Kłodzko z dnia
3 grudnia 2026 r.", "XIV/112/2026 z 3.12.2026", "nr 112/XIV/26 3 grudnia 2026",
"XIV/112/2026 2026-12-03"), and the link to it in the BIP when the text carries one.

The number is the word after "nr" (or "numer", "no."), else the first word holding a digit once
the day is taken out: a council's name ("Rady Gminy Kłodzko") has none. Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from core.days import FoundDay, find_days

LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
LINK_TRAILER = ".,;:)]"  # a sentence's punctuation after a link is not the link's
BEFORE_DAY = re.compile(r"(?:\bz\s+dnia|\bz\s+dn\.?|\bw\s+dniu|\bdnia|\bz|\bof|\bdated)\s*$", re.I)
AFTER_DAY = re.compile(r"^\s*(?:roku\b|r\.|r\b)", re.IGNORECASE)
NUMBER_MARK = re.compile(r"(?<!\w)(?:nr|numer|no)(?:\.|\b)\s*(?P<number>\S+)", re.IGNORECASE)
SLASH = re.compile(r"\s*/\s*")  # "XIV / 112 / 2026" is XIV/112/2026
PUNCTUATION = ",;:()\"'„”"


class Unreadable(ValueError):
    """Text that holds no resolution: `reason` names the message, `details` its values."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class ResolutionText:
    """What a text says of a resolution: number, day adopted, and a link if it has one."""

    number: str
    adopted_on: dt.date
    link: str | None = None


def parse_resolution(text: str) -> ResolutionText:
    """The resolution the text names; Unreadable says what is missing or wrong."""
    rest, link = _take_link(text)
    day, rest = _take_day(rest)
    return ResolutionText(_number(rest), day, link)


def find_link(text: str) -> str | None:
    """The one http(s) link of a text (BIP), or None; Unreadable if it has several."""
    return _take_link(text)[1]


def _take_link(text: str) -> tuple[str, str | None]:
    links = {found.rstrip(LINK_TRAILER) for found in LINK.findall(text)}
    if len(links) > 1:
        raise Unreadable("many_links")
    return LINK.sub(" ", text), next(iter(links), None)


def _take_day(text: str) -> tuple[dt.date, str]:
    """The one day written (several mentions of the same day are one) and the text without
    it, its "z dnia" before it and "r." after it."""
    found = list(find_days(text))
    if not found:
        raise Unreadable("no_date")
    for mention in found:
        if mention.day is None:
            raise Unreadable("bad_date", written=mention.written)
    days = {mention.day for mention in found}
    if len(days) > 1:
        raise Unreadable("many_dates", dates=[mention.written for mention in found])
    (day,) = days
    assert day is not None
    return day, _without(text, found)


def _without(text: str, found: list[FoundDay]) -> str:
    """The text with each mention of the day cut out, with the words around it."""
    for mention in reversed(found):
        before = BEFORE_DAY.sub("", text[: mention.start])
        after = AFTER_DAY.sub("", text[mention.end :])
        text = f"{before} {after}"
    return text


def _number(text: str) -> str:
    """The word after "nr", else the first word with a digit in it."""
    text = SLASH.sub("/", text)
    marked = NUMBER_MARK.search(text)
    candidates = [marked.group("number")] if marked else []
    candidates += text.split()
    for word in (candidate.strip(PUNCTUATION).rstrip(".") for candidate in candidates):
        if any(character.isdigit() for character in word):
            return word
    raise Unreadable("no_number")
