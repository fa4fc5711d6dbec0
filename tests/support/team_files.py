"""Team files for import tests: a small good team as rows, written as CSV or XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from storage.imports.read import COLUMNS, ImportFileError, ImportIssue, read_rows
from storage.imports.validate import ImportPlan, validate

DATA = Path(__file__).parent.parent / "data" / "import"
COHORT = "pilot"
Row = dict[str, str]


def team() -> list[Row]:
    """One JST with two members and an adviser, and a coordinator (rows 2-5 of the file)."""
    jst = {
        "jst_teryt": "1465011",
        "jst_name": "Miasto Stołeczne Warszawa",
        "jst_kind": "miasto_na_prawach_powiatu",
        "voivodeship": "mazowieckie",
    }
    woman = {"gender": "K", "language": "pl"}
    man = {"gender": "M", "language": "pl"}
    no_jst = dict.fromkeys(jst, "")
    return [
        jst | woman | {"role": "member", "full_name": "Anna Nowak", "email": "anna@example.pl"},
        jst | woman | {"role": "member", "full_name": "Ola Wójcik", "email": "ola@example.pl"},
        jst | man | {"role": "adviser", "full_name": "Jan Kowalski", "email": "jan@example.pl"},
        no_jst | woman | {"role": "coordinator", "full_name": "Ewa", "email": "ewa@example.pl"},
    ]


def cells(rows: list[Row]) -> list[list[object]]:
    return [[row[column] for column in COLUMNS] for row in rows]


def write_csv(
    path: Path, rows: list[Row], *, delimiter: str = ";", encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(COLUMNS)
        writer.writerows(cells(rows))
    return path


def write_xlsx(path: Path, lines: list[list[object]]) -> Path:
    """A workbook whose first sheet holds `lines` as they are (header included)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in lines:
        sheet.append(line)
    workbook.save(path)
    return path


def check(tmp_path: Path, rows: list[Row], existing: dict[str, str] | None = None) -> ImportPlan:
    return validate(read_rows(write_csv(tmp_path / "teams.csv", rows)), COHORT, existing or {})


def found(issues: list[ImportIssue]) -> list[tuple[int, str, str]]:
    return [(issue.row, issue.column, issue.code) for issue in issues]


def refusal(path: Path, max_rows: int | None = None) -> ImportFileError:
    with pytest.raises(ImportFileError) as raised:
        read_rows(path, max_rows)
    return raised.value
