"""Words about a person agree with their gender from the import ("Doradczyni … dostała"); the
reader is addressed without "(-aś)" forms (issue 18)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates, gendered
from tests.unit.test_task_templates import CHANGE

TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))
ROOT = Path(__file__).resolve().parents[2] / "core" / "templates"
SLASHED = re.compile(r"\w\((?:-?a|-aś|-am|-aś)\)|\(-a\w*\)")


def test_gendered_picks_by_the_imports_letter() -> None:
    assert gendered("K", "dostała", "dostał", "–") == "dostała"
    assert gendered("M", "dostała", "dostał", "–") == "dostał"
    assert gendered(None, "dostała", "dostał", "trafiło do") == "trafiło do"


@pytest.mark.parametrize(
    ("gender", "expected"),
    [
        ("K", "Doradczyni (Beata Woźniak) dostała je do oceny"),
        ("M", "Doradca (Jan Kowalski) dostał je do oceny"),
        (None, "Osoba doradzająca (Alex Nowak) dostała je do oceny"),
    ],
)
def test_the_team_is_told_who_got_the_task_in_the_right_form(
    gender: str | None, expected: str
) -> None:
    """ "Doradca (Beata Woźniak) dostał je do oceny" was quoted by the issue."""
    name = expected.split("(")[1].split(")", maxsplit=1)[0]
    text = TEMPLATES.render(
        "pl", "tg/task_submitted.html.j2", change=CHANGE, adviser=name, adviser_gender=gender
    )
    assert expected in text


@pytest.mark.parametrize("gender", ["K", "M"])
def test_the_report_confirmation_names_the_adviser_in_the_right_form(gender: str) -> None:
    text = TEMPLATES.render(
        "pl",
        "tg/report_submitted.html.j2",
        slot={"month": dt.date(2027, 9, 1), "due_on": None},
        report={"late": False},
        correction=False,
        adviser="Beata Woźniak",
        adviser_gender=gender,
    )
    expected = "Doradczyni (Beata Woźniak) dostała" if gender == "K" else "Doradca (Beata"
    assert expected in text
    assert "Raport za wrzesień 2027" in text, "a report is named by its month (issue 18)"


def test_no_polish_template_writes_slashed_gender_forms() -> None:
    """ "zapoznałeś(-aś)", "Zapoznałem(-am)", "przypisany(-a)", "zadał(a)": a person reads a
    sentence written for them, not a form with both endings."""
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "pl").rglob("*.j2"))
        for match in SLASHED.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# Sentences quoted by issue 18, and what replaced them.
QUOTED = {
    "Aby odpowiedzieć, odpowiedz na tę wiadomość": "Odpowiedź wyślesz funkcją „Odpowiedz”",
    "Odpowiedz, odpowiadając na wiadomość": "Odpowiedź wyślesz funkcją „Odpowiedz”",
    "serwery Telegram.": "serwery Telegrama.",
    '"poza etapem"': '"poza harmonogramem programu"',
}


@pytest.mark.parametrize("quoted", list(QUOTED))
def test_a_quoted_sentence_is_gone_and_its_better_one_is_used(quoted: str) -> None:
    sources = [path.read_text(encoding="utf-8") for path in (ROOT / "pl").rglob("*.j2")]
    assert not any(quoted in source for source in sources)
    assert any(QUOTED[quoted] in source for source in sources)


# docs/glossary.md: the words the Polish templates do not use, and the one they use instead.
NOT_USED = {
    "sprawozdani": "raport",
    "raport tygodniowy": "cotygodniowe podsumowanie",
    "kohort": "edycja",
    "nabór": "edycja",
}


@pytest.mark.parametrize("word", list(NOT_USED))
def test_one_word_for_one_thing(word: str) -> None:
    """Members read "raport", coordinators read "sprawozdanie" for the same thing (issue 18)."""
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "pl").rglob("*.j2"))
        if word in path.read_text(encoding="utf-8").lower()
    ]
    assert found == [], f"{word!r} in {found}: the glossary says {NOT_USED[word]!r}"


def test_a_task_is_named_in_a_sentence_by_its_short_label() -> None:
    """ "Zadanie DP Opis dobrej praktyki … przekazany do ORE zgłoszone jako wykonane" and "Zadanie
    ZW1 Zadanie wdrożeniowe 1: …" (issue 18): a sentence names a task by its code and short
    label, "zadanie ZW1 (diagnoza wstępna)", not by its title."""
    change = replace(CHANGE, title_pl="Zadanie wdrożeniowe 1: diagnoza wstępna (arkusze)")
    change = replace(change, label_pl="diagnoza wstępna")
    text = TEMPLATES.render(
        "pl", "tg/task_submitted.html.j2", change=change, adviser=None, adviser_gender=None
    )
    assert "✅ Zadanie <b>ZW1</b> (diagnoza wstępna) zgłoszone jako wykonane." in text
    assert "arkusze" not in text
