"""Counts a person reads take the noun's form CLDR's plural rules give (Babel), in Polish and
English: "2 sprawy", "5 spraw", "22 pliki", "1 file" — never "2 spraw" or "(pliki: 1)"."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates, count, plural
from storage.tasks.views import TaskChange
from tests.unit.test_task_templates import CHANGE

COUNTS = (0, 1, 2, 4, 5, 12, 21, 22, 25, 112)
TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))
POLISH_FILES = {
    0: "0 plików",
    1: "1 plik",
    2: "2 pliki",
    4: "4 pliki",
    5: "5 plików",
    12: "12 plików",
    21: "21 plików",
    22: "22 pliki",
    25: "25 plików",
    112: "112 plików",
}


@pytest.mark.parametrize("number", COUNTS)
def test_polish_and_english_forms_follow_cldr(number: int) -> None:
    assert count(number, "pl", "plik", "pliki", "plików") == POLISH_FILES[number]
    assert count(number, "en", "file", "files") == f"{number} {'file' if number == 1 else 'files'}"
    verb = plural(number, "pl", "wymaga", "wymagają", "wymaga")
    assert verb == ("wymagają" if POLISH_FILES[number].endswith("pliki") else "wymaga")


def test_an_unknown_language_counts_in_polish() -> None:
    assert count(3, "de", "plik", "pliki", "plików") == "3 pliki"


# A number of COUNTS followed by a form its plural rule forbids; a count in parentheses after a
# noun ("(pliki: 1)"); the "(-aś)" forms (issue 18's quoted sentences).
BAD = re.compile(
    r"\b(?:2|4|22) (?:spraw|plików)\b"
    r"|\b(?:0|5|12|21|25|112) (?:sprawy|pliki|wymagają|matter|file|time)\b"
    r"|\b1 (?:sprawy|spraw|pliki|plików|razy|udzielonych|files|matters|times)\b"
    r"|\([a-ząćęłńóśźż]+: \d|\(-aś\)|\(-am\)"
)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("number", COUNTS)
def test_the_counted_templates_read_right(language: str, number: int) -> None:
    alerts = [SimpleNamespace(subject="x")] * max(number, 2)
    texts = [
        TEMPLATES.render(language, "email/alerts.subject.txt.j2", alerts=alerts),
        TEMPLATES.render(
            language,
            "tg/question_draft.html.j2",
            messages=max(number, 1),
            files=number,
            text="Pytanie",
        ),
        TEMPLATES.render(
            language,
            "tg/task_review_request.html.j2",
            change=_change(number),
            adviser="Jan Kowalski",
        ),
    ]
    for text in texts:
        assert not BAD.search(text), text
    if language == "pl":
        expected = count(max(number, 2), "pl", "sprawa", "sprawy", "spraw")
        assert expected in texts[0]


def _change(review_round: int) -> TaskChange:
    return replace(CHANGE, review_round=review_round, evidence=())
