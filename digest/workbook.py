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
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from xlsxwriter import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Value = str | int | float | dt.date | None
WIDEST = 40  # characters: a column's widest
NARROWEST = 6
PADDING = 2
DATE_FORMAT = "yyyy-mm-dd"
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 (XlsxWriter's own conversion takes 5 times longer)
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
    buffer = io.BytesIO()
    workbook = Workbook(buffer, OPTIONS)
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date = workbook.add_format({"num_format": DATE_FORMAT})
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
                elif isinstance(value, dt.date):  # the day's serial number, as Excel counts
                    page.write_number(number, column, (value - EXCEL_EPOCH).days, date)
                else:
                    page.write_number(number, column, value)
    workbook.close()
    return buffer.getvalue()


def column_widths(sheet: Sheet) -> list[int]:
    """Each column as wide as its longest value, its header's longest word and a HEADER_LINES
    part of its header, in characters (a date as its format), from NARROWEST to WIDEST."""
    widths = [
        max([len(text) // HEADER_LINES, *(len(word) for word in text.split())])
        for text in sheet.header
    ]
    for row in sheet.rows:
        for index, value in enumerate(row):
            if value is not None:
                size = len(DATE_FORMAT) if isinstance(value, dt.date) else len(str(value))
                widths[index] = max(widths[index], size)
    return [min(max(width, NARROWEST), WIDEST) + PADDING for width in widths]
