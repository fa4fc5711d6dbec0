"""Alembic, driven from code: `advisorybot db upgrade` and the schema check every command makes."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite


class DatabaseNotReady(Exception):
    """The database schema is not at the revision this code expects."""

    def __init__(self, current: str | None, expected: str) -> None:
        super().__init__(f"database at {current}, code expects {expected}")
        self.current = current
        self.expected = expected


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


async def current_revision(engine: AsyncEngine) -> str | None:
    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)


async def ensure_current(engine: AsyncEngine) -> None:
    """Raise DatabaseNotReady unless the schema is at head."""
    expected = head_revision(str(engine.url))
    current = await current_revision(engine)
    if current != expected:
        raise DatabaseNotReady(current, expected)


__all__ = ["DatabaseNotReady", "current_revision", "ensure_current", "is_sqlite", "upgrade"]
