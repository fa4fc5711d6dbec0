"""a resolution's proof: its link in the BIP on the task's row; the plan's task in the template

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00

`/uchwala` now takes the resolution's document or its BIP link, and a resolution is dated on or
after the day the plan was handed in: the task that hands it in is marked `plan = true` in the
template each ore-2024 cohort stores (HDR_ORE), as the file now marks it. The value is written
here, not read from the file, so this step means the same whatever the file becomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PLAN_TASK = "HDR_ORE"


def upgrade() -> None:
    with op.batch_alter_table("task_progress") as batch:
        batch.add_column(sa.Column("resolution_link", sa.Text(), nullable=True))
    _mark_plan(True)


def downgrade() -> None:
    _mark_plan(False)
    with op.batch_alter_table("task_progress") as batch:
        batch.drop_column("resolution_link")


def _mark_plan(marked: bool) -> None:
    """The plan's task of each ore-2024 cohort's stored template, marked or unmarked."""
    cohorts = sa.table(
        "cohorts",
        sa.column("id", sa.Integer),
        sa.column("template_code", sa.String),
        sa.column("template", sa.JSON),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(cohorts.c.id, cohorts.c.template).where(cohorts.c.template_code == "ore-2024")
    )
    for cohort_id, template in list(found):
        for task in template.get("task", []):
            if task.get("code") == PLAN_TASK:
                if marked:
                    task["plan"] = True
                else:
                    task.pop("plan", None)
        connection.execute(
            cohorts.update().where(cohorts.c.id == cohort_id).values(template=template)
        )
