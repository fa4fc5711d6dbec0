"""outbox: claimed vs sending, planned rows (working time, stale, withdrawn), repeats; app keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("planned_by", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("stale_at", storage.models.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("repeat", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "app_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_keys")),
    )


def downgrade() -> None:
    op.drop_table("app_keys")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("repeat")
        batch.drop_column("stale_at")
        batch.drop_column("planned_by")
