"""training rounds as dated events: date, time, place or link, what to bring

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:00:00

One row per cohort and training phase (Z1..Z4), set by `advisorybot cohort event set`; the
date before its last change is kept for the notice that tells the members.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MODES = ("on_site", "online")


def upgrade() -> None:
    op.create_table(
        "training_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("phase_code", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(*MODES, name="round_mode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("bring", sa.Text(), nullable=True),
        sa.Column("set_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("cancelled_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_training_events_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_events")),
        sa.UniqueConstraint("cohort_id", "phase_code", name=op.f("uq_training_events_cohort_id")),
    )


def downgrade() -> None:
    op.drop_table("training_events")
