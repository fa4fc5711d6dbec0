"""Shared fixtures: databases (SQLite always; PostgreSQL when installed, required in CI)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from bot.clock import FixedClock
from bot.services import Services
from bot.settings import Settings, load_settings
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
) -> AsyncIterator[str]:
    """A fresh, empty database of each kind; a PostgreSQL one is dropped after its test."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if postgres_server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    name = f"test_{os.getpid()}_{next(_database_names)}"
    await _on_server(postgres_server, f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    # A connection a test left open is closed with it; the server goes at the session's end.
    await _on_server(postgres_server, f'DROP DATABASE "{name}" WITH (FORCE)')


async def _on_server(server: postgres.ThrowawayPostgres, statement: str) -> None:
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


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
