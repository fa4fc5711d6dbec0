"""Every template, in both languages, with the counts 0, 1, 2, 4, 5, 12, 21, 22, 25, 112 and
people of each gender and of unknown gender: no output shows a machine's marks (issue 18).

A machine's marks: a number followed by a noun form its plural rule forbids ("2 spraw", "1
udzielonych", "5 day"), a person's verb in the wrong gender or a gendered verb for a person of
unknown gender, "(-aś)"-style forms, a label doubled ("Zadanie ZW1 Zadanie wdrożeniowe 1"), a
decimal point in Polish ("7.3%"), an unrendered placeholder ("{number}", "None").

Whole templates are rendered as the code renders them; macro files macro by macro, each with
the arguments it takes. Where a template branches on a name's value (`reason == "too_long"`),
it is rendered once for every value it compares with, so every branch is read.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from jinja2 import nodes

from core.templates import Templates
from tests.support.template_samples import COUNTS, GENDERS, ZONE, Sample, overrides, values

TEMPLATES = Templates(ZONE)
ROOT = Path(__file__).resolve().parents[2] / "core" / "templates"
NAMES = sorted(str(path.relative_to(ROOT / "pl")) for path in (ROOT / "pl").rglob("*.j2"))
SAMPLES = [Sample(n, gender) for n, gender in itertools.product(COUNTS, GENDERS)]
COMPARED = re.compile(r"(?<![\w.])(\w+) == \"([\w-]+)\"")

# Nouns (and the adjectives that go with a number) read after a count, by the plural category
# CLDR gives the number; a form may stand in several categories ("dni"). Polish: one, few, many.
POLISH_FORMS: tuple[tuple[set[str], set[str], set[str]], ...] = (
    ({"dzień"}, {"dni"}, {"dni"}),
    ({"pytanie"}, {"pytania"}, {"pytań"}),
    ({"plik"}, {"pliki"}, {"plików"}),
    ({"wiadomość"}, {"wiadomości"}, {"wiadomości"}),
    ({"sprawa"}, {"sprawy"}, {"spraw"}),
    ({"odpowiedź"}, {"odpowiedzi"}, {"odpowiedzi"}),
    ({"osoba", "osobę"}, {"osoby"}, {"osób"}),
    ({"zadanie"}, {"zadania"}, {"zadań"}),
    ({"dowód"}, {"dowody"}, {"dowodów"}),
    ({"raport"}, {"raporty"}, {"raportów"}),
    ({"e-mail"}, {"e-maile"}, {"e-maili"}),
    ({"zaproszenie"}, {"zaproszenia"}, {"zaproszeń"}),
    ({"wiersz"}, {"wiersze"}, {"wierszy"}),
    ({"znak"}, {"znaki"}, {"znaków"}),
    ({"cyfra", "cyfrę"}, {"cyfry"}, {"cyfr"}),
    ({"miesiąc"}, {"miesiące"}, {"miesięcy"}),
    ({"rok"}, {"lata"}, {"lat"}),
    ({"tydzień"}, {"tygodnie"}, {"tygodni"}),
    ({"godzina", "godzinę"}, {"godziny"}, {"godzin"}),
    ({"minuta", "minutę"}, {"minuty"}, {"minut"}),
    ({"zwrot"}, {"zwroty"}, {"zwrotów"}),
    ({"zespół"}, {"zespoły"}, {"zespołów"}),
    ({"przypomnienie"}, {"przypomnienia"}, {"przypomnień"}),
    ({"członek"}, {"członków"}, {"członków"}),
    ({"kobieta"}, {"kobiety"}, {"kobiet"}),
    ({"mężczyzna"}, {"mężczyzn"}, {"mężczyzn"}),
)
ENGLISH_FORMS: tuple[tuple[set[str], set[str]], ...] = tuple(
    ({one}, {other})
    for one, other in (
        ("day", "days"),
        ("question", "questions"),
        ("file", "files"),
        ("message", "messages"),
        ("matter", "matters"),
        ("answer", "answers"),
        ("person", "people"),
        ("task", "tasks"),
        ("piece", "pieces"),
        ("report", "reports"),
        ("e-mail", "e-mails"),
        ("invitation", "invitations"),
        ("row", "rows"),
        ("character", "characters"),
        ("digit", "digits"),
        ("month", "months"),
        ("year", "years"),
        ("week", "weeks"),
        ("hour", "hours"),
        ("minute", "minutes"),
        ("return", "returns"),
        ("team", "teams"),
        ("reminder", "reminders"),
        ("member", "members"),
        ("woman", "women"),
        ("man", "men"),
    )
)
# Words that agree with the noun after a count: "2 dni robocze", "5 dni roboczych", "1 nowa".
POLISH_AGREEING: tuple[tuple[set[str], set[str], set[str]], ...] = (
    ({"roboczy"}, {"robocze"}, {"roboczych"}),
    ({"udzielona"}, {"udzielone"}, {"udzielonych"}),
    ({"nowa", "nowy", "nowe"}, {"nowe"}, {"nowych"}),
    ({"wysłana", "wysłany", "wysłane"}, {"wysłane"}, {"wysłanych"}),
    ({"otwarte"}, {"otwarte"}, {"otwartych"}),
)
GENITIVE = {"od", "do", "z", "ze", "bez", "około", "ponad", "wśród", "dla", "u", "sprzed"}
FORMS: dict[str, tuple[tuple[set[str], ...], ...]] = {"pl": POLISH_FORMS, "en": ENGLISH_FORMS}
AGREEING: dict[str, tuple[tuple[set[str], ...], ...]] = {"pl": POLISH_AGREEING, "en": ()}
# A count: not a number ("nr 5", "#2"), a year, a time or part of a code; the word after it on
# the same line, and the one after that.
COUNTED = re.compile(
    r"(?<![\w.,:/#-])(?<!nr )(?<!no\. )(\d+)[ \u00a0]+([\w-]+)(?:[ \u00a0]+([\w-]+))?"
)

# A person's verbs: the feminine and the masculine form (the reader is never addressed so).
VERBS = (
    ("przesłała", "przesłał"),
    ("wysłała", "wysłał"),
    ("poprawiła", "poprawił"),
    ("zapisała", "zapisał"),
    ("zwróciła", "zwrócił"),
    ("przyjęła", "przyjął"),
    ("przedłużyła", "przedłużył"),
    ("dostała", "dostał"),
    ("odpowiedziała", "odpowiedział"),
    ("zadała", "zadał"),
    ("dołączyła", "dołączył"),
    ("zamknęła", "zamknął"),
    ("udostępniła", "udostępnił"),
    ("zgłosiła", "zgłosił"),
)
SLASHED = re.compile(r"\w\((?:-?a|-aś|-am|-em|-eś)\)|\(-\w+\)")
PLACEHOLDER = re.compile(
    r"{{|}}|{%|%}|{#|#}|{number}|\bNone\b|\bTrue\b|\bFalse\b|Undefined|object at 0x|"
    r"namespace\(|datetime\.|\[\]"
)
# What reads like a mark but is meant: the operator is told to write "{number}" in a template.
ALLOWED = {
    f"cli/cohort_messages.txt.j2::{macro} (n={n}, gender={gender}): placeholder '{{number}}'"
    for macro in ("reason_text", "template_error")
    for n, gender in itertools.product(COUNTS, GENDERS)
}
POLISH_DECIMAL = re.compile(r"\d\.\d+\s?%")


def _whole(lang: str, name: str) -> bool:
    """A template rendered as a whole, not only a file of macros (and `{% set %}`s)."""
    tree = _tree(lang, name)
    for node in tree.body:
        if isinstance(node, nodes.Macro | nodes.Assign | nodes.Import | nodes.FromImport):
            continue
        if isinstance(node, nodes.Output) and all(
            isinstance(child, nodes.TemplateData) and not child.data.strip()
            for child in node.nodes
        ):
            continue
        return True
    return False


@functools.cache
def _tree(lang: str, name: str) -> nodes.Template:
    return TEMPLATES.env.parse((ROOT / lang / name).read_text(encoding="utf-8"))


def _macros(lang: str, name: str) -> list[tuple[str, list[str]]]:
    return [
        (macro.name, [argument.name for argument in macro.args])
        for macro in _tree(lang, name).find_all(nodes.Macro)
    ]


def _variants(lang: str, name: str) -> list[dict[str, str]]:
    """One set of values per string a template compares a name with, so each branch renders."""
    source = (ROOT / lang / name).read_text(encoding="utf-8")
    compared: dict[str, set[str]] = {}
    for key, literal in COMPARED.findall(source):
        compared.setdefault(key, set()).add(literal)
    return [{}] + [{key: literal} for key, found in compared.items() for literal in found]


def _renderings(lang: str, name: str, sample: Sample) -> Iterator[tuple[str, str]]:
    """(where, text) for the template as a whole and for each of its macros."""
    base = values(sample)
    special = overrides(sample)
    variants = _variants(lang, name)
    whole = _whole(lang, name)
    if whole:
        for variant in variants:
            context = base | special.get(name, {}) | _shaped(variant, base)
            yield name, TEMPLATES.render(lang, name, **context)
    if whole or not _macros(lang, name):
        return  # a whole template's macros are read where it calls them
    module = TEMPLATES.env.get_template(f"{lang}/{name}").make_module({"lang": lang})
    for macro, arguments in _macros(lang, name):
        where = f"{name}::{macro}"
        for variant in variants:
            context = base | {"lang": lang} | special.get(where, {}) | _shaped(variant, base)
            rendered = getattr(module, macro)(**{key: context[key] for key in arguments})
            yield where, str(rendered)


def _shaped(variant: dict[str, str], base: dict[str, Any]) -> dict[str, Any]:
    """A compared value for a name the samples give as a plain string; a compared attribute
    (`change.action == "returned"`) is not a top-level name and keeps the sample's value."""
    return {key: value for key, value in variant.items() if isinstance(base.get(key), str)}


def _category(lang: str, number: int) -> int:
    """The index of the form a number takes: Polish one/few/many, English one/other."""
    category = Locale.parse(lang).plural_form(number)
    order = ("one", "few", "many") if lang == "pl" else ("one", "other")
    return order.index(category)


def _problems(lang: str, sample: Sample, text: str) -> list[str]:
    visible = re.sub(r"(?s)<(style|head)\b.*?</\1>", " ", text)
    cells = re.sub(r"(?i)</?(td|th|tr|p|br|li|div|h\d|table)\b[^>]*>", "\n", visible)
    plain = html.unescape(re.sub(r"<[^>]+>", " ", cells))
    found = [f"placeholder {match.group(0)!r}" for match in PLACEHOLDER.finditer(plain)]
    found += [f"slashed form {match.group(0)!r}" for match in SLASHED.finditer(plain)]
    for match in COUNTED.finditer(plain):
        number, first, second = int(match[1]), match[2], match[3]
        if 1900 <= number <= 2100:
            continue  # a year
        category = _category(lang, number)
        if lang == "pl" and _preposition(plain[: match.start()]):
            # "od 2 dni roboczych", "do 5 znaków": the genitive, whose forms the tables do not
            # hold; only "od 1 dni" (a plural after one) is then surely wrong.
            if category == 0 and _wrong_form(FORMS[lang], 0, first):
                found.append(f"count {number} {first!r}")
            continue
        noun = _wrong_form(FORMS[lang], category, first)
        if noun or _wrong_form(AGREEING[lang], category, first):
            found.append(f"count {number} {first!r}")
        if noun is not None and _wrong_form(AGREEING[lang], category, second or ""):
            found.append(f"count {number} {second!r}")  # "2 dni roboczych"
    if lang == "pl":
        found += [f"decimal point {m.group(0)!r}" for m in POLISH_DECIMAL.finditer(plain)]
        found += _misgendered(sample, plain)
    found += _doubled(plain)
    return found


def _preposition(before: str) -> bool:
    """Whether the words before a count end in a preposition that takes the genitive."""
    words = re.findall(r"\w+", before[-12:])
    return bool(words) and words[-1].lower() in GENITIVE


def _wrong_form(table: tuple[tuple[set[str], ...], ...], category: int, word: str) -> bool | None:
    """None: not a word of the table; else whether `word` is a form the category forbids."""
    for forms in table:
        if word.lower() in set().union(*forms):
            return word.lower() not in forms[category]
    return None


def _misgendered(sample: Sample, text: str) -> list[str]:
    """A verb next to the sample person's name in a gender that is not theirs, or gendered at
    all when their gender is unknown ("Alex Nowak przesłała")."""
    allowed = {"K": {0}, "M": {1}}.get(str(sample.gender), set())
    found = []
    for match in re.finditer(re.escape(sample.name), text):
        before = re.findall(r"\w+", text[max(0, match.start() - 40) : match.start()])[-2:]
        if any(word.lower() == "osoba" for word in before):
            continue  # "Osoba doradzająca (Alex Nowak) dostała": the verb agrees with "osoba"
        after = re.findall(r"\w+", text[match.end() : match.end() + 40])[:3]
        for word in before + after:
            for index, form in ((i, f) for verb in VERBS for i, f in enumerate(verb)):
                if word.lower() == form and index not in allowed:
                    found.append(f"{sample.gender or 'unknown'} gender: {word!r}")
    return found


# The names of things a label may double ("zadania ZW1 – Zadanie wdrożeniowe 1").
LABELS = ("zadani", "raport", "etap", "pytani", "task", "report", "phase", "stage", "question")


def _doubled(text: str) -> list[str]:
    """A label standing twice in one sentence, a title pasted after its own name: "Zadanie ZW1
    Zadanie wdrożeniowe", "raportu Miesięczny raport": a thing's name twice within three words,
    the second (or the word before it) capitalized as a title is; quoted words are not labels."""
    found = []
    unquoted = re.sub(r"„[^”]*”|“[^”]*”|\"[^\"]*\"", " ", text)
    for sentence in re.split(r"[.!?\n]", unquoted):
        words = re.findall(r"(?<![/\w])[^\W\d_]+(?![\w/])", sentence)
        for index, first in enumerate(words):
            label = next((label for label in LABELS if first.lower().startswith(label)), None)
            for later in range(index + 1, min(index + 4, len(words))):
                second = words[later]
                titled = second[0].isupper() or words[later - 1][0].isupper()
                if label and second.lower().startswith(label) and titled:
                    found.append(f"doubled {first.lower()!r} … {second.lower()!r}")
    return found


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_every_text_reads_as_written_by_a_person(lang: str, name: str) -> None:
    problems = {
        f"{where} (n={sample.n}, gender={sample.gender}): {problem}"
        for sample in SAMPLES
        for where, text in _renderings(lang, name, sample)
        for problem in _problems(lang, sample, text)
    }
    assert sorted(problems - ALLOWED) == []


def test_every_template_and_macro_is_rendered() -> None:
    """The walk above misses nothing: each file is a whole template or has macros."""
    for lang, name in itertools.product(("pl", "en"), NAMES):
        assert _whole(lang, name) or _macros(lang, name), (lang, name)


def test_the_checks_see_the_marks_the_issue_quoted() -> None:
    """The checks themselves: each quoted bad sentence is caught, its fix is not."""
    quoted = {
        "Alerty programu: 2 spraw wymaga uwagi": "count 2 'spraw'",
        "1 udzielonych": "count 1 'udzielonych'",
        "Zadanie ZW1 Zadanie wdrożeniowe 1": "doubled 'zadanie' … 'zadanie'",
        "nie wysłała jeszcze raportu Miesięczny raport": "doubled 'raportu' … 'raport'",
        "zapoznałeś(-aś)": "slashed form",
        "7.3%": "decimal point",
        "Pytanie nr {number}": "placeholder",
        "Doradca (Jan Kowalski) dostała je": "M gender: 'dostała'",
    }
    for text, problem in quoted.items():
        assert any(problem in found for found in _problems("pl", Sample(2, "M"), text)), text
    fixed = "Alerty programu: 2 sprawy wymagają uwagi; 5 spraw; 22 pliki; 7,3%; 1 dzień roboczy"
    assert _problems("pl", Sample(2, "M"), fixed) == []
    assert _problems("en", Sample(1, None), "1 day, 2 files, 1 person, 5 people") == []
    assert _problems("en", Sample(1, None), "1 days") == ["count 1 'days'"]
