"""forms, task events, review rounds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:25:22.366892
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("started_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_forms_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forms")),
        sa.UniqueConstraint("person_id", name=op.f("uq_forms_person_id")),
    )
    op.create_table(
        "task_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jst_id", sa.Integer(), nullable=False),
        sa.Column("step_code", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jst_id"], ["jsts.id"], name=op.f("fk_task_events_jst_id_jsts")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_task_events_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_events")),
    )
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.create_index("ix_task_events_jst_step", ["jst_id", "step_code"], unique=False)

    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_round", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.drop_column("review_round")

    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.drop_index("ix_task_events_jst_step")

    op.drop_table("task_events")
    op.drop_table("forms")
