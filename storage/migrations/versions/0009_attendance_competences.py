"""training rounds' attendance and the competence self-assessment (issue 21)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:00:00

Two tables: who attended which training round (a phase of kind "training" of the cohort's
template), and each member's self-assessment before the first round and after the last. Cohorts
started from "ore-2024" get the self-assessment's questions in the template they store, written
here, not read from the file, so this step means the same whatever the file becomes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COMPETENCES: dict[str, Any] = {
    "min_rounds_attended": 4,
    "after_working_days": 15,
    "scale_pl": [
        "nie potrafię",
        "potrafię z pomocą innych",
        "potrafię samodzielnie w prostych sprawach",
        "potrafię samodzielnie i pewnie",
        "potrafię uczyć i wspierać innych",
    ],
    "scale_en": [
        "I cannot",
        "I can with others' help",
        "I can on my own in simple cases",
        "I can on my own, confidently",
        "I can guide and support others",
    ],
    "question": [
        {
            "key": "data_find",
            "area": "information",
            "title_pl": "Wyszukuję i krytycznie oceniam dane o oświacie w JST (np. SIO, RSPO, "
            "wyniki egzaminów).",
            "title_en": "I find and critically evaluate data on education in the JST (e.g. "
            "SIO, RSPO, exam results).",
        },
        {
            "key": "data_analyse",
            "area": "information",
            "title_pl": "Porządkuję i analizuję dane w arkuszu kalkulacyjnym, by wyciągać "
            "wnioski do decyzji.",
            "title_en": "I organise and analyse data in a spreadsheet to draw conclusions for "
            "decisions.",
        },
        {
            "key": "collaborate",
            "area": "communication",
            "title_pl": "Współpracuję z dyrektorami szkół i zespołem przez narzędzia online "
            "(wspólne dokumenty, wideospotkania).",
            "title_en": "I work with school heads and the team through online tools (shared "
            "documents, video meetings).",
        },
        {
            "key": "consult",
            "area": "communication",
            "title_pl": "Prowadzę konsultacje z mieszkańcami i rodzicami w kanałach cyfrowych "
            "(ankiety online, BIP, media społecznościowe).",
            "title_en": "I consult residents and parents through digital channels (online "
            "surveys, BIP, social media).",
        },
        {
            "key": "create",
            "area": "content",
            "title_pl": "Tworzę i edytuję treści cyfrowe (prezentacje, infografiki, dokumenty "
            "dostępne cyfrowo).",
            "title_en": "I create and edit digital content (presentations, infographics, "
            "accessible documents).",
        },
        {
            "key": "licences",
            "area": "content",
            "title_pl": "Stosuję prawo autorskie i licencje (np. Creative Commons), publikując "
            "materiały.",
            "title_en": "I apply copyright and licences (e.g. Creative Commons) when "
            "publishing materials.",
        },
        {
            "key": "personal_data",
            "area": "safety",
            "title_pl": "Chronię dane osobowe uczniów i pracowników (RODO) w systemach szkół i "
            "JST.",
            "title_en": "I protect the personal data of pupils and staff (GDPR) in the "
            "schools' and the JST's systems.",
        },
        {
            "key": "cybersecurity",
            "area": "safety",
            "title_pl": "Znam zasady cyberbezpieczeństwa (hasła, kopie zapasowe, phishing) i "
            "umiem wdrożyć je w szkołach.",
            "title_en": "I know the rules of cybersecurity (passwords, backups, phishing) and "
            "can put them in place in schools.",
        },
        {
            "key": "infrastructure",
            "area": "problem_solving",
            "title_pl": "Oceniam potrzeby szkół w zakresie sprzętu i sieci i planuję, jak je "
            "zaspokoić.",
            "title_en": "I assess the schools' needs for equipment and networks and plan how "
            "to meet them.",
        },
        {
            "key": "digital_gaps",
            "area": "problem_solving",
            "title_pl": "Rozpoznaję luki w kompetencjach cyfrowych i wykluczenie cyfrowe "
            "uczniów, nauczycieli i rodziców i planuję działania, które je "
            "zmniejszają.",
            "title_en": "I recognise gaps in digital competences and the digital exclusion of "
            "pupils, teachers and parents, and plan actions to reduce them.",
        },
    ],
}


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("step_code", sa.String(length=20), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendance_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("person_id", "step_code", name=op.f("uq_attendance_person_id")),
    )
    op.create_table(
        "self_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("moment", sa.String(length=10), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("submitted_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_self_assessments_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessments")),
        sa.UniqueConstraint("person_id", "moment", name=op.f("uq_self_assessments_person_id")),
    )
    _update_stored_templates()


def _update_stored_templates() -> None:
    """The template each ore-2024 cohort stores gets the self-assessment, unless it has one."""
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
        if "competences" in template:
            continue
        template["competences"] = COMPETENCES
        connection.execute(
            cohorts.update().where(cohorts.c.id == cohort_id).values(template=template)
        )


def downgrade() -> None:
    op.drop_table("self_assessments")
    op.drop_table("attendance")
