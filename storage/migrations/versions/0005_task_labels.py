"""a task's short name for sentences ("zadanie ZW1 (diagnoza wstępna)")

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:30:00

Cohorts started from the programme "ore-2024" get the labels that file now carries; the labels
are written here, not read from the file, so this step means the same whatever the file becomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ORE_2024 = {
    "ZW1": ("diagnoza wstępna", "initial diagnosis"),
    "ZW2": ("debata społeczna", "public debate"),
    "ZW3": ("prace końcowe nad HDR", "final work on the HDR"),
    "HDR_ORE": ("plan HDR dla ORE", "HDR for ORE"),
    "UCHWALA": ("uchwała o HDR", "council resolution"),
    "DP": ("opis dobrej praktyki", "good-practice description"),
}


def upgrade() -> None:
    with op.batch_alter_table("programme_steps") as batch:
        batch.add_column(sa.Column("label_pl", sa.Text(), nullable=True))
        batch.add_column(sa.Column("label_en", sa.Text(), nullable=True))
    steps = sa.table(
        "programme_steps",
        sa.column("cohort_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("label_pl", sa.Text),
        sa.column("label_en", sa.Text),
    )
    cohorts = sa.table(
        "cohorts", sa.column("id", sa.Integer), sa.column("template_code", sa.String)
    )
    ore = sa.select(cohorts.c.id).where(cohorts.c.template_code == "ore-2024")
    for code, (polish, english) in ORE_2024.items():
        op.execute(
            steps.update()
            .where(steps.c.code == code, steps.c.cohort_id.in_(ore))
            .values(label_pl=polish, label_en=english)
        )


def downgrade() -> None:
    with op.batch_alter_table("programme_steps") as batch:
        batch.drop_column("label_en")
        batch.drop_column("label_pl")
