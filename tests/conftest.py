"""Shared fixtures: databases (SQLite always; PostgreSQL when installed, required in CI)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import os
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings, load_settings
from sandbox.runtime import SAMPLE_NOTICE
from storage.db import create_engine
from storage.migrate import upgrade
from tests.support import postgres
from tests.support.system import not_installed

_database_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Whatever configures logging as a command does (`setup_logging`: the sandbox and the
    command line in process, the logging tests) leaves the root logger as it found it: the next
    tests' captured logs must not depend on which tests ran before them on the same worker."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    logging.captureWarnings(False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.ThrowawayPostgres | None]:
    server = postgres.start()
    yield server
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the schema's head, migrated once a session for tests to copy."""
    path = tmp_path_factory.mktemp("schema") / "head.db"
    _in_thread(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server: postgres.ThrowawayPostgres | None) -> str | None:
    """A PostgreSQL database at the schema's head, migrated once a session: the template of
    the tests' databases that want one."""
    if postgres_server is None:
        return None
    name = f"head_{os.getpid()}"
    _in_thread(_on_server(postgres_server, f'CREATE DATABASE "{name}"'))
    _in_thread(_migrate(postgres_server.url(name)))
    return name


@pytest.fixture
def schema_at_head() -> None:
    """Taken by a fixture whose database must be at the schema's head (`services`): then
    `database_url` copies the one migrated once a session instead of giving an empty one (a
    tenth of a second less a test). The migrations themselves: test_migrations.py."""


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_server: postgres.ThrowawayPostgres | None,
    migrated_sqlite: Path,
    migrated_postgres: str | None,
) -> AsyncIterator[str]:
    """A fresh database of each kind, empty or at the schema's head (`schema_at_head`); a
    PostgreSQL one is dropped after its test."""
    at_head = "schema_at_head" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if at_head:
            shutil.copyfile(migrated_sqlite, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres_server is None:
        not_installed("PostgreSQL")
    name = f"test_{os.getpid()}_{next(_database_names)}"
    template = f' TEMPLATE "{migrated_postgres}"' if at_head else ""
    await _on_server(postgres_server, f'CREATE DATABASE "{name}"{template}')
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


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _in_thread(work: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end on a loop of its own, whatever loop this thread has."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        database_url=database_url,
        telegram_bot_username="advisory_test_bot",
        _env_file=None,
        **SAMPLE_NOTICE,
    )


@pytest.fixture
async def services(
    settings: Settings, clock: FixedClock, schema_at_head: None
) -> AsyncIterator[Services]:
    """Services on an empty database at the schema's head, with a fixed clock."""
    built = Services.build(settings, clock)
    await upgrade(built.engine)  # at head already: this only checks it
    yield built
    await built.close()
