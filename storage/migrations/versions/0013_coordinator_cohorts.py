"""the cohorts a coordinator covers: their weekly digest's scope

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:00:00

One new table. Coordinators existing at the upgrade have no cohort in it, so they cover every
cohort, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_cohorts",
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_coordinator_cohorts_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["people.id"],
            name=op.f("fk_coordinator_cohorts_coordinator_id_people"),
        ),
        sa.PrimaryKeyConstraint(
            "coordinator_id", "cohort_id", name=op.f("pk_coordinator_cohorts")
        ),
    )
    with op.batch_alter_table("coordinator_cohorts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coordinator_cohorts_cohort_id"), ["cohort_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("coordinator_cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinator_cohorts_cohort_id"))
    op.drop_table("coordinator_cohorts")
