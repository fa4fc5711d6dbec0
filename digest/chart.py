"""The digest's files: the monthly activity chart (PNG, inline in the e-mail) and the details
workbook (XLSX attachment). Labels come from the caller, already in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from core.templates import Words
from digest.build import Digest
from storage.team import TaskView, TeamView

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAR_WIDTH = 0.4
Row = Sequence[str | int | float | dt.date | None]


def chart_png(digest: Digest, *, reports: str, tasks: str) -> bytes:
    """Grouped bars per month: reports received and tasks completed, legend in the labels.

    A Figure of its own (no pyplot state: safe beside other work, nothing to close), and
    matplotlib imported here: it costs a second and tens of MB, and only a digest needs it.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    months = [m.month.strftime("%Y-%m") for m in digest.months]
    positions = range(len(months))
    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.subplots()
    axes.bar(
        [p - BAR_WIDTH / 2 for p in positions],
        [m.reports for m in digest.months],
        BAR_WIDTH,
        label=reports,
        color="#1f6fb2",
    )
    axes.bar(
        [p + BAR_WIDTH / 2 for p in positions],
        [m.tasks for m in digest.months],
        BAR_WIDTH,
        label=tasks,
        color="#f0a030",
    )
    axes.set_xticks(list(positions), months, rotation=45, ha="right", fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


HEADERS = {
    "teams": ("teryt", "jst", "adviser", "phase", "overdue", "open_tasks", "report", "questions"),
    "tasks": ("teryt", "jst", "code", "title", "due_on", "state", "overdue"),
    "questions": ("teryt", "jst", "adviser", "answered", "median_h", "p90_h", "open", "oldest_h"),
}


def digest_sheets(digest: Digest, words: Words) -> dict[str, list[Row]]:
    """The workbook's sheets in the reader's language (`words`: a macro of the digest's labels
    by name): headers first, then one row per JST, task and adviser."""
    sheets: dict[str, list[Row]] = {
        name: [[words("xlsx_header", key=key) for key in keys]] for name, keys in HEADERS.items()
    }
    for team in digest.teams:
        sheets["teams"].append(_team_row(team, words))
        sheets["tasks"] += [_task_row(team, task, words) for task in team.tasks]
    for r in digest.response:
        sheets["questions"].append(
            [
                r.teryt,
                r.jst_name,
                r.adviser_name,
                r.answered,
                _hours(r.median),
                _hours(r.p90),
                r.open,
                _hours(r.oldest_open),
            ]
        )
    return {words("xlsx_sheet", name=name): rows for name, rows in sheets.items()}


def _team_row(team: TeamView, words: Words) -> Row:
    report = words("report_state", state=team.report.state) if team.report else None
    return [
        team.teryt,
        team.jst_name,
        team.adviser,
        words("phase", team=team),
        team.overdue,
        len(team.upcoming),
        report,
        team.open_questions,
    ]


def _task_row(team: TeamView, task: TaskView, words: Words) -> Row:
    title = words("task_title", task=task)
    state = words("task_state", state=task.state)
    return [team.teryt, team.jst_name, task.code, title, task.due_on, state, int(task.overdue)]


def digest_xlsx(digest: Digest, words: Words) -> bytes:
    """The details as a workbook; every text cell is a string, never a formula."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for title, rows in digest_sheets(digest, words).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _hours(span: dt.timedelta | None) -> float | None:
    """A timedelta as hours to one decimal (the unit a spreadsheet reader sums)."""
    return None if span is None else round(span.total_seconds() / 3600, 1)
