"""Shared fixtures: databases (SQLite always; PostgreSQL when installed, required in CI)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings, load_settings
from storage.db import create_engine
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per test process; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    _run_apart(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: postgres.ThrowawayPostgres | None) -> str | None:
    """A PostgreSQL database migrated once per test process, the template of each test's."""
    if postgres_server is None:
        return None
    name = f"migrated_{os.getpid()}"
    _run_apart(_create_database(postgres_server, name))
    _run_apart(_migrate(postgres_server.url(name)))
    return name


def _run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run in an event loop of its own: the fixture may be asked for from a test's loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _create_database(
    server: postgres.ThrowawayPostgres, name: str, template: str | None = None
) -> None:
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await connection.close()


async def _fresh_database(
    request: pytest.FixtureRequest, directory: Path, *, migrated: bool
) -> str:
    """A new database of the kind the test is parametrized with: empty, or migrated to head
    (a copy of the process's template: migrating once, not per test, keeps the suite fast)."""
    if request.param == "sqlite":
        path = directory / "test.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    server: postgres.ThrowawayPostgres | None = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    template = request.getfixturevalue("postgres_template") if migrated else None
    name = f"test_{os.getpid()}_{next(_database_names)}"
    await _create_database(server, name, template)
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    return await _fresh_database(request, tmp_path, migrated=False)


@pytest.fixture(params=["sqlite", "postgresql"])
async def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each kind, migrated to head."""
    return await _fresh_database(request, tmp_path, migrated=True)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    """Settings of a migrated database."""
    return load_settings(
        database_url=migrated_database_url,
        telegram_bot_username="advisory_test_bot",
        _env_file=None,
    )


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    """Services on a migrated, empty database with a fixed clock."""
    built = Services.build(settings, clock)
    yield built
    await built.close()
