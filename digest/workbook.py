"""The digest's workbook: sheets of rows, already in the reader's language, written as XLSX.

Every number of the digest can be recounted from these rows (digest/sheets.py says which)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Value = str | int | float | dt.date | None


@dataclass(frozen=True)
class Sheet:
    """One sheet: its localised name and header, its rows; `fills`: a cell's text -> the
    colour ("RRGGBB") its cell is filled with (the matrix's traffic lights)."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Value]]
    fills: dict[str, str] = field(default_factory=dict)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as a workbook, in their order; every text cell is a string, never a formula."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for sheet in sheets:
        page = workbook.create_sheet(sheet.name)
        page.append(list(sheet.header))
        for row in sheet.rows:
            page.append(list(row))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for line in page.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
