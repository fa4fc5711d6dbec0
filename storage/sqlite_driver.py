"""SQLite through aiosqlite, one trip to its thread a statement.

SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's thread a statement (open a
cursor, execute, fetch the rows, close), each a queue, a wake-up of the thread and a wake-up
of the event loop: ~40 µs of CPU each, where SQLite runs a statement by its key in ~6 µs
(bench/README.md, "One trip a statement"). Here the cursor's statement, its rows and its close
are one function run on that thread; what SQLAlchemy reads of a cursor afterwards (the column
description, the row count, the last row id) is kept from it. A transaction's BEGIN goes with
its first statement, and a rollback with nothing to roll back makes no trip. Everything else
(connecting, COMMIT, errors, the pool, a streamed result's fetches) is SQLAlchemy's adapter as
it is.

Used through `create_async_engine(..., module=ONE_TRIP)` (storage.db.create_engine). It calls
aiosqlite's `_execute` and `_conn`, as SQLAlchemy's adapter itself does (its isolation level
setter); tests/integration/test_sqlite_driver.py holds both to what is used here.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, TypeAlias, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)

_Description: TypeAlias = tuple[tuple[Any, ...], ...] | None


class _Ran:
    """What SQLAlchemy reads of a cursor once its statement has run, kept after the sqlite3
    cursor was closed on aiosqlite's thread."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.arraysize = 1
        self.description: _Description = None
        self.lastrowid: int | None = None
        self.rowcount = -1

    def close(self) -> None:
        """Nothing left open: the sqlite3 cursor was closed where its statement ran."""


def _run(
    connection: sqlite3.Connection,
    begin: str | None,
    operation: str,
    parameters: Any,
    many: bool,
) -> tuple[list[Any], _Description, int, int | None]:
    """On aiosqlite's thread: the transaction's BEGIN if it is the first statement, the
    statement, its rows, and what is read of the cursor after."""
    if begin is not None:
        _begin(connection, begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin(connection: sqlite3.Connection, begin: str) -> None:
    connection.execute(begin).close()


def _on_its_thread(driver: aiosqlite.Connection) -> Any:
    return driver._execute  # aiosqlite's queue to its thread (untyped)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, each statement one trip to the connection's thread."""

    __slots__ = ()
    _awaitable_cursor_close = False  # closing it is `_Ran.close`: no trip

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Ran()  # no trip: the sqlite3 cursor is opened on the thread, by `_run`

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        driver = cast(aiosqlite.Connection, self._connection)
        connection = cast(OneTripConnection, self._adapt_connection)
        async with connection._execute_mutex:
            rows, description, rowcount, lastrowid = await _on_its_thread(driver)(
                _run, driver._conn, connection.take_begin(), operation, parameters, many
            )
        ran = cast(_Ran, self._cursor)
        ran.description, ran.rowcount, ran.lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows)


class StreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """SQLAlchemy's cursor for a streamed result (`stream`, `yield_per`), its rows fetched in
    trips as they are read; a transaction's pending BEGIN goes first, in a trip of its own."""

    __slots__ = ()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        begin = cast(OneTripConnection, self._adapt_connection).take_begin()
        if begin is not None:
            driver = cast(aiosqlite.Connection, self._connection)
            await _on_its_thread(driver)(_begin, driver._conn, begin)
        return await super()._execute_async(operation, parameters)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """`begin`: the BEGIN of a transaction that has run no statement yet; it goes with the
    first one, in its trip (storage.db's "begin" listener sets it)."""

    __slots__ = ("begin",)
    _cursor_cls = OneTripCursor
    _ss_cursor_cls = StreamingCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.begin: str | None = None

    def take_begin(self) -> str | None:
        """The pending BEGIN, for the trip that sends it (none is pending after)."""
        begin, self.begin = self.begin, None
        return begin

    def commit(self) -> None:
        """A transaction that ran nothing has nothing to commit (its BEGIN never went)."""
        if self.begin is None:
            super().commit()
        self.begin = None

    def rollback(self) -> None:
        """No trip when there is nothing to roll back: a transaction that ran nothing, or the
        pool's rollback of every connection it gets back, also one whose transaction was just
        committed (sqlite3's own rollback does nothing then, on the thread)."""
        self.begin = None
        driver = cast(aiosqlite.Connection, self._connection)
        if driver._connection is not None and driver.in_transaction:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module whose connections make `OneTripCursor`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        return OneTripConnection(self, super().connect(*arg, **kw)._connection)


ONE_TRIP = OneTripDBAPI(aiosqlite, sqlite3)
