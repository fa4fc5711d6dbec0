"""data versions: a JST's and a cohort's, moved on by the database at every change of what a
team's view shows, so each process may keep the views it built (storage/team.py)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00

`jsts.data_version` and `cohorts.data_version` are moved on by triggers, whoever writes (the
bot, the command line, another instance): the rows of a JST (its tasks, their history, its
reports, questions, adviser, attendance, people) move its JST's version; the cohort's programme
steps and training rounds move the cohort's. A person without a JST (an adviser, a
coordinator) renamed or erased may be named in any JST's view: every JST's version moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# table -> (the table whose version it moves, the column naming that table's row)
BY_COLUMN = {
    "task_progress": ("jsts", "jst_id"),
    "task_events": ("jsts", "jst_id"),
    "monthly_reports": ("jsts", "jst_id"),
    "questions": ("jsts", "jst_id"),
    "adviser_assignments": ("jsts", "jst_id"),
    "programme_steps": ("cohorts", "cohort_id"),
    "training_events": ("cohorts", "cohort_id"),
}
# a JST's or a cohort's own columns that a view shows
OWN = {"jsts": ("name", "teryt", "cohort_id"), "cohorts": ("name", "start_date", "template")}
PEOPLE_SHOWN = ("full_name", "erased_at", "jst_id", "role")
BUMP = "UPDATE {table} SET data_version = data_version + 1 WHERE {where}"


def upgrade() -> None:
    for table in OWN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("data_version", sa.Integer(), server_default="0", nullable=False)
            )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in (*BY_COLUMN, *OWN, "attendance", "people"):
        for statement in _drops(table, postgresql):
            op.execute(statement)
    if postgresql:
        for function in ("bump_data_version", "bump_jst_of_attendance", "bump_jsts_of_person"):
            op.execute(f"DROP FUNCTION {function}()")
    for table in OWN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("data_version")


def _drops(table: str, postgresql: bool) -> list[str]:
    """Every name a trigger of `table` may have here, on either database."""
    on = f" ON {table}" if postgresql else ""
    return [
        f"DROP TRIGGER IF EXISTS {table}_data_version{suffix}{on}"
        for suffix in ("", "_insert", "_update", "_delete")
    ]


def _sqlite_triggers() -> None:
    """One trigger an event (SQLite has no `INSERT OR UPDATE` trigger, nor functions)."""
    for table, (target, column) in BY_COLUMN.items():
        _sqlite(table, target, f"id = NEW.{column}", f"id = OLD.{column}")
    for table, columns in OWN.items():
        shown = ", ".join(columns)
        op.execute(
            f"CREATE TRIGGER {table}_data_version_update AFTER UPDATE OF {shown} ON {table} "
            f"BEGIN {BUMP.format(table=table, where='id = NEW.id')}; END"
        )
    of_person = "id = (SELECT jst_id FROM people WHERE id = {}.person_id)"
    _sqlite("attendance", "jsts", of_person.format("NEW"), of_person.format("OLD"))
    # A person without a JST may be named in any JST's view (an adviser, in a task's history):
    # renamed or erased, every JST's view moves; one added is in none yet.
    person = "id = {0}.jst_id OR ({0}.jst_id IS NULL AND {0}.role <> 'member')"
    _sqlite(
        "people",
        "jsts",
        person.format("NEW"),
        person.format("OLD"),
        PEOPLE_SHOWN,
        inserted="id = NEW.jst_id",
        when=_changed(PEOPLE_SHOWN, "IS NOT"),
    )


def _sqlite(
    table: str,
    target: str,
    new: str,
    old: str,
    columns: tuple[str, ...] = (),
    *,
    inserted: str = "",
    when: str = "",
) -> None:
    """`new`/`old`: the rows of `target` to move for the new and the old row; `columns`: only
    an update of these (`when`: and this holds)."""
    of = f" OF {', '.join(columns)}" if columns else ""
    condition = f" WHEN {when}" if when else ""
    for event, on, where in (
        ("insert", f"INSERT ON {table}", inserted or new),
        ("update", f"UPDATE{of} ON {table}{condition}", f"({new}) OR ({old})"),
        ("delete", f"DELETE ON {table}", old),
    ):
        op.execute(
            f"CREATE TRIGGER {table}_data_version_{event} AFTER {on} "
            f"BEGIN {BUMP.format(table=target, where=where)}; END"
        )


def _postgresql_triggers() -> None:
    """Row triggers on functions; the generic one reads the named column of the row."""
    op.execute(
        """
        CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                EXECUTE format('UPDATE %I SET data_version = data_version + 1 WHERE id = $1',
                               TG_ARGV[0])
                    USING (to_jsonb(NEW) ->> TG_ARGV[1])::integer;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                EXECUTE format('UPDATE %I SET data_version = data_version + 1 WHERE id = $1',
                               TG_ARGV[0])
                    USING (to_jsonb(OLD) ->> TG_ARGV[1])::integer;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION bump_jst_of_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE jsts SET data_version = data_version + 1 WHERE id IN (
                SELECT jst_id FROM people
                WHERE id IN (
                    CASE WHEN TG_OP <> 'DELETE' THEN NEW.person_id END,
                    CASE WHEN TG_OP <> 'INSERT' THEN OLD.person_id END
                )
            );
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION bump_jsts_of_person() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                UPDATE jsts SET data_version = data_version + 1 WHERE id = NEW.jst_id
                    OR (TG_OP = 'UPDATE' AND NEW.jst_id IS NULL AND NEW.role <> 'member');
            END IF;
            IF TG_OP <> 'INSERT' THEN
                UPDATE jsts SET data_version = data_version + 1 WHERE id = OLD.jst_id
                    OR (OLD.jst_id IS NULL AND OLD.role <> 'member');
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table, (target, column) in BY_COLUMN.items():
        _postgresql(
            table, "INSERT OR UPDATE OR DELETE", f"bump_data_version('{target}', '{column}')"
        )
    for table, columns in OWN.items():
        _postgresql(
            table, f"UPDATE OF {', '.join(columns)}", f"bump_data_version('{table}', 'id')"
        )
    _postgresql("attendance", "INSERT OR UPDATE OR DELETE", "bump_jst_of_attendance()")
    _postgresql("people", "INSERT", "bump_jsts_of_person()", name="people_data_version")
    _postgresql(
        "people",
        f"UPDATE OF {', '.join(PEOPLE_SHOWN)}",
        "bump_jsts_of_person()",
        when=_changed(PEOPLE_SHOWN, "IS DISTINCT FROM"),
        name="people_data_version_update",
    )
    _postgresql("people", "DELETE", "bump_jsts_of_person()", name="people_data_version_delete")


def _postgresql(table: str, events: str, function: str, *, when: str = "", name: str = "") -> None:
    condition = f" WHEN ({when})" if when else ""
    op.execute(
        f"CREATE TRIGGER {name or table + '_data_version'} AFTER {events} ON {table} "
        f"FOR EACH ROW{condition} EXECUTE FUNCTION {function}"
    )


def _changed(columns: tuple[str, ...], differ: str) -> str:
    """Any of these columns changed (a re-import setting a name it had moves nothing)."""
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)
