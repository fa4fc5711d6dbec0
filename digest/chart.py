"""The digest's chart: the traffic-light matrix of the JSTs and steps (PNG, inline)."""

from __future__ import annotations

import datetime as dt
import io

from core.templates import Words
from digest.matrix import Light, Matrix
from storage.indicators import Indicators

ROWS = 30
COLOURS = {
    Light.DONE: "#1a7f37",
    Light.REVIEW: "#0969da",
    Light.SOON: "#bf8700",
    Light.LATE: "#cf222e",
    Light.NOT_YET: "#d0d7de",
}


def chart_png(
    matrix: Matrix, indicators: Indicators | None, today: dt.date, words: Words
) -> bytes:
    """The first ROWS rows of the matrix, a square per cell."""
    from matplotlib.colors import to_rgb  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    rows = matrix.rows[:ROWS]
    figure = Figure(figsize=(4, 1 + 0.2 * len(rows)), dpi=150)
    axes = figure.subplots()
    blank = (1.0, 1.0, 1.0)
    image = [
        [blank if cell is None else to_rgb(COLOURS[cell.light]) for cell in row.cells]
        for row in rows
    ] or [[blank]]
    axes.imshow(image, aspect="auto")
    axes.set_xticks(range(len(matrix.columns)), [c.code for c in matrix.columns], rotation=90)
    axes.set_yticks(range(len(rows)), [row.team.jst_name for row in rows])
    axes.set_title(words("light", light=Light.LATE.value))
    figure.tight_layout()
    del indicators, today
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
