"""Checking team files: every refusal path, accepted spellings, all problems listed at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from storage.imports.read import ImportFileError, ImportIssue, read_rows
from storage.imports.validate import validate
from storage.models import Gender, JstKind, Language, Role
from tests.support.team_files import COHORT, DATA, Row, check, found, team


def test_good_file_accepts_polish_spellings_and_variants() -> None:
    plan = validate(read_rows(DATA / "teams.csv"), COHORT, {})
    assert plan.errors == []
    # the card's teams are 3-4 people: the file's smaller ones are imported with a warning
    assert [(w.row, w.params["size"]) for w in plan.warnings] == [(6, 1), (8, 2)]
    assert set(plan.jsts) == {"1465011", "0201022", "1201"}
    assert plan.jsts["0201022"].kind is JstKind.GMINA_WIEJSKA
    assert plan.jsts["0201022"].voivodeship == "dolnośląskie"
    anna = plan.people["anna.nowak@example.pl"]
    assert (anna.role, anna.gender, anna.language) == (Role.MEMBER, Gender.FEMALE, Language.PL)
    edward = plan.people["edward.kaminski@example.pl"]
    assert (edward.gender, edward.language) == (Gender.MALE, Language.PL)
    assert plan.people["ewa.zielinska@example.pl"].language is Language.EN
    assert plan.people["maria.szymanska@example.pl"].role is Role.ADVISER
    assert plan.people["koordynacja@example.pl"].role is Role.COORDINATOR
    assert plan.advisers == {
        "1465011": "jan.kowalski@example.pl",
        "0201022": "jan.kowalski@example.pl",
        "1201": "maria.szymanska@example.pl",
    }
    assert plan.member_jsts["celina.wojcik@example.pl"] == "1465011"


def _set(index: int, **cells: str) -> Callable[[list[Row]], None]:
    def change(rows: list[Row]) -> None:
        rows[index].update(cells)

    return change


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        (_set(0, email="anna@"), "email", "bad_email"),
        (_set(0, email=""), "email", "empty"),
        (_set(0, role="prezes"), "role", "unknown_role"),
        (_set(0, gender="X"), "gender", "unknown_gender"),
        (_set(0, gender=""), "gender", "empty"),
        (_set(0, language="de"), "language", "unknown_language"),
        (_set(0, jst_kind="województwo"), "jst_kind", "unknown_kind"),
        (_set(0, voivodeship="bawaria"), "voivodeship", "unknown_voivodeship"),
        (_set(0, full_name=" "), "full_name", "empty"),
        (_set(0, full_name="A" * 201), "full_name", "too_long"),
        (_set(0, jst_name=""), "jst_name", "empty"),
        (_set(0, jst_teryt=""), "jst_teryt", "empty"),
        (_set(0, jst_teryt="14A5011"), "jst_teryt", "teryt_not_digits"),
        (_set(0, jst_teryt="146501"), "jst_teryt", "teryt_length"),
        (_set(0, jst_teryt="1465012"), "jst_teryt", "teryt_type_digit"),
        (_set(0, jst_teryt="9965011"), "jst_teryt", "teryt_unknown_voivodeship"),
        (_set(0, jst_teryt="1261011"), "jst_teryt", "teryt_voivodeship"),
        (_set(3, jst_teryt="1465011"), "jst_teryt", "coordinator_with_jst"),
        (_set(3, voivodeship="mazowieckie"), "voivodeship", "coordinator_with_jst"),
    ],
)
def test_one_bad_cell(
    tmp_path: Path, change: Callable[[list[Row]], None], column: str, code: str
) -> None:
    rows = team()
    change(rows)
    plan = check(tmp_path, rows)
    row = 5 if code == "coordinator_with_jst" else 2
    assert found(plan.errors) == [(row, column, code)]


@pytest.mark.parametrize(
    ("kind", "teryt", "ok"),
    [
        ("powiat", "1201", True),
        ("powiat", "1201011", False),
        ("gmina miejska", "1201011", True),
        ("Gmina-Wiejska", "1201022", True),
        ("gmina miejsko-wiejska", "1201033", True),
        ("gmina_miejsko_wiejska", "1201032", False),
        ("miasto na prawach powiatu", "1261", True),
        ("miasto na prawach powiatu", "1261011", True),
    ],
)
def test_teryt_length_and_type_digit_follow_kind(
    tmp_path: Path, kind: str, teryt: str, ok: bool
) -> None:
    rows = team()
    for row in rows[:3]:
        row.update(jst_kind=kind, jst_teryt=teryt, voivodeship="Małopolskie")
    assert (check(tmp_path, rows).errors == []) is ok


def test_jst_without_adviser(tmp_path: Path) -> None:
    rows = team()
    del rows[2]
    assert found(check(tmp_path, rows).errors) == [(2, "role", "jst_without_adviser")]


def test_second_adviser(tmp_path: Path) -> None:
    rows = team()
    rows.append(rows[2] | {"email": "maria@example.pl", "full_name": "Maria"})
    assert found(check(tmp_path, rows).errors) == [(6, "email", "second_adviser")]


def test_same_adviser_twice_and_repeated_rows_are_fine(tmp_path: Path) -> None:
    rows = team()
    plan = check(tmp_path, [*rows, rows[2], rows[0]])
    assert plan.errors == []
    assert len(plan.people) == 4


def test_inconsistent_jst_rows(tmp_path: Path) -> None:
    rows = team()
    rows[1]["jst_name"] = "Warszawa"
    rows[2]["jst_kind"] = "gmina_miejska"
    plan = check(tmp_path, rows)
    assert found(plan.errors) == [
        (3, "jst_name", "jst_disagrees"),
        (4, "jst_kind", "jst_disagrees"),
    ]
    assert plan.errors[0].params == {"first_row": 2, "subject": "1465011"}


def test_member_in_two_jsts(tmp_path: Path) -> None:
    rows = team()
    other = {"jst_teryt": "1201", "jst_name": "Powiat bocheński", "jst_kind": "powiat"}
    other_jst = [rows[0] | other | {"voivodeship": "małopolskie"}]
    other_jst.append(other_jst[0] | {"role": "adviser", "email": "jan@example.pl"})
    other_jst[1] |= {"full_name": "Jan Kowalski", "gender": "M"}
    plan = check(tmp_path, rows + other_jst)
    assert found(plan.errors) == [(6, "jst_teryt", "member_two_jsts")]
    assert plan.errors[0].params == {"first_row": 2, "subject": "1465011"}


def test_person_must_agree_across_rows(tmp_path: Path) -> None:
    rows = team()
    rows.append(rows[0] | {"role": "adviser"})
    rows.append(rows[3] | {"gender": "M", "full_name": "Ewa Nowak"})
    assert found(check(tmp_path, rows).errors) == [
        (6, "role", "member_and_adviser"),
        (6, "email", "second_adviser"),
        (7, "full_name", "person_disagrees"),
        (7, "gender", "person_disagrees"),
    ]


def test_jst_of_another_cohort(tmp_path: Path) -> None:
    plan = check(tmp_path, team(), {"1465011": "pilot 2025"})
    assert found(plan.errors) == [(2, "jst_teryt", "jst_in_other_cohort")]
    assert check(tmp_path, team(), {"1465011": COHORT}).errors == []


def test_team_size_is_only_a_warning(tmp_path: Path) -> None:
    rows = team()
    extra = [rows[0] | {"email": f"m{number}@example.pl"} for number in range(3)]
    big = check(tmp_path, rows[:1] + extra + rows[1:])
    assert big.errors == []
    assert found(big.warnings) == [(2, "role", "team_size")]
    assert big.warnings[0].params == {"teryt": "1465011", "size": 5, "low": 3, "high": 4}
    small = check(tmp_path, rows)  # two members: the card plans 3-4 (issue 21)
    assert small.errors == [] and [w.params["size"] for w in small.warnings] == [2]
    empty = check(tmp_path, rows[2:])
    assert empty.errors == []
    assert [issue.params["size"] for issue in empty.warnings] == [0]


def test_every_problem_listed_in_row_order() -> None:
    plan = validate(read_rows(DATA / "teams_bad.csv"), COHORT, {})
    assert found(plan.errors) == [
        (2, "email", "bad_email"),
        (3, "role", "unknown_role"),
        (3, "gender", "unknown_gender"),
        (3, "language", "unknown_language"),
        (4, "jst_name", "jst_disagrees"),
        (5, "email", "second_adviser"),
        (6, "jst_teryt", "teryt_type_digit"),
        (7, "jst_teryt", "teryt_length"),
        (8, "jst_teryt", "teryt_voivodeship"),
        (9, "jst_teryt", "teryt_voivodeship"),
        (9, "jst_kind", "unknown_kind"),
        (10, "role", "jst_without_adviser"),
        (10, "full_name", "empty"),
        (11, "role", "member_and_adviser"),
        (12, "jst_teryt", "coordinator_with_jst"),
        (12, "jst_name", "coordinator_with_jst"),
        (12, "jst_kind", "coordinator_with_jst"),
        (12, "voivodeship", "coordinator_with_jst"),
    ]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_problem_renders_as_one_line(lang: str) -> None:
    plan = validate(read_rows(DATA / "teams_bad.csv"), COHORT, {"2201011": "other"})
    header = ImportFileError("bad_header", [ImportIssue(1, "x", "missing_column")])
    issues = [
        *plan.errors,
        *header.issues,
        ImportIssue(1, "J", "unknown_column", {"name": "emial"}),
        ImportIssue(1, "email", "duplicate_column"),
        ImportIssue(3, "J", "no_header"),
        ImportIssue(2, "full_name", "too_long", {"limit": 200}),
        ImportIssue(2, "jst_teryt", "teryt_not_digits", {"value": "x"}),
        ImportIssue(2, "jst_teryt", "teryt_unknown_voivodeship", {"value": "99", "prefix": "99"}),
        ImportIssue(2, "gender", "person_disagrees", {"first_row": 1, "subject": "a@b.pl"}),
        ImportIssue(2, "jst_teryt", "member_two_jsts", {"first_row": 1, "subject": "1201"}),
    ]
    warnings = [
        ImportIssue(2, "role", "team_size", {"teryt": "1201", "size": size, "low": 3, "high": 4})
        for size in (0, 2, 5)
    ]
    text = Templates(ZoneInfo("Europe/Warsaw")).macro(
        lang, "cli/import.txt.j2", "refused", errors=issues, warnings=warnings
    )
    lines = text.splitlines()
    prefix = "wiersz" if lang == "pl" else "row"
    problem_lines = [line for line in lines if line.startswith("  ")]
    assert len(problem_lines) == len(issues) + len(warnings)
    for line in problem_lines:
        head, reason = line.strip().split(": ", 1)
        assert head.startswith(prefix)
        assert len(reason) > 10


def test_an_expert_is_imported_without_a_jst(tmp_path: Path) -> None:
    """ORE's experts review the materials: like a coordinator, they belong to no JST."""
    rows = team()
    expert = rows[3] | {"role": "Ekspertka", "full_name": "Iga Lis", "email": "iga@example.pl"}
    plan = check(tmp_path, [*rows, expert])
    assert plan.errors == []
    assert plan.people["iga@example.pl"].role is Role.EXPERT
    assert "iga@example.pl" not in plan.member_jsts
    assert "iga@example.pl" not in plan.advisers.values()


def test_an_expert_with_a_jst_is_refused_by_cell(tmp_path: Path) -> None:
    rows = team()
    expert = rows[0] | {"role": "expert", "full_name": "Iga Lis", "email": "iga@example.pl"}
    plan = check(tmp_path, [*rows, expert])
    assert found(plan.errors) == [
        (6, "jst_teryt", "expert_with_jst"),
        (6, "jst_name", "expert_with_jst"),
        (6, "jst_kind", "expert_with_jst"),
        (6, "voivodeship", "expert_with_jst"),
    ]
