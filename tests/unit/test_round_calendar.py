"""The training rounds' calendar file (.ics, RFC 5545): parsed back, it holds what the rounds
hold, in the reader's language; lines end in CRLF and are folded at 75 octets; a round keeps its
UID and its SEQUENCE grows with each change; a withdrawn round is CANCELLED."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from core.templates import Templates
from notices.round_calendar import rounds_file
from storage.round_views import RoundView

ZONE = ZoneInfo("Europe/Warsaw")
TEMPLATES = Templates(ZONE)
NOW = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
SET_AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
BRING = "laptop z dostępem do internetu, wyniki ankiety SELFIE ze wszystkich szkół gminy, " * 2


def _round(code: str, number: int, **changes: object) -> RoundView:
    found = RoundView(
        cohort_id=1,
        code=code,
        number=number,
        title_pl=f"{number}. zjazd szkoleniowy",
        title_en=f"Training round {number}",
        phase_starts_on=dt.date(2026, 10, 1),
        phase_ends_on=dt.date(2026, 10, 31),
        event_id=number,
        held_on=dt.date(2026, 10, 14),
        mode="on_site",
        place="Warszawa, ul. Spokojna 13A",
        set_at=SET_AT,
    )
    return replace(found, **changes)  # type: ignore[arg-type]


ROUNDS = [
    _round("Z1", 1, start_time="10:00", end_time="15:30", bring=BRING),
    _round(
        "Z2",
        2,
        held_on=dt.date(2027, 2, 17),
        mode="online",
        place=None,
        link="https://meet.example.pl/z2",
        changed_at=SET_AT + dt.timedelta(days=3),
        previous_on=dt.date(2027, 2, 10),
    ),
    _round(
        "Z3",
        3,
        held_on=None,
        previous_on=dt.date(2027, 6, 9),
        cancelled_at=SET_AT + dt.timedelta(days=5),
    ),
    _round("Z4", 4, event_id=None, held_on=None),  # not dated: not in the file
]


def _events(lang: str = "pl", code: str | None = None) -> tuple[bytes, dict[str, Any]]:
    file = rounds_file(TEMPLATES, lang, ROUNDS, now=NOW, code=code)
    parsed = Calendar.from_ical(file.content)
    return file.content, {str(event["uid"]): event for event in parsed.walk("VEVENT")}


def test_every_dated_or_withdrawn_round_parses_back() -> None:
    content, events = _events()
    assert content.startswith(b"BEGIN:VCALENDAR\r\n") and content.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in content.split(b"\r\n")), "folded at 75 octets"
    assert b"\n" not in content.replace(b"\r\n", b"")
    assert sorted(events) == [f"training-round-{n}@advisorybot" for n in (1, 2, 3)]
    first, online, withdrawn = (events[f"training-round-{n}@advisorybot"] for n in (1, 2, 3))

    assert str(first["summary"]) == "1. zjazd szkoleniowy"
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert start == dt.datetime(2026, 10, 14, 10, 0, tzinfo=ZONE)
    assert end == dt.datetime(2026, 10, 14, 15, 30, tzinfo=ZONE)
    assert str(first["location"]) == "Warszawa, ul. Spokojna 13A"
    assert str(first["description"]) == f"Co zabrać: {BRING.strip()}"
    assert (str(first["status"]), int(first["sequence"])) == ("CONFIRMED", 0)

    assert online.decoded("dtstart") == dt.date(2027, 2, 17)
    assert online.decoded("dtend") == dt.date(2027, 2, 18), "a whole day"
    assert str(online["location"]) == "https://meet.example.pl/z2"
    assert str(online["url"]) == "https://meet.example.pl/z2"
    assert int(online["sequence"]) > 0, "changed: a later revision"

    assert str(withdrawn["status"]) == "CANCELLED"
    assert withdrawn.decoded("dtstart") == dt.date(2027, 6, 9)


def test_one_round_in_english() -> None:
    file = rounds_file(TEMPLATES, "en", ROUNDS, now=NOW, code="Z2")
    assert file.name == "rounds-Z2.ics"
    _, events = _events("en", "Z2")
    [event] = events.values()
    assert str(event["summary"]) == "Training round 2"
    assert str(event["description"]) == "Link: https://meet.example.pl/z2"
    assert rounds_file(TEMPLATES, "pl", ROUNDS, now=NOW).name == "zjazdy.ics"


def test_each_change_is_a_later_revision() -> None:
    changed = [_round("Z1", 1, changed_at=SET_AT + dt.timedelta(hours=h)) for h in (1, 2)]
    sequences = []
    for found in changed:
        file = rounds_file(TEMPLATES, "pl", [found], now=NOW)
        events: list[Any] = Calendar.from_ical(file.content).walk("VEVENT")
        sequences.append(int(events[0]["sequence"]))
    assert sequences[0] < sequences[1]
