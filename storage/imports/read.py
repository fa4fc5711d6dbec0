"""Reading a team file (CSV or XLSX) into rows of text cells named by their column.

Rows keep the spreadsheet's numbering (the header is row 1), so every problem can point at
the cell the operator has to fix. Whether the values make sense is checked by
`storage.imports.validate`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

COLUMNS = (
    "jst_teryt",
    "jst_name",
    "jst_kind",
    "voivodeship",
    "role",
    "full_name",
    "email",
    "gender",
    "language",
)
HEADER_ROW = 1
MAX_CELL = 1000  # no column takes more than 254 characters; a longer cell holds pasted text
ROW_BYTES = 1024  # a row of nine cells takes ~150 bytes; a file over this a row is not read
CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one cell: an error refuses the file, a warning is only printed."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawRow:
    """One data row: trimmed text per column, and which columns held a number (XLSX)."""

    row: int
    cells: dict[str, str]
    numeric: frozenset[str] = frozenset()


class ImportFileError(Exception):
    """The file cannot be read as a team table; `code` names the template macro."""

    def __init__(self, code: str, issues: Sequence[ImportIssue] = (), **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.issues = list(issues)
        self.params = params


def read_rows(
    path: Path,
    max_rows: int | None = None,
    columns: Sequence[str] = COLUMNS,
    optional: Sequence[str] = (),
) -> list[RawRow]:
    """The data rows of a CSV or XLSX file; fully empty rows are skipped. The header must name
    every one of `columns` and may name those of `optional` (a row reads "" where it does not).

    A file of more than `max_rows` rows (IMPORT_MAX_ROWS) is refused as soon as that is clear:
    unread when it is larger than `ROW_BYTES` a row, or at the first row too many.
    """
    if not path.is_file():
        raise ImportFileError("file_not_found", path=str(path))
    _check_size(path.stat().st_size, max_rows)  # before reading a file far too large
    return read_content(path.name, path.read_bytes(), max_rows, columns, optional)


def read_content(
    name: str,
    data: bytes,
    max_rows: int | None = None,
    columns: Sequence[str] = COLUMNS,
    optional: Sequence[str] = (),
) -> list[RawRow]:
    """`read_rows` of a file's content (an upload), its kind told by its `name`'s suffix."""
    _check_size(len(data), max_rows)
    suffix = PurePath(name).suffix
    if suffix.lower() in CSV_SUFFIXES:
        return _table(_csv_rows(data, max_rows), columns, optional)
    if suffix.lower() in XLSX_SUFFIXES:
        return _table(_xlsx_rows(data, max_rows), columns, optional)
    raise ImportFileError("unknown_extension", suffix=suffix or "-")


def _check_size(size: int, max_rows: int | None) -> None:
    if max_rows is not None and size > max_rows * ROW_BYTES:
        raise ImportFileError("file_too_big", size=size, limit=max_rows * ROW_BYTES, rows=max_rows)


def _csv_rows(data: bytes, max_rows: int | None) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("not_utf8", line=data.count(b"\n", 0, error.start) + 1) from None
    header = text.split("\n", 1)[0]
    delimiter = "," if header.count(",") > header.count(";") else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        with _csv_field_limit(len(text)):
            return _bounded(reader, max_rows)
    except csv.Error:  # a quote left open swallows the rest of the file
        raise ImportFileError("unreadable_csv", line=reader.line_num) from None


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """csv refuses a field over its own limit (128 KiB) without saying where; no field is longer
    than the file, and `_table` names the row and column of a cell over `MAX_CELL`."""
    previous = csv.field_size_limit(max(limit, csv.field_size_limit()))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _xlsx_rows(data: bytes, max_rows: int | None) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError("unreadable_xlsx") from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("unreadable_xlsx")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every cell, whatever size the file claims
        return _bounded((list(row) for row in sheet.iter_rows(values_only=True)), max_rows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError("unreadable_xlsx") from None
    finally:
        workbook.close()


def _bounded(lines: Iterable[list[Any]], max_rows: int | None) -> list[list[Any]]:
    """The lines (header first), refused at the first non-empty data row beyond `max_rows`."""
    found: list[list[Any]] = []
    rows = 0
    for line in lines:
        found.append(line)
        rows += any(_text(value) for value in line)
        if max_rows is not None and rows > max_rows + 1:
            raise ImportFileError("too_many_rows", limit=max_rows)
    return found


def _table(
    lines: list[list[Any]], columns: Sequence[str], optional: Sequence[str]
) -> list[RawRow]:
    if not lines or not any(_text(value) for value in lines[0]):
        raise ImportFileError("empty_file")
    header = [_text(value).lower() for value in lines[0]]
    _check_header(header, columns, optional)
    pairs = [(name, index) for index, name in enumerate(header) if name]
    rows: list[RawRow] = []
    issues: list[ImportIssue] = []
    for number, values in enumerate(lines[1:], start=HEADER_ROW + 1):
        texts = [_text(value) for value in values]
        if not any(texts):
            continue
        issues.extend(_stray_cells(number, header, texts))
        issues.extend(_bad_cells(number, header, texts))
        rows.append(
            RawRow(
                row=number,
                cells=dict.fromkeys(optional, "")
                | {name: texts[index] if index < len(texts) else "" for name, index in pairs},
                numeric=frozenset(name for name, index in pairs if _is_number(values, index)),
            )
        )
    if issues:
        raise ImportFileError("bad_cells", issues)
    if not rows:
        raise ImportFileError("no_rows")
    return rows


def _check_header(header: list[str], columns: Sequence[str], optional: Sequence[str]) -> None:
    issues = [
        ImportIssue(HEADER_ROW, name, "missing_column") for name in columns if name not in header
    ]
    seen: set[str] = set()
    for index, name in enumerate(header):
        if not name:
            continue
        if name not in columns and name not in optional:
            letter = get_column_letter(index + 1)
            issues.append(ImportIssue(HEADER_ROW, letter, "unknown_column", {"name": name}))
        elif name in seen:
            issues.append(ImportIssue(HEADER_ROW, name, "duplicate_column"))
        seen.add(name)
    if issues:
        raise ImportFileError("bad_header", issues)


def _stray_cells(row: int, header: list[str], texts: list[str]) -> Iterator[ImportIssue]:
    """Values in columns without a header would be silently lost, so they are refused."""
    for index, text in enumerate(texts):
        if text and (index >= len(header) or not header[index]):
            yield ImportIssue(row, get_column_letter(index + 1), "no_header")


def _bad_cells(row: int, header: list[str], texts: list[str]) -> Iterator[ImportIssue]:
    """Control characters (a NUL cannot even be stored on PostgreSQL) and cells longer than any
    value could be (pasted text) are refused by row and column."""
    for index, text in enumerate(texts):
        column = header[index] if index < len(header) and header[index] else None
        column = column or get_column_letter(index + 1)
        control = next((c for c in text if _is_control(c)), None)
        if control is not None:
            yield ImportIssue(row, column, "control_character", {"code": f"U+{ord(control):04X}"})
        elif len(text) > MAX_CELL:
            yield ImportIssue(
                row, column, "cell_too_long", {"length": len(text), "limit": MAX_CELL}
            )


def _is_control(character: str) -> bool:
    """A control character that is not whitespace (tabs and line breaks count as spaces)."""
    return unicodedata.category(character) == "Cc" and not character.isspace()


def _text(value: Any) -> str:
    """The cell as text: invisible characters (zero-width space and joiners, word joiner, BOM,
    soft hyphen: Unicode's format characters) removed, NFC, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def _is_number(values: Sequence[Any], index: int) -> bool:
    value = values[index] if index < len(values) else None
    return isinstance(value, int | float) and not isinstance(value, bool)
