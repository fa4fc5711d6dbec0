"""Shared fixtures: databases (SQLite always; PostgreSQL when installed, required in CI)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings, load_settings
from storage.migrate import upgrade
from tests.support import postgres

_database_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.ThrowawayPostgres | None]:
    server = postgres.start()
    if server is None and os.environ.get("CI"):
        pytest.fail("PostgreSQL is not installed; CI must test on PostgreSQL too")
    yield server
    if server is not None:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_server: postgres.ThrowawayPostgres | None,
) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    if postgres_server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    name = f"test_{os.getpid()}_{next(_database_names)}"
    connection = await asyncpg.connect(
        host="127.0.0.1", port=postgres_server.port, user="postgres", database="postgres"
    )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return postgres_server.url(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        database_url=database_url,
        telegram_bot_username="advisory_test_bot",
        _env_file=None,
    )


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    """Services on a migrated, empty database with a fixed clock."""
    built = Services.build(settings, clock)
    await upgrade(built.engine)
    yield built
    await built.close()
