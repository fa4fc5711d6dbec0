"""erasure requests (GDPR Art. 17) with their legal deadline and what became of them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 09:00:00

Until now a request only stamped `people.erasure_requested_at`. Each stamped person becomes a
request: pending (deadline one month after the request, Art. 12(3), by its date in Warsaw), or
done when the person was erased already (by "operator": earlier versions did not say who).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ZONE = ZoneInfo("Europe/Warsaw")
STATES = ("pending", "confirming", "done", "cancelled")


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*STATES, name="erasure_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("requested_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("cancelled_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("done_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_erasure_requests_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_requests_person_id"), ["person_id"], unique=False
        )
    _requests_of_stamped_people()


def _requests_of_stamped_people() -> None:
    people = sa.table(
        "people",
        sa.column("id", sa.Integer),
        sa.column("erasure_requested_at", storage.models.UtcDateTime(timezone=True)),
        sa.column("erased_at", storage.models.UtcDateTime(timezone=True)),
    )
    requests = sa.table(
        "erasure_requests",
        sa.column("person_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("via", sa.String),
        sa.column("requested_at", storage.models.UtcDateTime(timezone=True)),
        sa.column("deadline", sa.Date),
        sa.column("done_at", storage.models.UtcDateTime(timezone=True)),
        sa.column("done_by", sa.String),
        sa.column("summary", sa.JSON),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(people.c.id, people.c.erasure_requested_at, people.c.erased_at).where(
            sa.or_(people.c.erasure_requested_at.is_not(None), people.c.erased_at.is_not(None))
        )
    )
    rows = []
    for person_id, requested_at, erased_at in list(found):
        at: dt.datetime = requested_at or erased_at
        rows.append(
            {
                "person_id": person_id,
                "state": "done" if erased_at else "pending",
                "via": "telegram" if requested_at else "operator",
                "requested_at": at,
                "deadline": at.astimezone(ZONE).date() + relativedelta(months=1),
                "done_at": erased_at,
                "done_by": "operator" if erased_at else None,
                "summary": {},
            }
        )
    if rows:
        connection.execute(requests.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_requests_person_id"))
    op.drop_table("erasure_requests")
