"""A SQLite database copied into an empty PostgreSQL one (`advisorybot db copy`).

Every table goes in dependency order within one transaction of the target, with its triggers
off (the data versions of migration 0014 are copied, not moved on by the copy's own inserts);
the sequences are moved past the copied ids; then every row is read back and compared with its
original before the transaction commits, so a copy that fails anywhere leaves the target empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select, String, Table, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import READ_ONLY
from storage.migrate import SCHEMA_REVISION, current_revision
from storage.models import Base

BATCH = 1000  # rows read, inserted and compared at a time
Values = dict[str, Any]  # a row: its columns' values by name


class CopyRefused(Exception):
    """The copy did not start, or did not commit: `reason` says why, `details` where (a table,
    a row's key, a column; never a value, which may be a person's data)."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason, details)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class TableCopied:
    name: str
    rows: int


def tables() -> Sequence[Table]:
    """The schema's tables, each after those it refers to."""
    return Base.metadata.sorted_tables


async def copy_database(source: AsyncEngine, target: AsyncEngine) -> list[TableCopied]:
    """Copy every row of `source` into `target` (empty, both at SCHEMA_REVISION), check each one
    and commit; CopyRefused when the copy cannot be made or would not be equal."""
    for name, engine in (("source", source), ("target", target)):
        found = await current_revision(engine)
        if found != SCHEMA_REVISION:
            raise CopyRefused(f"{name}_revision", current=found, expected=SCHEMA_REVISION)
    try:
        return await _copy_all(source, target)
    except DBAPIError as error:  # e.g. a user that may not read, or own, the target's tables
        raise CopyRefused("copy_failed", problem=_problem(error)) from None


async def _copy_all(source: AsyncEngine, target: AsyncEngine) -> list[TableCopied]:
    reader = source.execution_options(**{READ_ONLY: True})  # a snapshot; no write lock taken
    async with reader.connect() as reading, target.begin() as writing:
        for table in tables():
            if await writing.scalar(select(literal(1)).select_from(table).limit(1)):
                raise CopyRefused("target_not_empty", table=table.name)
        copied = []
        for table in tables():
            await writing.execute(text(f"ALTER TABLE {_quoted(table)} DISABLE TRIGGER USER"))
            copied.append(TableCopied(table.name, await _copy_table(table, reading, writing)))
            await _move_sequence(table, writing)
        for table in tables():
            await writing.execute(text(f"ALTER TABLE {_quoted(table)} ENABLE TRIGGER USER"))
            await _compare_table(table, reading, writing)
    return copied


async def _copy_table(table: Table, reading: AsyncConnection, writing: AsyncConnection) -> int:
    count = 0
    async for rows in _batches(table, reading):
        try:
            async with writing.begin_nested():
                await writing.execute(table.insert(), rows)
        except DBAPIError:
            await _find_refused_row(table, rows, writing)
            raise
        count += len(rows)
    return count


async def _find_refused_row(
    table: Table, rows: Sequence[Values], writing: AsyncConnection
) -> None:
    """Insert the refused batch's rows one by one, each undone, to name the one refused."""
    for row in rows:
        try:
            async with writing.begin_nested() as trial:
                await writing.execute(table.insert(), [row])
                await trial.rollback()
        except DBAPIError as error:
            raise CopyRefused(
                "row_refused", table=table.name, key=_key(table, row), problem=_problem(error)
            ) from None


async def _move_sequence(table: Table, writing: AsyncConnection) -> None:
    """The next id PostgreSQL gives is past every id copied (ids were copied as they were)."""
    for column in table.primary_key.columns:
        sequence = await writing.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is not None:
            await writing.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({_quoted(column)}), 0) + 1, false) "
                    f"FROM {_quoted(table)}"
                ),
                {"sequence": sequence},
            )


async def _compare_table(table: Table, reading: AsyncConnection, writing: AsyncConnection) -> None:
    """Every row of `table` read back from the target equals its original, in the same order."""
    originals = _rows(table, reading)
    copies = _rows(table, writing)
    async for original, copy in _zip(originals, copies):
        row = original if original is not None else copy
        assert row is not None
        if original is None or copy is None:
            missing = "row_missing" if copy is None else "row_extra"
            raise CopyRefused(missing, table=table.name, key=_key(table, row))
        for column in table.columns:
            if original[column.name] != copy[column.name]:
                raise CopyRefused(
                    "row_differs", table=table.name, key=_key(table, row), column=column.name
                )


async def _batches(table: Table, connection: AsyncConnection) -> AsyncIterator[list[Values]]:
    result = await connection.stream(in_key_order(table, connection))
    names = [column.name for column in table.columns]
    async for partition in result.partitions(BATCH):
        yield [dict(zip(names, row, strict=True)) for row in partition]


async def _rows(table: Table, connection: AsyncConnection) -> AsyncIterator[Values]:
    async for rows in _batches(table, connection):
        for row in rows:
            yield row


async def _zip(
    first: AsyncIterator[Values], second: AsyncIterator[Values]
) -> AsyncIterator[tuple[Values | None, Values | None]]:
    """Pairs of rows until both run out; None for the one that ran out first."""
    while True:
        one = await anext(first, None)
        two = await anext(second, None)
        if one is None and two is None:
            return
        yield one, two


def in_key_order(table: Table, connection: AsyncConnection) -> Select[Any]:
    """Every row of `table` by its primary key, texts by their code points on both databases
    (SQLite's BINARY; PostgreSQL's "C": a server's default collation may sort them otherwise)."""
    postgresql = connection.dialect.name == "postgresql"
    return select(table).order_by(
        *(
            column.collate("C") if postgresql and isinstance(column.type, String) else column
            for column in table.primary_key.columns
        )
    )


def _key(table: Table, row: Values) -> str:
    """A row named by its primary key: `id=17`, `coordinator_id=3, cohort_id=1`."""
    return ", ".join(f"{column.name}={row[column.name]}" for column in table.primary_key.columns)


def _problem(error: DBAPIError) -> str:
    """PostgreSQL's own words for the refusal, without the driver's class name."""
    words = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    return words.rpartition(">: ")[2] or type(error.orig).__name__


def _quoted(item: Table | Column[Any]) -> str:
    return '"' + item.name.replace('"', '""') + '"'
