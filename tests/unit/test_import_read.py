"""Reading team files: CSV dialects and encodings, XLSX quirks, one clear refusal per bad file."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from storage.imports.read import COLUMNS, ImportFileError, read_rows
from storage.imports.validate import validate
from tests.support.team_files import COHORT, cells, found, refusal, team, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8"), (",", "utf-8"), (",", "utf-8-sig")]
)
def test_delimiter_and_bom(tmp_path: Path, delimiter: str, encoding: str) -> None:
    path = write_csv(tmp_path / "teams.csv", team(), delimiter=delimiter, encoding=encoding)
    plan = validate(read_rows(path), COHORT, {})
    assert plan.errors == []
    assert plan.people["ola@example.pl"].full_name == "Ola Wójcik"


def test_header_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_text(
        " JST_TERYT ;Jst_Name;jst_kind;Voivodeship;ROLE;full_name; Email;gender;language\n"
    )
    with path.open("a", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(cells(team()))
    assert validate(read_rows(path), COHORT, {}).errors == []


def test_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "teams.csv", team(), encoding="cp1250")
    error = refusal(path)
    assert (error.code, error.params) == ("not_utf8", {"line": 2})  # "Stołeczne"


def test_missing_and_unknown_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    header = [column for column in COLUMNS if column != "gender"] + ["emial"]
    path.write_text(";".join(header) + "\n1465011;W;powiat;mazowieckie;member;A;a@b.pl;pl;x\n")
    error = refusal(path)
    assert error.code == "bad_header"
    assert found(error.issues) == [(1, "gender", "missing_column"), (1, "I", "unknown_column")]
    assert error.issues[1].params == {"name": "emial"}


def test_duplicate_column_and_value_without_header(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_text(";".join([*COLUMNS, "email"]) + "\n")
    assert found(refusal(path).issues) == [(1, "email", "duplicate_column")]
    rows = cells(team())
    rows[1].append("stray")
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows([COLUMNS, *rows])
    assert found(refusal(path).issues) == [(3, "J", "no_header")]


UNREADABLE = [
    ("missing.csv", None, "file_not_found"),
    ("teams.xls", b"\xd0\xcf\x11\xe0", "unknown_extension"),
    ("teams.xlsx", b"this is not a zip file", "unreadable_xlsx"),
    ("empty.csv", b"", "empty_file"),
    ("header.csv", (";".join(COLUMNS) + "\n;;;;;;;;\n").encode(), "no_rows"),
    ("quote.csv", (";".join(COLUMNS) + '\n"1465011;Warszawa;powiat\n').encode(), "unreadable_csv"),
]


@pytest.mark.parametrize(("name", "content", "code"), UNREADABLE)
def test_unreadable_file_gets_one_templated_line(
    tmp_path: Path, name: str, content: bytes | None, code: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    error = refusal(path)
    assert (error.code, error.issues) == (code, [])
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    for lang in ("pl", "en"):
        text = templates.macro(lang, "cli/import.txt.j2", error.code, **error.params)
        assert len(text.splitlines()) == 1
        assert len(text) > 20


def test_xlsx_numeric_teryt_is_zero_padded_and_empty_rows_skipped(tmp_path: Path) -> None:
    rows: list[list[object]] = cells(team())
    gmina = ["gmina wiejska", "dolnośląskie"]
    powiat = ["powiat", "dolnośląskie"]
    rows[0][0:4] = [201022, "Gmina Przykładowa", *gmina]
    rows[1][0:4] = [201, "Powiat bolesławiecki", *powiat]
    rows[2][0:4] = [201022.0, "Gmina Przykładowa", *gmina]
    rows.append(
        [201, "Powiat bolesławiecki", *powiat, "doradca", "Jan Kowalski", "jan@example.pl"]
    )
    rows[-1] += ["M", None]
    path = write_xlsx(tmp_path / "teams.xlsx", [list(COLUMNS), [], *rows, [None] * 9, rows[0]])
    raw = read_rows(path)
    assert [row.row for row in raw] == [3, 4, 5, 6, 7, 9]
    plan = validate(raw, COHORT, {})
    assert plan.errors == []
    assert set(plan.jsts) == {"0201022", "0201"}


def test_xlsx_problems_name_the_spreadsheet_row(tmp_path: Path) -> None:
    rows: list[list[object]] = cells(team())
    rows[1][6] = "not-an-email"
    path = write_xlsx(tmp_path / "teams.xlsx", [list(COLUMNS), *rows])
    assert found(validate(read_rows(path), COHORT, {}).errors) == [(3, "email", "bad_email")]


def test_xlsx_with_a_wrong_size_claim_is_read_whole(tmp_path: Path) -> None:
    """Some generators write a stale `<dimension>`; read-only openpyxl would trust it."""
    rows: list[list[object]] = cells(team())
    path = write_xlsx(tmp_path / "good.xlsx", [list(COLUMNS), *rows])
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(item, data)
    plan = validate(read_rows(stale), COHORT, {})
    assert plan.errors == []
    assert len(plan.people) == 4


def test_blank_header_cells_are_ignored_when_their_column_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow([*COLUMNS, "", ""])
        writer.writerows([*(row[column] for column in COLUMNS), "", ""] for row in team())
    assert validate(read_rows(path), COHORT, {}).errors == []


def _one_line(code: str, params: dict[str, object]) -> list[str]:
    """The refusal in both languages, each one line."""
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    texts = [templates.macro(lang, "cli/import.txt.j2", code, **params) for lang in ("pl", "en")]
    assert all(len(text.strip().splitlines()) == 1 for text in texts)
    return texts


def _issue_lines(error: ImportFileError) -> list[str]:
    """Every issue of a refused file as the operator reads it, Polish then English."""
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    return [
        templates.macro(lang, "cli/import.txt.j2", "issue", item=item)
        for lang in ("pl", "en")
        for item in error.issues
    ]


def test_a_huge_cell_is_too_long_by_row_and_column_not_an_unclosed_quote(tmp_path: Path) -> None:
    """csv's own field limit (128 KiB) used to end the reading as an "unclosed quote"."""
    rows = team()
    rows[1]["full_name"] = "Ola " + "x" * 5_000_000
    error = refusal(write_csv(tmp_path / "teams.csv", rows))
    assert found(error.issues) == [(3, "full_name", "cell_too_long")]
    assert error.issues[0].params == {"length": 5_000_004, "limit": 1000}
    polish, english = _issue_lines(error)
    assert polish.startswith("wiersz 3, kolumna full_name: za długa komórka: 5000004 znaki")
    assert english.startswith("row 3, column full_name: cell too long: 5000004 characters")


def test_control_characters_are_refused_by_row_and_column(tmp_path: Path) -> None:
    """A NUL passed, and crashed the import on PostgreSQL; tabs and line breaks are spaces."""
    rows = team()
    rows[0]["full_name"] = "Anna\x00Nowak"
    rows[1]["jst_name"] = "Miasto\x07Warszawa"
    rows[2]["full_name"] = "Jan\tKowalski\r\nsenior"
    error = refusal(write_csv(tmp_path / "teams.csv", rows))
    assert found(error.issues) == [
        (2, "full_name", "control_character"),
        (3, "jst_name", "control_character"),
    ]
    assert [issue.params for issue in error.issues] == [{"code": "U+0000"}, {"code": "U+0007"}]
    assert (
        "wiersz 2, kolumna full_name: niewidoczny znak sterujący U+0000" in _issue_lines(error)[0]
    )
    rows[0]["full_name"], rows[1]["jst_name"] = "Anna Nowak", "Miasto Stołeczne Warszawa"
    plan = validate(read_rows(write_csv(tmp_path / "teams.csv", rows)), COHORT, {})
    assert plan.errors == []
    assert plan.people["jan@example.pl"].full_name == "Jan Kowalski senior"


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad \u00a0"


def test_a_name_of_invisible_characters_only_is_empty(tmp_path: Path) -> None:
    rows = team()
    rows[0]["full_name"] = INVISIBLE
    rows[1]["full_name"] = f"Ola{INVISIBLE}Wo\u0301jcik\u200b"  # ó as o + combining accent
    plan = validate(read_rows(write_csv(tmp_path / "teams.csv", rows)), COHORT, {})
    assert found(plan.errors) == [(2, "full_name", "empty")]
    assert plan.people["ola@example.pl"].full_name == "Ola Wójcik"
    for row in rows[:3]:
        row["jst_name"] = "\u200b" + INVISIBLE
    plan = validate(read_rows(write_csv(tmp_path / "teams.csv", rows)), COHORT, {})
    names = [issue for issue in found(plan.errors) if issue[1] == "jst_name"]
    assert names == [(2, "jst_name", "empty"), (3, "jst_name", "empty"), (4, "jst_name", "empty")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_more_rows_than_allowed_are_refused_at_the_first_one_too_many(
    tmp_path: Path, suffix: str
) -> None:
    rows = team() * 8
    if suffix == ".csv":
        path = write_csv(tmp_path / "teams.csv", rows)
    else:
        path = write_xlsx(tmp_path / "teams.xlsx", [list(COLUMNS), *cells(rows), [None] * 9])
    assert len(read_rows(path, max_rows=32)) == 32
    error = refusal(path, max_rows=31)
    assert (error.code, error.params) == ("too_many_rows", {"limit": 31})
    polish, english = _one_line(error.code, error.params)
    assert "więcej niż 31 wierszy" in polish and "IMPORT_MAX_ROWS" in polish
    assert "more than 31 data rows" in english


def test_a_file_larger_than_its_rows_allow_is_refused_unread(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "teams.csv", team())
    with path.open("a", encoding="utf-8") as stream:
        stream.write(" " * 3 * 1024)
    error = refusal(path, max_rows=3)
    size = path.stat().st_size
    assert (error.code, error.params) == ("file_too_big", {"size": size, "limit": 3072, "rows": 3})
    polish, english = _one_line(error.code, error.params)
    assert "nie został wczytany" in polish and "IMPORT_MAX_ROWS=3" in polish
    assert "it was not read" in english
