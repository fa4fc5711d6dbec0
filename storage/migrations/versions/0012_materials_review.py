"""the materials' review loop: the beneficiary's preparation materials reviewed by ORE's experts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00

Two new tables (a material and its history); the role `expert` needs no change: roles are
stored as strings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STATES = ("submitted", "returned", "accepted")


def upgrade() -> None:
    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*STATES, name="material_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("accepted_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_materials_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["people.id"], name=op.f("fk_materials_submitted_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["people.id"], name=op.f("fk_materials_reviewed_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_materials_cohort_id"), ["cohort_id"], unique=False)
    op.create_table(
        "material_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_material_events_material_id_materials"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_material_events_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_events")),
        sa.UniqueConstraint("source", name=op.f("uq_material_events_source")),
    )
    with op.batch_alter_table("material_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_material_events_material_id"), ["material_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("material_events")
    op.drop_table("materials")
