"""Engine and sessions: SQLite (WAL, busy timeout, BEGIN IMMEDIATE, freed space zeroed) or
PostgreSQL (asyncpg)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Subquery, any_, bindparam, event, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.pool import ConnectionPoolEntry

from storage.nul_free import json_text

if TYPE_CHECKING:  # PostgreSQL's dialect (2 MB, 19 modules) is imported only on PostgreSQL
    from sqlalchemy.dialects import postgresql

SQLITE_BUSY_TIMEOUT_MS = 15_000
# SQLite's own page cache, per connection (KiB; SQLite's default is 2,000): the file lives in
# the system's page cache all the same, and each pooled connection filled a copy of its own
# with a national tick's reads (~4 MB of the idle bot; the tick ~5% slower: bench/README.md).
SQLITE_CACHE_KIB = 512
READ_ONLY = "advisorybot_read_only"  # an execution option: the session only reads
AUTOCOMMIT = "AUTOCOMMIT"  # the isolation level of a connection whose statements stand alone


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite every transaction but a read-only session's
    (`create_sessionmaker(read_only=True)`) takes the write lock up front.

    A deferred SQLite transaction that later writes can fail with SQLITE_BUSY at once, without
    honouring the busy timeout; `BEGIN IMMEDIATE` waits for the lock instead.
    """
    kwargs.setdefault("hide_parameters", True)  # errors must not carry people's texts to logs
    kwargs.setdefault("json_serializer", json_text)  # no U+0000: storage/nul_free.py
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    from storage.sqlite_driver import ONE_TRIP  # noqa: PLC0415 - aiosqlite only on SQLite

    engine = create_async_engine(
        url, module=ONE_TRIP, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        # What a change or a delete frees is overwritten with zeros, so an erased person's data
        # does not linger in the file's free space (storage/anonymise.py).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == AUTOCOMMIT:
            return  # each statement its own transaction (storage.people.CallerReads)
        # It goes with the transaction's first statement, in one trip (storage/sqlite_driver.py).
        driver = connection.connection.dbapi_connection
        driver.begin = "BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE"

    return engine


async def flush_log(engine: AsyncEngine) -> bool:
    """SQLite: the write-ahead log copied into the database file and emptied, so the old page
    images it holds (an erased person's data) are gone; False if readers kept it (the next
    checkpoint does it). PostgreSQL: nothing here (its VACUUM reclaims old row versions)."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None  # an aiosqlite connection, in autocommit (_on_connect)
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, *_ = await cursor.fetchone()
        await cursor.close()
    return not busy


def create_sessionmaker(
    engine: AsyncEngine, *, read_only: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; `read_only` ones, for what only reads, do not take SQLite's write
    lock (a deferred BEGIN: WAL readers see the last commit and wait for nobody), so a reply
    that only reads never queues behind a writer."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return async_sessionmaker(bind, expire_on_commit=False)


def among(
    session: AsyncSession, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN values` with the values bound as one parameter (a PostgreSQL array; a JSON
    array read by SQLite's json_each): a tick looks up tens of thousands of keys, and an IN of
    that many parameters is slow to build and beyond both databases' limits."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # noqa: PLC0415 - see TYPE_CHECKING

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    found = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
    return column.in_(select(found.c.value))


def skipping_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` in this dialect (`postgresql` or `sqlite`, the name of a
    session's `get_bind().dialect`), which can skip the rows that exist
    (`on_conflict_do_nothing`)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 - see TYPE_CHECKING

        return insert(table)
    return sqlite.insert(table)


def newest_per(
    row_id: InstrumentedAttribute[int],
    group: InstrumentedAttribute[int],
    newest_first: Sequence[ColumnElement[Any]],
    *where: ColumnElement[bool],
) -> Subquery:
    """(id, rank) of the rows matching `where`, ranked 1, 2... within each `group` in the order
    `newest_first`: joined on the id and filtered on the rank, each group's latest N rows in
    one query, however many groups there are."""
    rank = func.row_number().over(partition_by=group, order_by=newest_first).label("rank")
    return select(row_id, rank).where(*where).subquery()
