"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:39:56.952578
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("template_code", sa.String(length=100), nullable=False),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
    )
    op.create_table(
        "invite_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_attempts")),
    )
    with op.batch_alter_table("invite_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invite_attempts_telegram_user_id"), ["telegram_user_id"], unique=False
        )

    op.create_table(
        "jsts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "gmina_miejska",
                "gmina_wiejska",
                "gmina_miejsko_wiejska",
                "miasto_na_prawach_powiatu",
                "powiat",
                name="jst_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("voivodeship", sa.String(length=40), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_jsts_cohort_id_cohorts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jsts")),
        sa.UniqueConstraint("teryt", name=op.f("uq_jsts_teryt")),
    )
    with op.batch_alter_table("jsts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jsts_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "programme_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title_pl", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_programme_steps_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_steps")),
        sa.UniqueConstraint("cohort_id", "code", name=op.f("uq_programme_steps_cohort_id")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column(
            "gender",
            sa.Enum("K", "M", name="gender", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "language",
            sa.Enum("pl", "en", name="language", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "role",
            sa.Enum("member", "adviser", "coordinator", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("jst_id", sa.Integer(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("joined_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("notice_confirmed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "telegram_unreachable_at", storage.models.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "erasure_requested_at", storage.models.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("erased_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jst_id"], ["jsts.id"], name=op.f("fk_people_jst_id_jsts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_people_telegram_user_id")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_jst_id"), ["jst_id"], unique=False)

    op.create_table(
        "adviser_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jst_id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=True),
        sa.Column("substitute_from", sa.Date(), nullable=True),
        sa.Column("substitute_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["adviser_id"], ["people.id"], name=op.f("fk_adviser_assignments_adviser_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["jst_id"], ["jsts.id"], name=op.f("fk_adviser_assignments_jst_id_jsts")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"],
            ["people.id"],
            name=op.f("fk_adviser_assignments_substitute_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adviser_assignments")),
        sa.UniqueConstraint("jst_id", name=op.f("uq_adviser_assignments_jst_id")),
    )
    with op.batch_alter_table("adviser_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adviser_assignments_adviser_id"), ["adviser_id"], unique=False
        )

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_invites_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invites_person_id"), ["person_id"], unique=False)

    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jst_id", sa.Integer(), nullable=False),
        sa.Column("step_code", sa.String(length=20), nullable=False),
        sa.Column(
            "state",
            sa.Enum("draft", "submitted", name="report_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jst_id"], ["jsts.id"], name=op.f("fk_monthly_reports_jst_id_jsts")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name=op.f("fk_monthly_reports_started_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["people.id"],
            name=op.f("fk_monthly_reports_submitted_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_reports")),
        sa.UniqueConstraint("jst_id", "step_code", name=op.f("uq_monthly_reports_jst_id")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("telegram", "email", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "at_most_once", "at_least_once", name="delivery", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "skipped",
                name="outbox_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_outbox_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_person_id"), ["person_id"], unique=False)

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jst_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open", "answered", "closed", name="question_state", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("source_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("first_answered_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["adviser_id"], ["people.id"], name=op.f("fk_questions_adviser_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["people.id"], name=op.f("fk_questions_asker_id_people")
        ),
        sa.ForeignKeyConstraint(["jst_id"], ["jsts.id"], name=op.f("fk_questions_jst_id_jsts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("source_key", name=op.f("uq_questions_source_key")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_adviser_id"), ["adviser_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_jst_id"), ["jst_id"], unique=False)

    op.create_table(
        "task_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jst_id", sa.Integer(), nullable=False),
        sa.Column("step_code", sa.String(length=20), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "submitted",
                "returned",
                "accepted",
                name="task_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("extended_until", sa.Date(), nullable=True),
        sa.Column("submitted_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("reviewed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_remarks", sa.Text(), nullable=True),
        sa.Column("accepted_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolution_number", sa.String(length=100), nullable=True),
        sa.Column("resolution_date", sa.Date(), nullable=True),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jst_id"], ["jsts.id"], name=op.f("fk_task_progress_jst_id_jsts")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["people.id"], name=op.f("fk_task_progress_reviewed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["people.id"],
            name=op.f("fk_task_progress_submitted_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_progress")),
        sa.UniqueConstraint("jst_id", "step_code", name=op.f("uq_task_progress_jst_id")),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("to_team", sa.Boolean(), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_answers_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_answers_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint("source_key", name=op.f("uq_answers_source_key")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answers_question_id"), ["question_id"], unique=False)

    op.create_table(
        "message_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_message_links_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_links")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_message_links_chat_id")),
    )
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_links_question_id"), ["question_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_links_question_id"))

    op.drop_table("message_links")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_question_id"))

    op.drop_table("answers")
    op.drop_table("task_progress")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_jst_id"))
        batch_op.drop_index(batch_op.f("ix_questions_adviser_id"))

    op.drop_table("questions")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_person_id"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    op.drop_table("monthly_reports")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invites_person_id"))

    op.drop_table("invites")
    with op.batch_alter_table("adviser_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adviser_assignments_adviser_id"))

    op.drop_table("adviser_assignments")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_jst_id"))

    op.drop_table("people")
    op.drop_table("programme_steps")
    with op.batch_alter_table("jsts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jsts_cohort_id"))

    op.drop_table("jsts")
    with op.batch_alter_table("invite_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_attempts_telegram_user_id"))

    op.drop_table("invite_attempts")
    op.drop_table("cohorts")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
