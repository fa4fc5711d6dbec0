"""Alembic, driven from code: `advisorybot db upgrade` and the schema check every command makes.

The check reads the schema's revision from Alembic's own table and compares it with
SCHEMA_REVISION, without loading Alembic: every command, `run` first, makes it, and Alembic (with
its migration scripts) costs a tenth of the bot's memory. tests/integration/test_migrations.py
holds SCHEMA_REVISION to Alembic's head; Alembic runs the migrations themselves.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_REVISION = "0016"  # the newest migration in storage/migrations/versions


class DatabaseNotReady(Exception):
    """The database schema is not at the revision this code expects."""

    def __init__(self, current: str | None, expected: str) -> None:
        super().__init__(f"database at {current}, code expects {expected}")
        self.current = current
        self.expected = expected


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - see the module's docstring

    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent)."""
    from alembic import command  # noqa: PLC0415 - see the module's docstring

    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision Alembic recorded in its table; None before the first upgrade."""
    async with engine.connect() as connection:
        try:
            found: str | None = await connection.scalar(
                text("SELECT version_num FROM alembic_version")
            )
        except DBAPIError:  # no such table: nothing migrated yet
            return None
        return found


async def ensure_current(engine: AsyncEngine) -> None:
    """Raise DatabaseNotReady unless the schema is at head."""
    current = await current_revision(engine)
    if current != SCHEMA_REVISION:
        raise DatabaseNotReady(current, SCHEMA_REVISION)


__all__ = ["DatabaseNotReady", "current_revision", "ensure_current", "is_sqlite", "upgrade"]
