"""Databases for the backup tests: a new empty one of a kind, to restore into."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import create_engine
from tests.support import postgres

_names = itertools.count(1)


@asynccontextmanager
async def new_postgres_database(server: postgres.ThrowawayPostgres) -> AsyncIterator[str]:
    """An empty PostgreSQL database on the test server (its URL), dropped afterwards."""
    name = f"backup_{os.getpid()}_{next(_names)}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.url(name)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def pg_bin() -> str | None:
    """Where the test server's pg_dump and pg_restore are (PG_BIN_DIR)."""
    found = postgres.find_bin_dir()
    return str(found) if found else None
