"""monitoring starts the month after each JST's resolution; DP a month after the last report;
the dissemination task UPOW closes the programme

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:40:00

Cohorts started from the programme "ore-2024" get what that file now carries: the template
stored with the cohort says `monitoring.starts = "resolution"` (no `starts_at_end_of`), DP is
due a month after monitoring ends, and UPOW ("Upowszechnienie efektów projektu") a month after
DP; their steps are planned again as for a JST adopting the plan on the resolution task's due
date (the cohort's UCHWALA step): the reports from the month after it, each due on `due_day` of
the next month, DP a month after the last report's deadline, UPOW a month after DP, a day off
moved to the next working day. Each JST's own dates follow from its resolution
(storage/monitoring.py). Reports already stored keep their rows and their step codes.

A cohort of another programme keeps its calendar: its stored template says
`starts = "phase"`, which is what its `starts_at_end_of` meant.

The values and the rules are written here, not read from the file or the code, so this step
means the same whatever they become.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import holidays
import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ONE_DAY = dt.timedelta(days=1)
UPOW = {
    "code": "UPOW",
    "title_pl": "Upowszechnienie efektów projektu: poinformowanie środowiska oświatowego o "
    "efektach prac",
    "title_en": "Dissemination: the education community informed of the project's results",
    "label_pl": "upowszechnienie efektów",
    "label_en": "dissemination",
    "due_at_end_of": None,
    "due_after": {"step": "DP", "months": 1},
    "resolution": False,
}
DP_AFTER = {"step": "monitoring", "months": 1}

cohorts = sa.table(
    "cohorts",
    sa.column("id", sa.Integer),
    sa.column("template_code", sa.String),
    sa.column("template", sa.JSON),
)
steps = sa.table(
    "programme_steps",
    sa.column("id", sa.Integer),
    sa.column("cohort_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("code", sa.String),
    sa.column("kind", sa.String),
    sa.column("title_pl", sa.Text),
    sa.column("title_en", sa.Text),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
    sa.column("due_on", sa.Date),
    sa.column("label_pl", sa.Text),
    sa.column("label_en", sa.Text),
)


def _working_day_from(day: dt.date, days_off: holidays.HolidayBase) -> dt.date:
    while day.weekday() >= 5 or day in days_off:
        day += ONE_DAY
    return day


def _month_after(day: dt.date) -> dt.date:
    following = day + ONE_DAY
    return following if following.day == 1 else following.replace(day=1) + relativedelta(months=1)


def upgrade() -> None:
    connection = op.get_bind()
    days_off = holidays.country_holidays("PL")
    for cohort_id, code, template in list(
        connection.execute(sa.select(cohorts.c.id, cohorts.c.template_code, cohorts.c.template))
    ):
        monitoring = template.get("monitoring")
        if not isinstance(monitoring, dict):
            continue  # not a template this step knows
        if code == "ore-2024":
            _ore_template(template)
            _replan(connection, cohort_id, monitoring.get("due_day", 15), days_off)
        elif "starts" not in monitoring and monitoring.get("starts_at_end_of"):
            monitoring["starts"] = "phase"
        connection.execute(
            cohorts.update().where(cohorts.c.id == cohort_id).values(template=template)
        )


def _ore_template(template: dict[str, Any]) -> None:
    monitoring = template["monitoring"]
    monitoring["starts"] = "resolution"
    monitoring["starts_at_end_of"] = None
    tasks = template.setdefault("task", [])
    for task in tasks:
        if task.get("code") == "DP":
            task["due_at_end_of"], task["due_after"] = None, dict(DP_AFTER)
    if not any(task.get("code") == "UPOW" for task in tasks):
        tasks.append(dict(UPOW))


def _replan(
    connection: sa.Connection, cohort_id: int, due_day: int, days_off: holidays.HolidayBase
) -> None:
    """The reports, DP and UPOW as planned from the cohort's UCHWALA step; positions again."""
    rows = {
        row.code: row
        for row in connection.execute(sa.select(steps).where(steps.c.cohort_id == cohort_id))
    }
    resolution = rows.get("UCHWALA")
    if resolution is None or resolution.due_on is None:
        return
    month = _month_after(resolution.due_on)
    due = resolution.due_on
    for code in sorted(c for c, row in rows.items() if row.kind == "report"):
        following = month + relativedelta(months=1)
        due = _working_day_from(following.replace(day=due_day), days_off)
        _set(connection, rows[code].id, month, following - ONE_DAY, due)
        month = following
    dp_term = due + relativedelta(months=1)
    dp_due = _working_day_from(dp_term, days_off)
    if "DP" in rows:
        _set(connection, rows["DP"].id, due + ONE_DAY, dp_term, dp_due)
    upow_term = dp_due + relativedelta(months=1)
    if "UPOW" not in rows:
        connection.execute(
            steps.insert().values(
                cohort_id=cohort_id,
                position=0,
                code="UPOW",
                kind="task",
                title_pl=UPOW["title_pl"],
                title_en=UPOW["title_en"],
                starts_on=dp_due + ONE_DAY,
                ends_on=upow_term,
                due_on=_working_day_from(upow_term, days_off),
                label_pl=UPOW["label_pl"],
                label_en=UPOW["label_en"],
            )
        )
    ordered = connection.execute(
        sa.select(steps.c.id, steps.c.starts_on, steps.c.kind, steps.c.position).where(
            steps.c.cohort_id == cohort_id
        )
    )
    by_start = sorted(
        ordered, key=lambda r: (r.starts_on, r.kind in ("task", "report"), r.position)
    )
    for position, row in enumerate(by_start, start=1):
        connection.execute(steps.update().where(steps.c.id == row.id).values(position=position))


def _set(
    connection: sa.Connection, step_id: int, starts: dt.date, ends: dt.date, due: dt.date
) -> None:
    connection.execute(
        steps.update()
        .where(steps.c.id == step_id)
        .values(starts_on=starts, ends_on=ends, due_on=due)
    )


def downgrade() -> None:
    """The templates as the code before read them (monitoring from the end of Z4, DP at the end
    of GP, no UPOW; `starts` unknown to it); the steps' dates are not planned back, UPOW's
    step goes."""
    connection = op.get_bind()
    for cohort_id, code, template in list(
        connection.execute(sa.select(cohorts.c.id, cohorts.c.template_code, cohorts.c.template))
    ):
        monitoring = template.get("monitoring")
        if not isinstance(monitoring, dict):
            continue
        monitoring.pop("starts", None)
        if code == "ore-2024":
            monitoring["starts_at_end_of"] = "Z4"
            template["task"] = [t for t in template.get("task", []) if t.get("code") != "UPOW"]
            for task in template["task"]:
                task.pop("due_after", None)
                if task.get("code") == "DP":
                    task["due_at_end_of"] = "GP"
            connection.execute(
                steps.delete().where(steps.c.cohort_id == cohort_id, steps.c.code == "UPOW")
            )
        connection.execute(
            cohorts.update().where(cohorts.c.id == cohort_id).values(template=template)
        )
