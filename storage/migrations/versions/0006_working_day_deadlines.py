"""a task's or report's due date on a day off moves to the next working day

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:20:00

Cohorts stored before: their steps' due dates on a Saturday, Sunday or Polish public holiday
move to the next working day, as new cohorts' do (storage/workdays.py). The rule is written
here, not imported, so this step means the same whatever the code becomes.
"""

from __future__ import annotations

import datetime as dt

import holidays
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _working_day_from(day: dt.date, days_off: holidays.HolidayBase) -> dt.date:
    while day.weekday() >= 5 or day in days_off:
        day += dt.timedelta(days=1)
    return day


def upgrade() -> None:
    steps = sa.table(
        "programme_steps",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("due_on", sa.Date),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(steps.c.id, steps.c.due_on).where(
            steps.c.kind.in_(("task", "report")), steps.c.due_on.is_not(None)
        )
    )
    days_off = holidays.country_holidays("PL")
    for step_id, due_on in list(found):
        moved = _working_day_from(due_on, days_off)
        if moved != due_on:
            connection.execute(steps.update().where(steps.c.id == step_id).values(due_on=moved))


def downgrade() -> None:
    """The earlier due dates are not kept: a downgrade leaves the working-day ones."""
