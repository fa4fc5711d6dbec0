"""The digest's workbook: sheets of rows, already in the reader's language, written as XLSX.

Every number of the digest can be recounted from these rows (digest/sheets.py says which).
Each sheet has its header bold, wrapped and frozen, a filter over the header and rows, its
columns as wide as their content (at most WIDEST characters) and dates as dates.

Written with XlsxWriter: a national workbook (2,800 JSTs, tens of thousands of task rows) takes
about a second, where openpyxl, even in its write-only mode, took 2-3 times as long (and
XlsxWriter's own constant-memory mode twice as long: its strings are not shared).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Value = str | int | float | dt.date | None
WIDEST = 40  # characters: a column's widest
NARROWEST = 6
PADDING = 2
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"  # a local date and time (the week's changes)
EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - the spreadsheet's day 0, a naive date
LINE_POINTS = 15  # a header line's height
HEADER_LINES = 4  # a long header (a step's title) wraps in about as many lines
OPTIONS = {  # text stays text: no formula, number or link is made of it
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class Sheet:
    """One sheet: its localised name and header, its rows; `fills`: a cell's text -> the
    colour ("RRGGBB") its cell is filled with (the matrix's traffic lights);
    `frozen_columns`: the columns that stay in view when the reader scrolls right."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Value]]
    fills: dict[str, str] = field(default_factory=dict)
    frozen_columns: int = 0


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as a workbook, in their order; every text cell is a string, never a formula."""
    from xlsxwriter import Workbook  # noqa: PLC0415 - a digest's only: the bot's start stays light

    buffer = io.BytesIO()
    workbook = Workbook(buffer, OPTIONS)
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    moment = workbook.add_format({"num_format": MOMENT_FORMAT})
    for sheet in sheets:
        page = workbook.add_worksheet(sheet.name)
        widths = column_widths(sheet)
        for index, width in enumerate(widths):
            page.set_column(index, index, width)
        lines = (
            len(textwrap.wrap(h, w - PADDING)) for h, w in zip(sheet.header, widths, strict=True)
        )
        page.set_row(0, LINE_POINTS * max([1, *lines]))
        page.freeze_panes(1, sheet.frozen_columns)
        page.autofilter(0, 0, len(sheet.rows), max(len(sheet.header) - 1, 0))
        page.write_row(0, 0, list(sheet.header), header)
        fills = {
            text: workbook.add_format({"bg_color": f"#{colour}", "pattern": 1})
            for text, colour in sheet.fills.items()
        }
        for number, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    page.write_string(number, column, value, fills.get(value))
                elif isinstance(value, dt.date):
                    shown = moment if isinstance(value, dt.datetime) else date
                    page.write_number(number, column, excel_serial(value), shown)
                else:
                    page.write_number(number, column, value)
    workbook.close()
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def excel_serial(value: dt.date) -> float:
    """A date (or a naive local date and time) as the spreadsheet's day number: days since
    30 December 1899, the time of day as a fraction. Memoised: a cohort's deadlines repeat
    across thousands of rows, and XlsxWriter's own conversion is the slowest part of a cell."""
    if isinstance(value, dt.datetime):
        since = value - EPOCH
        return since.days + since.seconds / 86400 + since.microseconds / 86_400_000_000
    return (value - EPOCH.date()).days


def column_widths(sheet: Sheet) -> list[int]:
    """Each column as wide as its longest value, its header's longest word and a HEADER_LINES
    part of its header, in characters (a date as its format), from NARROWEST to WIDEST."""
    widths = [
        max([len(text) // HEADER_LINES, *(len(word) for word in text.split())])
        for text in sheet.header
    ]
    for index, column in enumerate(itertools.zip_longest(*sheet.rows)):
        texts = max((len(value) for value in column if type(value) is str), default=0)
        others = max((_size(value) for value in column if type(value) is not str), default=0)
        widths[index] = max(widths[index], texts, others)
    return [min(max(width, NARROWEST), WIDEST) + PADDING for width in widths]


def _size(value: Value) -> int:
    """How many characters a value shows as (nothing: none)."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len(MOMENT_FORMAT)
    return len(DATE_FORMAT) if isinstance(value, dt.date) else len(str(value))
