"""A cohort's training rounds as a calendar file (.ics, RFC 5545) in the reader's language: one
event a dated round, with its hours in the programme's zone (or the whole day), place or
link and what to bring; a withdrawn round as cancelled, so a calendar that took it drops it.
Each round keeps its UID, and its SEQUENCE grows with every change, so importing the file again
updates the events instead of adding them twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.templates import Templates
from notices.my_data import DataFile
from storage.round_views import RoundView

if TYPE_CHECKING:  # icalendar is imported when a calendar file is made
    from icalendar import Event

LABELS = "tg/labels.txt.j2"
PRODUCT = "-//advisorybot//Cyfrowy rozwoj oswiaty w JST//PL"
ONE_DAY = dt.timedelta(days=1)


def rounds_file(
    templates: Templates,
    lang: str,
    rounds: Sequence[RoundView],
    *,
    now: dt.datetime,
    code: str | None = None,
) -> DataFile:
    """The dated (and withdrawn) rounds, or the one of `code`, as `zjazdy.ics` / `rounds.ics`."""
    from icalendar import Calendar  # noqa: PLC0415 - asked for rarely: the bot's start stays light

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    chosen = [r for r in rounds if r.event_id is not None and code in (None, r.code)]
    for found in chosen:
        calendar.add_component(_event(templates, lang, found, now))
    calendar.add_missing_timezones()
    stem = templates.macro(lang, LABELS, "rounds_file")
    name = f"{stem}.ics" if code is None else f"{stem}-{code}.ics"
    return DataFile("ics", name, calendar.to_ical())


def _event(templates: Templates, lang: str, found: RoundView, now: dt.datetime) -> Event:
    from icalendar import Event  # noqa: PLC0415 - as in rounds_file

    zone = templates.zone
    event = Event()
    event.add("uid", f"training-round-{found.event_id}@advisorybot")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("sequence", _sequence(found))
    event.add("summary", found.title_en if lang == "en" else found.title_pl)
    day = found.held_on or found.previous_on
    assert day is not None, "a round with an event has a date, or had one"
    start, end = _span(day, found, zone)
    event.add("dtstart", start)
    event.add("dtend", end)
    where = found.link if found.mode == "online" else found.place
    if where:
        event.add("location", where)
    if found.link:
        event.add("url", found.link)
    description = templates.macro(
        lang, LABELS, "round_description", bring=found.bring, link=found.link
    ).strip()
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if found.cancelled_at else "CONFIRMED")
    return event


def _span(
    day: dt.date, found: RoundView, zone: ZoneInfo
) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """Local start and end times; without hours, the whole day (an end the next day, RFC 5545
    3.6.1); with a start only, an hour."""
    if found.start_time is None:
        return day, day + ONE_DAY
    start = dt.datetime.combine(day, dt.time.fromisoformat(found.start_time), zone)
    if found.end_time is None:
        return start, start + dt.timedelta(hours=1)
    return start, dt.datetime.combine(day, dt.time.fromisoformat(found.end_time), zone)


def _sequence(found: RoundView) -> int:
    """0 as first set; then the seconds from then to its last change or withdrawal: it grows
    with every revision, as RFC 5545 3.8.7.4 asks."""
    last = found.cancelled_at or found.changed_at
    if last is None or found.set_at is None:
        return 0
    return max(int((last - found.set_at).total_seconds()), 1)
