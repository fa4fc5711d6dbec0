"""The digest's files: the chart (PNG, inline in the e-mail) and the workbook's matrix sheet
(XLSX attachment). Labels come from the caller, already in the reader's language.

The chart is drawn for a phone: the e-mail shows it at the full width of a ~343 CSS px column,
so it is WIDTH inches wide and no type is smaller than FONT points: a point then shows as
343 / (72 * WIDTH) CSS px, whatever the DPI (which only makes it sharp on a dense screen).
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.templates import Words
from digest.build import LIST_CAP
from digest.matrix import Column, Light, Matrix, MatrixRow
from digest.workbook import Sheet
from storage.indicators import Indicator, Indicators

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH = 4.0  # inches
DPI = 160  # 640 px wide
COLUMN_CSS_PX = 343  # the e-mail's column on a 375 px phone screen
FONT = 9.5  # points, the smallest type: 11.3 CSS px at WIDTH inches in COLUMN_CSS_PX
TITLE_FONT = 11.0
ROWS = LIST_CAP  # JSTs in the matrix, those needing attention first; the rest are in the workbook
ROW = 0.2  # inches: a matrix row
NAMES = 1.5  # inches: the JST names left of the matrix
NAME_CHARS = 17  # a longer name is cut with an ellipsis
EDGE = 0.1  # inches: the margins
LINE = 0.22  # inches: a line of FONT type
# Okabe-Ito colours (told apart with any colour vision), each with a symbol: colour alone
# does not tell a light.
COLOURS = {
    Light.DONE: "009E73",
    Light.REVIEW: "56B4E9",
    Light.SOON: "F0E442",
    Light.LATE: "D55E00",
    Light.NOT_YET: "E4E4E4",
}
SYMBOLS = {
    Light.DONE: "✓",
    Light.REVIEW: "◐",
    Light.SOON: "!",
    Light.LATE: "✗",
    Light.NOT_YET: "–",
}
MARK = (0.8 * FONT) ** 2  # a symbol's area in points²: FONT type's capitals
EXPECTED_LINE = 1.8  # points
INK = {Light.DONE: "white", Light.LATE: "white"}  # else black
STACK = (Light.DONE, Light.REVIEW, Light.LATE, Light.SOON, Light.NOT_YET)  # bottom up
INDICATORS = (
    "staff_supported",
    "staff_women",
    "staff_men",
    "jsts_under_advisory",
    "staff_improved",
)
_DRAWING = threading.Lock()


def css_px(points: float) -> float:
    """How big type of `points` shows in the e-mail's column (the chart at its full width)."""
    return points * COLUMN_CSS_PX / (72 * WIDTH)


def chart_png(
    matrix: Matrix,
    indicators: Indicators | None,
    today: dt.date,
    words: Words,
) -> bytes:
    """The chart (see `_draw`), one at a time in the process: matplotlib and FreeType are not
    thread-safe, and the e-mail sender draws in a thread (two deliveries may overlap)."""
    with _DRAWING:
        return _draw(matrix, indicators, today, words)


def _draw(
    matrix: Matrix,
    indicators: Indicators | None,
    today: dt.date,
    words: Words,
) -> bytes:
    """From the top: a title and the lights' legend; for every step, how many of all the JSTs
    have it done, in review, late... against how many should (their date is past); the matrix
    of the first ROWS JSTs (step codes on top, the bars above share its columns) and how many
    more the workbook lists; the indicators against their targets, when given.

    A Figure of its own (no pyplot state: safe beside other work, nothing to close), and
    matplotlib imported here: it costs a second and tens of MB, and only a digest needs it.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.lines import Line2D  # noqa: PLC0415

    shown = matrix.rows[:ROWS]
    heights = {
        "title": 2 * LINE,
        "legend": 2 * LINE,
        "steps_title": 2.5 * LINE,
        "bars": 1.2,
        "codes": 0.8,
        "matrix": max(len(shown), 1) * ROW,
        "more": 2 * LINE if len(matrix.rows) > len(shown) else 0.5 * LINE,
        "indicators": (2.3 + 2 * len(INDICATORS)) * LINE if indicators is not None else 0,
    }
    height = sum(heights.values()) + 2 * EDGE
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    top = height - EDGE

    def band(name: str) -> tuple[float, float]:
        """The band's top and bottom in inches from the figure's bottom, next one below."""
        nonlocal top
        upper, top = top, top - heights[name]
        return upper, top

    def axes(left: float, bottom: float, width: float, tall: float) -> Axes:
        return figure.add_axes((left / WIDTH, bottom / height, width / WIDTH, tall / height))

    upper, _ = band("title")
    figure.text(
        EDGE / WIDTH,
        upper / height,
        words("title", today=today),
        va="top",
        fontsize=TITLE_FONT,
        weight="bold",
    )
    _legend(figure, height, band("legend"), words)
    upper, lower = band("steps_title")
    figure.text(
        EDGE / WIDTH,
        (upper - 0.3 * LINE) / height,
        words("steps_title", count=len(matrix.rows)),
        va="top",
        fontsize=FONT,
    )
    figure.legend(
        [Line2D([], [], color="black", linewidth=EXPECTED_LINE)],
        [words("expected")],
        loc="upper left",
        bbox_to_anchor=(EDGE / WIDTH, (upper - 1.2 * LINE) / height),
        frameon=False,
        fontsize=FONT,
        borderaxespad=0,
        borderpad=0,
        handlelength=1.5,
    )
    cells = WIDTH - NAMES - EDGE
    upper, lower = band("bars")
    _bars(axes(NAMES, lower, cells, upper - lower), matrix, today, words)
    upper, lower = band("codes")
    figure.text(
        EDGE / WIDTH,
        (lower + 0.05) / height,
        textwrap.fill(words("matrix_title"), NAME_CHARS + 2),
        fontsize=FONT,
        weight="bold",
        va="bottom",
    )
    upper, lower = band("matrix")
    _matrix(axes(NAMES, lower, cells, upper - lower), matrix.columns, shown, words)
    upper, lower = band("more")
    if len(matrix.rows) > len(shown):
        figure.text(
            EDGE / WIDTH,
            (upper - 0.3 * LINE) / height,
            words("more", count=len(matrix.rows) - len(shown)),
            va="top",
            fontsize=FONT,
            style="italic",
        )
    if indicators is not None:
        upper, lower = band("indicators")
        figure.text(
            EDGE / WIDTH,
            upper / height,
            words("indicators_title"),
            va="top",
            fontsize=FONT,
            weight="bold",
        )
        _indicators(axes(EDGE, lower, WIDTH - 2 * EDGE, upper - lower - LINE), indicators, words)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    """The figure as a PNG of 256 colours: a quarter of the bytes of a full-colour one (~70 KB,
    for 0.1 s), every flat colour kept exact; only antialiased edges get fewer shades."""
    from PIL import Image  # noqa: PLC0415 - with matplotlib, which brings it, when a chart is drawn

    raw = io.BytesIO()
    figure.savefig(raw, format="raw")  # RGBA, as many pixels as Agg draws: the size cut down
    width, height = (int(side) for side in figure.bbox.size)
    image = Image.frombuffer("RGBA", (width, height), raw.getvalue()).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256).save(buffer, format="PNG")
    return buffer.getvalue()


def _legend(figure: Figure, height: float, band: tuple[float, float], words: Words) -> None:
    """The lights in three columns: a coloured square with the symbol, then the word."""
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    upper, _ = band
    step = (WIDTH - 2 * EDGE) / 3
    for index, light in enumerate(Light):
        left = EDGE + (index % 3) * step
        bottom = upper - (index // 3 + 1) * LINE
        square = Rectangle(
            (left / WIDTH, (bottom + 0.02) / height),
            (LINE - 0.04) / WIDTH,
            (LINE - 0.04) / height,
            transform=figure.transFigure,
            facecolor=f"#{COLOURS[light]}",
            edgecolor="#888888",
            linewidth=0.5,
        )
        figure.add_artist(square)
        middle = (bottom + LINE / 2) / height
        centre = (left + LINE / 2 - 0.02) / WIDTH
        figure.text(
            centre,
            middle,
            SYMBOLS[light],
            ha="center",
            va="center",
            fontsize=FONT,
            color=INK.get(light, "black"),
        )
        figure.text(
            (left + LINE + 0.03) / WIDTH,
            middle,
            words("light", light=light.value),
            va="center",
            fontsize=FONT,
        )


def _bars(axes: Axes, matrix: Matrix, today: dt.date, words: Words) -> None:
    """Each step's JSTs stacked by light, and a line at how many should have it done."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    positions = range(len(matrix.columns))
    bottoms = [0] * len(matrix.columns)
    for light in STACK:
        counts = [matrix.count(index, light) for index in positions]
        axes.bar(
            positions,
            counts,
            0.8,
            bottom=bottoms,
            color=f"#{COLOURS[light]}",
            edgecolor="#888888",
            linewidth=0.3,
        )
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    expected = [matrix.expected(index, today) for index in positions]
    due = [(p, n) for p, n in zip(positions, expected, strict=True) if n]  # no date past: none
    axes.hlines(
        [n for _, n in due],
        [p - 0.5 for p, _ in due],
        [p + 0.5 for p, _ in due],
        colors="black",
        linewidth=EXPECTED_LINE,
    )
    axes.set_xlim(-0.5, len(matrix.columns) - 0.5)
    axes.set_ylim(0, max([*bottoms, *expected, 1]) * 1.05)
    axes.set_xticks([])
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.tick_params(labelsize=FONT)
    axes.set_ylabel(words("axis_jsts"), fontsize=FONT)
    axes.spines[["top", "right"]].set_visible(False)


def _matrix(
    axes: Axes, columns: Sequence[Column], shown: Sequence[MatrixRow], words: Words
) -> None:
    """A coloured square per JST and step, with its light's symbol; white: not its step."""
    import numpy as np  # noqa: PLC0415

    width = len(columns)
    image = np.ones((max(len(shown), 1), width, 3))
    marks: dict[Light, tuple[list[int], list[int]]] = {light: ([], []) for light in Light}
    for y, row in enumerate(shown):
        for x, cell in enumerate(row.cells):
            if cell is not None:
                image[y, x] = _rgb(COLOURS[cell.light])
                marks[cell.light][0].append(x)
                marks[cell.light][1].append(y)
    axes.imshow(
        image,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, width - 0.5, len(image) - 0.5, -0.5),
    )
    for light, (xs, ys) in marks.items():  # a scatter per light: 300 texts take 4 times longer
        axes.scatter(
            xs, ys, s=MARK, marker=f"${SYMBOLS[light]}$", c=INK.get(light, "black"), linewidths=0
        )
    axes.vlines(
        [x + 0.5 for x in range(width - 1)], -0.5, len(image) - 0.5, colors="white", linewidth=1
    )
    axes.hlines(
        [y + 0.5 for y in range(len(image) - 1)], -0.5, width - 0.5, colors="white", linewidth=1
    )
    axes.set_xticks(
        range(width), [words("code", column=c) for c in columns], rotation=90, fontsize=FONT
    )
    axes.xaxis.tick_top()
    names = [_short(row.team.jst_name) for row in shown]
    axes.set_yticks(range(len(names)), names, fontsize=FONT)
    axes.tick_params(length=0, pad=2)
    for spine in axes.spines.values():
        spine.set_visible(False)


def _indicators(axes: Axes, indicators: Indicators, words: Words) -> None:
    """Each indicator's name, and a bar of the share of its target reached, with the numbers;
    the target a line at 100%. A unit of the axes is a LINE."""
    values: list[Indicator] = [getattr(indicators, key) for key in INDICATORS]
    shares = [v.value / v.target if v.target > 0 else 0 for v in values]
    right = max([*shares, 1]) * 1.02
    for index, (key, value, share) in enumerate(zip(INDICATORS, values, shares, strict=True)):
        top = 2 * index + 1
        axes.text(0, top - 0.05, words("indicator", key=key), va="bottom", fontsize=FONT)
        axes.barh(top + 0.5, share, 0.8, color="#0072B2")
        inside = share > right / 2
        axes.text(
            share + (-0.01 if inside else 0.01) * right,
            top + 0.5,
            words("reached", indicator=value),
            ha="right" if inside else "left",
            va="center",
            fontsize=FONT,
            color="white" if inside else "black",
        )
    axes.axvline(1, color="black", linewidth=EXPECTED_LINE)
    axes.text(0.99, 2 * len(values) + 0.1, words("target"), ha="right", va="top", fontsize=FONT)
    axes.set_xlim(0, right)
    axes.set_ylim(2 * len(values) + 1.3, 0)
    axes.set_axis_off()


def _rgb(colour: str) -> tuple[float, float, float]:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def matrix_sheet(matrix: Matrix, words: Words) -> Sheet:
    """The workbook's first sheet: a row per JST (TERYT, name, cohort, adviser), then each
    step's light in words, its cell filled with the chart's colour."""
    header = [words("header", key=key) for key in ("teryt", "jst", "cohort", "adviser")]
    steps = [words("step", column=column) for column in matrix.columns]
    said = {light: words("light", light=light.value) for light in Light}
    rows = [
        [
            row.team.teryt,
            row.team.jst_name,
            row.team.cohort,
            row.team.adviser,
            *(None if cell is None else said[cell.light] for cell in row.cells),
        ]
        for row in matrix.rows
    ]
    fills = {said[light]: COLOURS[light] for light in Light}
    return Sheet(words("sheet"), [*header, *steps], rows, fills, frozen_columns=2)
