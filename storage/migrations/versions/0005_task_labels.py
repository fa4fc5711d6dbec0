"""a task's short name for sentences ("zadanie ZW1 (diagnoza wstępna)"); the report form's
question about the month names the month

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:30:00

Cohorts started from the programme "ore-2024" get what that file now carries: the task labels
(in their steps and in the template stored with the cohort) and the question "Co zrobiliście w
dniach {period}?" instead of "… w tym miesiącu?" (asked on 1 October about September). The values
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


QUESTIONS = {  # key: (old title, new title) in Polish and English
    "done": (
        ("Co zrobiliście w tym miesiącu?", "Co zrobiliście w dniach {period}?"),
        ("What did you do this month?", "What did you do in {period}?"),
    )
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
    _update_stored_templates()


def _update_stored_templates() -> None:
    """The template each ore-2024 cohort stores: labels on its tasks, the month's question."""
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
        for task in template.get("task", []):
            if task.get("code") in ORE_2024:
                task["label_pl"], task["label_en"] = ORE_2024[task["code"]]
        for question in template.get("monitoring", {}).get("question", []):
            titles = QUESTIONS.get(question.get("key"), ())
            for language, (old, new) in zip(("pl", "en"), titles, strict=False):
                if question.get(f"title_{language}") == old:
                    question[f"title_{language}"] = new
        connection.execute(
            cohorts.update().where(cohorts.c.id == cohort_id).values(template=template)
        )


def downgrade() -> None:
    with op.batch_alter_table("programme_steps") as batch:
        batch.drop_column("label_en")
        batch.drop_column("label_pl")
