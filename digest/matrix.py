"""The programme at a glance: a traffic light for each JST and step (its tasks, its training
rounds, its monthly reports), the digest's chart and its workbook's first sheet.

A task is done once accepted, in review while submitted, late past its deadline (the team must
act: pending or returned), due soon within SOON_DAYS, else not yet. A training round is done
when someone of the team attended it, late when it is over and nobody did or nothing was
recorded, due soon while it is held or within SOON_DAYS of its start. The reports are late when a
month went past its deadline unsent, done when the latest month due is sent, due soon while
the latest month is being collected, not yet before monitoring starts. A step a JST's cohort
does not have is blank (None).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from storage.models import ProgrammeStep, TaskState
from storage.programme import TRAINING
from storage.team import STEP_TASK, TeamView

SOON_DAYS = 14
REPORTS = "reports"  # the column of the monthly reports


class Light(StrEnum):
    DONE = "done"
    REVIEW = "review"
    SOON = "soon"
    LATE = "late"
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class Column:
    """A step of the matrix: a task or a training round (by its code), or the reports."""

    code: str
    kind: str  # STEP_TASK, TRAINING or REPORTS
    title_pl: str
    title_en: str
    starts_on: dt.date | None  # a round's first day
    due_on: dt.date | None  # a task's deadline in the cohort's calendar (a JST may have its own)


@dataclass(frozen=True)
class Cell:
    light: Light
    due_on: dt.date | None  # this JST's date for the step: a task's deadline, a round's last day


@dataclass(frozen=True)
class MatrixRow:
    team: TeamView
    cells: tuple[Cell | None, ...]  # one per column; None: not a step of the JST's cohort


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[MatrixRow, ...]

    def count(self, column: int, light: Light) -> int:
        return self._counts[column][light]

    def expected(self, column: int, today: dt.date) -> int:
        """The JSTs that should have the step done by `today` (its date is past)."""
        return sum(
            1
            for row in self.rows
            if (cell := row.cells[column]) is not None
            and cell.due_on is not None
            and cell.due_on < today
        )

    def total(self, light: Light) -> int:
        return sum(counts[light] for counts in self._counts)

    @cached_property
    def _counts(self) -> tuple[Counter[Light], ...]:
        return tuple(
            Counter(cell.light for row in self.rows if (cell := row.cells[index]) is not None)
            for index in range(len(self.columns))
        )


def build_matrix(
    teams: Sequence[TeamView],
    steps: Mapping[str, Sequence[ProgrammeStep]],
    reports_overdue: dict[int, int],
    today: dt.date,
) -> Matrix:
    """The matrix of these JSTs in their order; `steps`: each cohort's steps by its name, in
    the calendar's order; the columns are every cohort's tasks and rounds in the order of their
    dates, then the reports before the tasks due after monitoring."""
    columns = _columns(steps)
    dates = {  # each cohort's steps once: an ORM attribute is slow to read 36,000 times
        cohort: {step.code: (step.starts_on, step.ends_on) for step in found}
        for cohort, found in steps.items()
    }
    rows = []
    for team in teams:
        own = _Own(team, dates.get(team.cohort, {}), reports_overdue.get(team.jst_id, 0), today)
        rows.append(MatrixRow(team, tuple(own.cell(column) for column in columns)))
    return Matrix(columns, tuple(rows))


def _columns(steps: Mapping[str, Sequence[ProgrammeStep]]) -> tuple[Column, ...]:
    found: dict[str, Column] = {}
    for cohort_steps in steps.values():
        for step in cohort_steps:
            if step.code in found or step.kind not in (STEP_TASK, TRAINING):
                continue
            due = step.due_on if step.kind == STEP_TASK else step.ends_on
            found[step.code] = Column(
                step.code, step.kind, step.title_pl, step.title_en, step.starts_on, due
            )
    ordered = sorted(found.values(), key=lambda c: c.due_on or dt.date.max)
    reports = Column(REPORTS, REPORTS, "Raporty miesięczne", "Monthly reports", None, None)
    return (*ordered, reports)


class _Own:
    """One JST's cells: its tasks and rounds found by code."""

    def __init__(
        self,
        team: TeamView,
        dates: dict[str, tuple[dt.date, dt.date]],
        reports_overdue: int,
        today: dt.date,
    ) -> None:
        self.team, self.dates, self.reports_overdue, self.today = (
            team,
            dates,
            reports_overdue,
            today,
        )
        self.tasks = {task.code: task for task in team.tasks}
        self.rounds = {held.code: held for held in team.attendance}

    def cell(self, column: Column) -> Cell | None:
        if column.kind == REPORTS:
            return _reports_cell(self.team, self.reports_overdue)
        if column.code not in self.dates:
            return None
        if column.kind == TRAINING:
            return self._round(column.code)
        task = self.tasks.get(column.code)
        if task is None:
            return None
        return Cell(_task_light(task.state, task.overdue, task.due_on, self.today), task.due_on)

    def _round(self, code: str) -> Cell:
        starts, ends = self.dates[code]
        held = self.rounds.get(code)
        if held is None:  # not begun
            soon = (starts - self.today).days <= SOON_DAYS
            return Cell(Light.SOON if soon else Light.NOT_YET, ends)
        if held.present:
            return Cell(Light.DONE, ends)
        return Cell(Light.LATE if held.ended else Light.SOON, ends)


def _task_light(state: str, overdue: bool, due_on: dt.date, today: dt.date) -> Light:
    if state == TaskState.ACCEPTED:
        return Light.DONE
    if state == TaskState.SUBMITTED:
        return Light.REVIEW
    if overdue:
        return Light.LATE
    return Light.SOON if (due_on - today).days <= SOON_DAYS else Light.NOT_YET


def _reports_cell(team: TeamView, overdue: int) -> Cell:
    report = team.report
    if overdue:
        light = Light.LATE
    elif report is None:
        light = Light.NOT_YET
    else:
        light = Light.DONE if report.state == "submitted" else Light.SOON
    return Cell(light, report.due_on if report else None)
