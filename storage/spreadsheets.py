"""Writes tables as CSV or XLSX files that open safely in Excel, replacing the target atomically.

CSV is UTF-8 with a BOM and `;` between cells, which is what Polish Excel expects. Text that a
spreadsheet would run as a formula is neutralised in both formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from storage.exports import Cell, ExportTable

if TYPE_CHECKING:  # openpyxl is imported by the XLSX writer only: the bot's start stays light
    from openpyxl.worksheet.worksheet import Worksheet

CSV_DELIMITER = ";"
# What Excel and LibreOffice read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 8, 60


def write_csv(file: Path, table: ExportTable, zone: ZoneInfo, *more: ExportTable) -> None:
    """One table only: CSV has no sheets (the extra tables are an XLSX feature)."""
    del more
    with file.open("w", encoding="utf-8-sig", newline="") as stream:
        _write_csv(stream, table, zone)


def csv_bytes(table: ExportTable, zone: ZoneInfo) -> bytes:
    """The table as a CSV file's content (to send rather than save)."""
    stream = io.StringIO(newline="")
    _write_csv(stream, table, zone)
    return stream.getvalue().encode("utf-8-sig")


def _write_csv(stream: TextIO, table: ExportTable, zone: ZoneInfo) -> None:
    writer = csv.writer(stream, delimiter=CSV_DELIMITER)
    writer.writerow(table.headers)
    writer.writerows([_csv_text(cell, zone) for cell in row] for row in table.rows)


def write_xlsx(file: Path, table: ExportTable, zone: ZoneInfo, *more: ExportTable) -> None:
    """The table on the first sheet, each further table on a sheet of its own."""
    from openpyxl import Workbook  # noqa: PLC0415 - tens of MB, for an export or "my data" only

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _fill_sheet(sheet, table, zone)
    for extra in more:
        _fill_sheet(workbook.create_sheet(), extra, zone)
    workbook.save(file)


def _fill_sheet(sheet: Worksheet, table: ExportTable, zone: ZoneInfo) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415 - as in write_xlsx
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    sheet.title = table.title
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(header) for header in table.headers]
    for row_number, row in enumerate(table.rows, start=2):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(
                row=row_number,
                column=column_number,
                value=_xlsx_value(value, zone, ILLEGAL_CHARACTERS_RE),
            )
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula or an error code, whatever it starts with
            elif isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            text = _csv_text(value, zone)
            widths[column_number - 1] = max(widths[column_number - 1], len(text))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = (
            min(max(width, MIN_WIDTH), MAX_WIDTH) + 2
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


WRITERS: dict[str, Callable[..., None]] = {
    ".csv": write_csv,
    ".xlsx": write_xlsx,
}


def supported(path: Path) -> bool:
    """Whether the file name's suffix names a format we write."""
    return path.suffix.lower() in WRITERS


class OutputError(Exception):
    """A file could not be written; names the file and the system's reason."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """File-system errors (only these, not the database's) become an OutputError."""
    try:
        yield
    except OSError as error:
        raise OutputError(path, error.strerror or type(error).__name__) from error


def write_table(file: Path, table: ExportTable, zone: ZoneInfo, *more: ExportTable) -> None:
    """Write `table` (and, in XLSX, `more` on further sheets) in the suffix's format."""
    with _writing(file):
        WRITERS[file.suffix.lower()](file, table, zone, *more)


@contextmanager
def replaced_on_success(target: Path) -> Iterator[Path]:
    """A private temporary file next to `target` (same suffix) that replaces it only if the
    block succeeds; readable by its owner only, as exports hold personal data and invite links."""
    with _writing(target):
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.stem}.", suffix=f".partial{target.suffix}"
        )
        os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with _writing(target):
            with temporary.open("rb+") as written:
                os.fsync(written.fileno())
            temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def _csv_text(value: Cell, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def _xlsx_value(value: Cell, zone: ZoneInfo, illegal: re.Pattern[str]) -> Cell:
    """Excel has no time zones: datetimes are written in local time, as shown everywhere;
    `illegal`: the characters a workbook cannot hold (openpyxl's)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    if isinstance(value, str):
        return illegal.sub("\ufffd", value)
    return value
