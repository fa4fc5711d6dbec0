"""SQLite's driver layer (storage/sqlite_driver.py): one trip to aiosqlite's thread a statement,
the BEGIN with the first statement, and nothing of a cursor's behaviour lost on the way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import READ_ONLY, create_engine

pytestmark = pytest.mark.asyncio


class Trips:
    """What went to aiosqlite's thread: one entry a trip (the function's name, and the SQL
    when it was a statement)."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def wrap(self, execute: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(connection: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
            sql = [arg for arg in args[1:3] if isinstance(arg, str)]
            self.made.append(" + ".join(sql) if sql else fn.__name__)
            return await execute(connection, fn, *args)

        return counted


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Trips:
    counted = Trips()
    execute = aiosqlite.Connection._execute
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted.wrap(execute))
    return counted


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_a_transaction_is_its_statements_and_its_commit(
    engine: AsyncEngine, trips: Trips
) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(
            text("INSERT INTO t (name) VALUES ('a'), ('b') RETURNING id")
        )
        assert inserted.scalars().all() == [1, 2]
        updated = await connection.execute(text("UPDATE t SET name = name || '!'"))
        assert updated.rowcount == 2
    assert trips.made == [
        "BEGIN IMMEDIATE + INSERT INTO t (name) VALUES ('a'), ('b') RETURNING id",
        "UPDATE t SET name = name || '!'",
        "commit",
    ], "BEGIN rides with the first statement; no rollback after the commit"


async def test_a_reading_transaction_begins_deferred_and_one_that_ran_nothing_costs_no_trip(
    engine: AsyncEngine, trips: Trips
) -> None:
    reader = engine.execution_options(**{READ_ONLY: True})
    async with reader.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    async with engine.begin():
        pass
    assert trips.made == ["BEGIN + SELECT count(*) FROM t", "rollback"], "only the read ends"


async def test_a_streamed_first_statement_reads_inside_its_transaction(
    engine: AsyncEngine, trips: Trips
) -> None:
    """A streamed result (storage/retention/outbox.py, storage/copy.py) has a cursor of its
    own: the transaction's BEGIN still goes before its statement."""
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
    trips.made.clear()
    async with engine.begin() as connection:
        streamed = await connection.stream(text("SELECT name FROM t ORDER BY id"))
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None and driver.in_transaction
        assert [name async for (name,) in streamed] == ["a", "b"]
    assert trips.made.index("BEGIN IMMEDIATE") < trips.made.index("execute")
    assert trips.made[-1] == "commit"


async def test_what_sqlalchemy_reads_of_a_cursor_is_kept(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        single = await connection.execute(text("INSERT INTO t (name) VALUES ('x')"))
        assert single.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "y"}, {"name": "z"}]
        )
        assert many.rowcount == 2
        rows = await connection.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert list(rows.keys()) == ["id", "name"]
        assert rows.all() == [(1, "x"), (2, "y"), (3, "z")]
        nothing = await connection.execute(text("DELETE FROM t WHERE name = 'none'"))
        assert nothing.rowcount == 0


async def test_a_failed_statement_rolls_its_transaction_back_and_the_connection_goes_on(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('same')"))
    with pytest.raises(exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (name) VALUES ('kept back')"))
            await connection.execute(text("INSERT INTO t (name) VALUES ('same')"))
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM t"))).scalars().all()
    assert names == ["same"], "the transaction's first INSERT was rolled back"


async def test_a_writer_waits_for_the_other_writers_lock_then_goes_on(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE, sent with the first statement, still waits for the write lock."""
    async with aiosqlite.connect(tmp_path / "driver.db", isolation_level=None) as other:
        await other.execute("BEGIN IMMEDIATE")
        await other.execute("INSERT INTO t (name) VALUES ('first')")

        async def write() -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (name) VALUES ('second')"))

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the second writer waits for the lock"
        await other.execute("COMMIT")
        await asyncio.wait_for(waiting, 10)
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM t ORDER BY id"))).scalars()
        assert names.all() == ["first", "second"]


async def test_a_lock_never_had_is_the_first_statements_error_and_the_next_transaction_works(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")

    @event.listens_for(engine.sync_engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:  # after the engine's own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.close()

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        async with aiosqlite.connect(path, isolation_level=None) as other:
            await other.execute("BEGIN IMMEDIATE")
            with pytest.raises(exc.OperationalError, match="locked"):
                async with engine.begin() as connection:
                    await connection.execute(text("INSERT INTO t DEFAULT VALUES"))
            await other.execute("ROLLBACK")
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t DEFAULT VALUES"))
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    finally:
        await engine.dispose()
