"""Checking the cells of one row of a team file: spellings, e-mail, TERYT against kind and region.

Accepted spellings are matched after `fold` (case, Polish diacritics, `_`/`-`/space), so
"Gmina miejsko-wiejska", "członek zespołu" and "slaskie" all mean what the operator meant.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email

from storage.imports.read import ImportIssue, RawRow
from storage.models import Gender, JstKind, Language, Role

_T = TypeVar("_T")
MAX_NAME = 200
JST_COLUMNS = ("jst_teryt", "jst_name", "jst_kind", "voivodeship")

VOIVODESHIPS = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}
TERYT_LENGTHS = {
    JstKind.POWIAT: (4,),
    JstKind.GMINA_MIEJSKA: (7,),
    JstKind.GMINA_WIEJSKA: (7,),
    JstKind.GMINA_MIEJSKO_WIEJSKA: (7,),
    JstKind.MIASTO_NA_PRAWACH_POWIATU: (4, 7),
}
# The 7th TERYT digit of a gmina is its type; a city with powiat rights is an urban gmina.
TERYT_TYPE_DIGITS = {
    JstKind.GMINA_MIEJSKA: "1",
    JstKind.GMINA_WIEJSKA: "2",
    JstKind.GMINA_MIEJSKO_WIEJSKA: "3",
    JstKind.MIASTO_NA_PRAWACH_POWIATU: "1",
}


@functools.lru_cache(maxsize=1024)  # a file repeats a few spellings of role, kind, region
def fold(text: str) -> str:
    """A spelling-insensitive key: lower case, no diacritics, one space for `_`, `-`, `–`."""
    text = text.lower().replace("ł", "l")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for separator in "_-–":
        text = text.replace(separator, " ")
    return " ".join(text.split())


def spellings(table: Mapping[str, Any]) -> dict[str, Any]:
    return {fold(word): value for word, value in table.items()}


ROLES: dict[str, Role] = spellings(
    {
        "member": Role.MEMBER,
        "członek": Role.MEMBER,
        "członkini": Role.MEMBER,
        "członek zespołu": Role.MEMBER,
        "uczestnik": Role.MEMBER,
        "uczestniczka": Role.MEMBER,
        "adviser": Role.ADVISER,
        "advisor": Role.ADVISER,
        "doradca": Role.ADVISER,
        "doradczyni": Role.ADVISER,
        "coordinator": Role.COORDINATOR,
        "koordynator": Role.COORDINATOR,
        "koordynatorka": Role.COORDINATOR,
        "expert": Role.EXPERT,
        "ekspert": Role.EXPERT,
        "ekspertka": Role.EXPERT,
    }
)
WITHOUT_JST = (Role.COORDINATOR, Role.EXPERT)  # the programme's staff, tied to no JST
GENDERS: dict[str, Gender] = spellings(
    {"k": Gender.FEMALE, "kobieta": Gender.FEMALE, "m": Gender.MALE, "mężczyzna": Gender.MALE}
)
LANGUAGES: dict[str, Language] = spellings({"": Language.PL, "pl": Language.PL, "en": Language.EN})
KINDS: dict[str, JstKind] = spellings({kind.value: kind for kind in JstKind})
VOIVODESHIP_NAMES: dict[str, str] = spellings({name: name for name in VOIVODESHIPS.values()})


@dataclass(frozen=True)
class PlannedJst:
    """A JST as the file describes it; `row` is where it first appears."""

    teryt: str
    name: str
    kind: JstKind
    voivodeship: str
    row: int = field(compare=False)


@dataclass(frozen=True)
class PlannedPerson:
    """A person as the file describes them; `row` is where they first appear."""

    email: str
    full_name: str
    gender: Gender
    language: Language
    role: Role
    row: int = field(compare=False)


class RowCheck:
    """Checks the cells of one row, adding an issue per bad cell to `errors`."""

    def __init__(self, raw: RawRow, errors: list[ImportIssue]) -> None:
        self.raw = raw
        self.errors = errors
        self.role = ROLES.get(fold(raw.cells.get("role", "")))

    def bad(self, column: str, code: str, **params: Any) -> None:
        self.errors.append(ImportIssue(self.raw.row, column, code, params))

    def text(self, column: str) -> str:
        value = " ".join(self.raw.cells[column].split())
        if not value:
            self.bad(column, "empty")
        elif len(value) > MAX_NAME:
            self.bad(column, "too_long", limit=MAX_NAME)
        return value

    def word(self, column: str, table: Mapping[str, _T], code: str) -> _T | None:
        value = self.raw.cells[column]
        found = table.get(fold(value))
        if found is None:
            self.bad(column, "empty" if not value else code, value=value)
        return found

    def person(self) -> PlannedPerson | None:
        errors_before = len(self.errors)
        role = self.word("role", ROLES, "unknown_role")
        full_name = self.text("full_name")
        email = self.email()
        gender = self.word("gender", GENDERS, "unknown_gender")
        language = self.word("language", LANGUAGES, "unknown_language")
        if len(self.errors) > errors_before or not (role and email and gender and language):
            return None
        return PlannedPerson(email, full_name, gender, language, role, self.raw.row)

    def email(self) -> str | None:
        value = self.text("email")
        if not value:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            self.bad("email", "bad_email", value=value)
            return None

    def jst(self) -> PlannedJst | None:
        """The row's JST; for a coordinator or an expert (or an unknown role) the JST cells must
        be empty."""
        filled = [column for column in JST_COLUMNS if self.raw.cells[column]]
        if self.role in WITHOUT_JST:
            for column in filled:
                self.bad(column, f"{self.role}_with_jst")
            return None
        if self.role is None and not filled:
            return None
        errors_before = len(self.errors)
        name = self.text("jst_name")
        kind = self.word("jst_kind", KINDS, "unknown_kind")
        voivodeship = self.word("voivodeship", VOIVODESHIP_NAMES, "unknown_voivodeship")
        teryt = self.teryt(kind, voivodeship)
        if len(self.errors) > errors_before or not (teryt and kind and voivodeship):
            return None
        return PlannedJst(teryt, name, kind, voivodeship, self.raw.row)

    def teryt(self, kind: JstKind | None, voivodeship: str | None) -> str | None:
        value = self.raw.cells["jst_teryt"]
        if not value:
            self.bad("jst_teryt", "empty")
            return None
        if not (value.isascii() and value.isdigit()):
            self.bad("jst_teryt", "teryt_not_digits", value=value)
            return None
        lengths = TERYT_LENGTHS[kind] if kind is not None else ()
        if "jst_teryt" in self.raw.numeric:  # a number cell lost its leading zero
            value = value.zfill(next((n for n in lengths if n >= len(value)), len(value)))
        code, digit = value[:2], value[6:7]  # a 4-digit (powiat-level) code has no type digit
        expected = TERYT_TYPE_DIGITS.get(kind, digit) if kind is not None and digit else digit
        if lengths and len(value) not in lengths:
            self.bad("jst_teryt", "teryt_length", value=value, lengths=lengths, kind=kind)
        elif digit != expected:
            params = {"value": value, "kind": kind, "digit": digit, "expected": expected}
            self.bad("jst_teryt", "teryt_type_digit", **params)
        elif code not in VOIVODESHIPS:
            self.bad("jst_teryt", "teryt_unknown_voivodeship", value=value, prefix=code)
        elif voivodeship is not None and VOIVODESHIPS[code] != voivodeship:
            self.bad(
                "jst_teryt",
                "teryt_voivodeship",
                value=value,
                teryt=VOIVODESHIPS[code],
                given=voivodeship,
            )
        else:
            return value
        return None
