"""The digest's chart and workbook from matrices built by hand (issue 22): a PNG readable on a
phone whatever the number of JSTs, and a workbook whose first sheet is the matrix, every sheet
filtered, frozen, fitted, with dates as dates, in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image
from PIL.Image import Image as Picture

from core.templates import Templates
from digest.chart import (
    COLOURS,
    COLUMN_CSS_PX,
    DPI,
    FONT,
    ROWS,
    WIDTH,
    chart_png,
    css_px,
    matrix_sheet,
)
from digest.matrix import REPORTS, Cell, Column, Light, Matrix, MatrixRow
from digest.workbook import WIDEST, Sheet, column_widths, workbook_bytes
from storage.indicators import Indicator, Indicators
from storage.team import TeamView

TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))
LABELS = "email/_digest_chart.txt.j2"
TODAY = dt.date(2026, 5, 4)
CODES = ("Z1", "ZW1", "Z2", "ZW2", "UCHWALA")
COLUMNS = (
    *(
        Column(code, "task", f"Krok {code}", f"Step {code}", None, TODAY + dt.timedelta(days=d))
        for code, d in zip(CODES, (-60, -30, -1, 0, 30), strict=True)
    ),
    Column(REPORTS, REPORTS, "Raporty miesięczne", "Monthly reports", None, None),
)
LIGHTS = list(Light)
INDICATORS = Indicators(
    staff_supported=Indicator(80, 110),
    staff_women=Indicator(56, 77),
    staff_men=Indicator(24, 33),
    jsts_under_advisory=Indicator(25, 28),
    staff_improved=Indicator(120, 110),  # past its target
    improved_women=Indicator(9, 77),
    improved_men=Indicator(3, 33),
    members_registered=110,
    members_joined=100,
)


def _team(index: int) -> TeamView:
    name = "Miasto Stołeczne Warszawa" if index % 2 else f"Gmina {index}"
    return TeamView(index, name, f"{index:07d}", "pilot", "Jan Kowalski", None, (), None, 0)


def _matrix(jsts: int) -> Matrix:
    """Every light in turn; the last step missing from every third JST's cohort."""
    lights = itertools.cycle(LIGHTS)
    rows = []
    for index in range(jsts):
        cells: list[Cell | None] = [Cell(next(lights), column.due_on) for column in COLUMNS]
        if index % 3 == 2:
            cells[-2] = None
        rows.append(MatrixRow(_team(index), tuple(cells)))
    return Matrix(COLUMNS, tuple(rows))


def _png(matrix: Matrix, indicators: Indicators | None = INDICATORS, lang: str = "pl") -> Picture:
    data = chart_png(matrix, indicators, TODAY, TEMPLATES.words(lang, LABELS))
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_chart_stays_readable_at_a_phones_width() -> None:
    """Shown at the full width of a 343 CSS px column, the smallest type is 11 CSS px or more
    and the PNG is sharp on a 2x screen."""
    assert css_px(FONT) >= 11
    assert 600 <= WIDTH * DPI <= 700
    assert WIDTH * DPI >= 1.8 * COLUMN_CSS_PX
    image = _png(_matrix(3))
    assert image.format == "PNG"
    assert image.size[0] == WIDTH * DPI


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_chart_shows_the_first_rows_only_however_many_jsts(lang: str) -> None:
    """The matrix is cut at ROWS JSTs: 300 and 2,800 draw the same size, a few draw less."""
    few, some, national = (_png(_matrix(n), lang=lang) for n in (3, 300, 2800))
    assert some.size == national.size
    assert few.size[1] < some.size[1]
    row = 0.2 * DPI  # a matrix row, in pixels
    assert some.size[1] - few.size[1] == pytest.approx((ROWS - 3) * row + 1.5 * 0.22 * DPI, 2)


def test_the_adviser_chart_has_no_indicators() -> None:
    assert _png(_matrix(5), None).size[1] < _png(_matrix(5)).size[1]


def test_the_chart_draws_the_lights_colours() -> None:
    """Every light's colour is in the PNG (its legend and its cells)."""
    image = _png(_matrix(10)).convert("RGB")
    found = {colour for _, colour in image.getcolors(maxcolors=1 << 20) or ()}
    for colour in COLOURS.values():
        assert tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) in found, colour


@pytest.mark.parametrize(
    ("lang", "sheet", "header", "done", "late"),
    [
        ("pl", "Kroki JST", ["TERYT", "JST", "Edycja", "Doradca"], "zrobione", "po terminie"),
        ("en", "JST steps", ["TERYT", "JST", "Cohort", "Adviser"], "done", "late"),
    ],
)
def test_the_matrix_sheet_reads_back_first_in_the_readers_language(
    lang: str, sheet: str, header: list[str], done: str, late: str
) -> None:
    matrix = _matrix(30)
    tasks = Sheet(
        "Tasks",
        ["TERYT", "Code", "Deadline", "Note"],
        [["0000001", "ZW1", dt.date(2026, 3, 1), "=SUM(A1:A2)"], ["0000002", "ZW2", None, 7]],
    )
    first = matrix_sheet(matrix, TEMPLATES.words(lang, LABELS))
    workbook = load_workbook(io.BytesIO(workbook_bytes([first, tasks])))
    assert workbook.sheetnames == [sheet, "Tasks"]
    page: Worksheet = workbook.worksheets[0]
    rows = list(page.iter_rows(values_only=True))
    assert list(rows[0][:4]) == header
    assert rows[0][4] == ("Z1 – Krok Z1" if lang == "pl" else "Z1 – Step Z1")
    assert rows[0][-1] == ("Raporty miesięczne" if lang == "pl" else "Monthly reports")
    assert len(rows) == 31
    assert rows[1][:4] == ("0000000", "Gmina 0", "pilot", "Jan Kowalski")
    assert rows[1][4] == done and rows[1][7] == late  # the lights in turn
    assert rows[3][-2] is None  # not a step of the JST's cohort
    assert (page.freeze_panes, page.auto_filter.ref) == ("C2", "A1:J31")
    assert all(cell.font.b for cell in page[1])
    assert page["E2"].fill.fgColor.rgb == f"FF{COLOURS[Light.DONE]}"
    assert page["H2"].fill.fgColor.rgb == f"FF{COLOURS[Light.LATE]}"
    assert page["I4"].fill.fill_type is None  # blank
    fitted = len("Miasto Stołeczne Warszawa") + 2  # Excel's width adds a fraction for margins
    assert page.column_dimensions["B"].width == pytest.approx(fitted, abs=1)
    other: Worksheet = workbook.worksheets[1]
    assert (other.freeze_panes, other.auto_filter.ref) == ("A2", "A1:D3")
    deadline = other["C2"]
    assert deadline.is_date and deadline.value.date() == dt.date(2026, 3, 1)
    assert deadline.number_format == "yyyy-mm-dd"
    assert (other["D2"].value, other["D2"].data_type) == ("=SUM(A1:A2)", "s")  # not a formula
    assert other["D3"].value == 7


def test_widths_fit_the_longest_value_or_header_word_within_bounds() -> None:
    sheet = Sheet(
        "s",
        ["TERYT", "A header of many words", "x", "a step's title " * 6],
        [["1", "a" * 100, dt.date(2026, 1, 1), "done"], ["12345678901", None, None, None]],
    )
    assert column_widths(sheet) == [13, WIDEST + 2, 12, 90 // 4 + 2]  # a title in 4 lines


def test_a_programme_without_jsts_still_draws() -> None:
    assert _png(Matrix(COLUMNS, ())).size[0] == WIDTH * DPI
