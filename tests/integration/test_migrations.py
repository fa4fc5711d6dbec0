"""Migrations run up from an empty database on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncConnection

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings
from storage.migrate import current_revision, ensure_current, head_revision, upgrade
from storage.models import Base


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    """Services on an empty database, migrated here (not copied from the session's migrated
    one, as other tests' are: tests/conftest.py)."""
    built = Services.build(settings, clock)
    await upgrade(built.engine)
    yield built
    await built.close()


async def _tables(connection: AsyncConnection) -> set[str]:
    return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_from_empty_creates_every_table(services: Services) -> None:
    async with services.engine.connect() as connection:
        tables = await _tables(connection)
    assert set(Base.metadata.tables) <= tables
    assert await current_revision(services.engine) == head_revision(str(services.engine.url))
    await ensure_current(services.engine)


async def test_upgrade_twice_changes_nothing(services: Services) -> None:
    await upgrade(services.engine)
    assert await current_revision(services.engine) == head_revision(str(services.engine.url))


async def test_schema_matches_models(services: Services) -> None:
    """No model change is left without a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    async with services.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []
