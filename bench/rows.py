"""Bulk inserts for generated data: one executemany through the models per table.

Ids are given rather than returned (RETURNING over executemany is several times slower on
SQLite); PostgreSQL's sequence is moved past them so that the bot's own inserts go on from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Bulk insert (a column missing from a row is NULL); the new ids in the order of `rows`."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    first = (await session.scalar(select(func.max(table.c.id)))) or 0
    ids = list(range(first + 1, first + 1 + len(rows)))
    columns = {name for row in rows for name in row}  # one key set: one executemany
    filled = [
        dict.fromkeys(columns) | row | {"id": id_} for row, id_ in zip(rows, ids, strict=True)
    ]
    await session.execute(insert(table), filled)  # Core: the ORM would split rows by NULLs
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": table.name, "last": ids[-1]},
        )
    return ids
