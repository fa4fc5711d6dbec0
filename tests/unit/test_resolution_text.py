"""Issue 21, item 5: a resolution's number and date as people write them (core/resolutions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.days import find_days
from core.resolutions import ResolutionText, Unreadable, parse_resolution

DEC_3 = dt.date(2026, 12, 3)
BIP = "https://bip.klodzko.pl/uchwaly/2026/112"

READ = [  # as typed -> (number, day, link)
    ("Nr XIV/112/2026 z dnia 3 grudnia 2026 r.", ("XIV/112/2026", DEC_3, None)),
    (
        "Uchwała nr XIV/112/2026 Rady Gminy Kłodzko z dnia 3 grudnia 2026 r.",
        ("XIV/112/2026", DEC_3, None),
    ),
    ("XIV/112/2026 z 3.12.2026", ("XIV/112/2026", DEC_3, None)),
    ("nr 112/XIV/26 3 grudnia 2026", ("112/XIV/26", DEC_3, None)),
    ("XIV/112/2026 2026-12-03", ("XIV/112/2026", DEC_3, None)),
    ("2026-12-03 XIV/112/2026", ("XIV/112/2026", DEC_3, None)),  # either order
    ("z dnia 03.12.2026 r. Nr XIV/112/2026", ("XIV/112/2026", DEC_3, None)),
    ("UCHWAŁA NR XIV/112/2026 Z DNIA 3 GRUDNIA 2026 R.", ("XIV/112/2026", DEC_3, None)),
    ("uchwała nr xiv/112/2026 z dnia 3 Grudnia 2026", ("xiv/112/2026", DEC_3, None)),
    ("XIV/112/2026 z dnia 3 grudnia 2026r.", ("XIV/112/2026", DEC_3, None)),
    ("XIV/112/2026 z dnia 3 grudnia 2026 roku", ("XIV/112/2026", DEC_3, None)),
    ("XIV / 112 / 2026 z dnia 3 grudnia 2026", ("XIV/112/2026", DEC_3, None)),
    ("Nr.XIV/112/2026, 3 grudnia 2026", ("XIV/112/2026", DEC_3, None)),
    ("numer 0007.112.2026 z 3.12.2026", ("0007.112.2026", DEC_3, None)),
    ("Uchwała Nr RG.0007.12.2026 z dnia 3.12.2026 r.", ("RG.0007.12.2026", DEC_3, None)),
    ("Uchwała nr 12/2026 Rady Gminy Nowa Ruda z 3.12.2026", ("12/2026", DEC_3, None)),
    ("XIV/112/2026 3 grudzień 2026", ("XIV/112/2026", DEC_3, None)),  # the nominative, too
    ("Resolution no. XIV/112/2026 of 3 December 2026", ("XIV/112/2026", DEC_3, None)),
    (
        f"Uchwała nr XIV/112/2026 z dnia 3 grudnia 2026 r. w sprawie HDR na lata 2026-2030 {BIP}.",
        ("XIV/112/2026", DEC_3, BIP),
    ),
    (f"XIV/112/2026 2026-12-03 {BIP}", ("XIV/112/2026", DEC_3, BIP)),
    ("XIV/112/2026 z 3.12.2026, dnia 3 grudnia 2026 r.", ("XIV/112/2026", DEC_3, None)),
    ("nr 5/2024 z 29 lutego 2024", ("5/2024", dt.date(2024, 2, 29), None)),
]

REFUSED: list[tuple[str, str, dict[str, Any]]] = [  # as typed -> why, with what
    ("", "no_date", {}),
    ("XIV/112/2026", "no_date", {}),
    ("XIV/112/2026 jutro", "no_date", {}),
    ("XIV/112/2026 z dnia 3 grudnia", "no_date", {}),
    ("3 grudnia 2026", "no_number", {}),
    ("Uchwała Rady Gminy z dnia 3 grudnia 2026 r.", "no_number", {}),
    ("XIV/112/2026 z dnia 31 lutego 2026 r.", "bad_date", {"written": "31 lutego 2026"}),
    ("XIV/112/2026 2026-02-30", "bad_date", {"written": "2026-02-30"}),
    ("XIV/112/2026 31.04.2026", "bad_date", {"written": "31.04.2026"}),
    ("XIV/112/2026 2026-13-01", "bad_date", {"written": "2026-13-01"}),
    (
        "nr 5/2026 z 3.12.2026 zmieniona 4.12.2026",
        "many_dates",
        {"dates": ["3.12.2026", "4.12.2026"]},
    ),
    (f"XIV/112/2026 2026-12-03 {BIP} https://bip.example.pl/inna", "many_links", {}),
]


@pytest.mark.parametrize(("typed", "expected"), READ)
def test_the_usual_forms_are_read(typed: str, expected: tuple[str, dt.date, str | None]) -> None:
    assert parse_resolution(typed) == ResolutionText(*expected)


@pytest.mark.parametrize(("typed", "reason", "details"), REFUSED)
def test_what_is_missing_or_impossible_is_named(
    typed: str, reason: str, details: dict[str, Any]
) -> None:
    with pytest.raises(Unreadable) as refused:
        parse_resolution(typed)
    assert (refused.value.reason, refused.value.details) == (reason, details)


def test_days_are_found_in_text_but_not_inside_numbers() -> None:
    found = list(find_days("RG.0007.12.2026, 112/2026-12, 1.1.2027 oraz 2 STYCZNIA 2027"))
    assert [(day.written, day.day) for day in found] == [
        ("1.1.2027", dt.date(2027, 1, 1)),
        ("2 STYCZNIA 2027", dt.date(2027, 1, 2)),
    ]
