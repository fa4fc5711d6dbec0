"""the bot's send slots: one row that several instances on PostgreSQL reserve their sends from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:00:00

Telegram's ~30 messages a second are the bot's, not a process's: every instance takes its next
send's slot from this row (outbox/send_slots.py). SQLite (one instance) never reads it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_slots")),
    )


def downgrade() -> None:
    op.drop_table("send_slots")
