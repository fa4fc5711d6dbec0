"""Queries on a PostgreSQL database of their own connection, as another process runs them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.engine import make_url


async def _connect(database_url: str) -> asyncpg.Connection:
    url = make_url(database_url)
    return await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )


async def fetch(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await _connect(database_url)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def holding_advisory_lock(database_url: str, key: int) -> AsyncIterator[None]:
    """A session-level advisory lock held by a session of its own, as another instance would
    hold it, until the block ends (the session closed, as when that instance dies)."""
    connection = await _connect(database_url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", key)
        yield
    finally:
        await connection.close()


async def advisory_lock_holders(database_url: str, *, numbers: int = 1) -> list[int]:
    """The sessions (backend pids) holding an advisory lock in this database, of keys of one
    number (the tick's) or of two (the chats' turns)."""
    rows = await fetch(
        database_url,
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = $1"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        numbers,
    )
    return [row["pid"] for row in rows]
