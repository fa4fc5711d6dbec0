"""Reading team files: CSV dialects and encodings, XLSX quirks, one clear refusal per bad file."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.templates import Templates
from storage.import_read import COLUMNS, read_rows
from storage.importer import validate
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
    ("quote.csv", (";".join(COLUMNS) + '\n"' + "x" * 200_000 + '"\n').encode(), "unreadable_csv"),
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
