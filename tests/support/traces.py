"""Where a person's data is still stored: every column of every table (the schema reflected
from the database itself, so a table added later is searched too), and a SQLite database's
files, byte by byte."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


def forms(needle: str) -> set[str]:
    """A text as a column may hold it: as typed, HTML-escaped (a Telegram text), and
    JSON-escaped (non-ASCII as \\uXXXX, as the engines' serializer writes it)."""
    found = {needle, escape(needle, quote=True), escape(needle, quote=False)}
    return found | {json.dumps(form)[1:-1] for form in found}


async def traces_in_database(
    engine: AsyncEngine, needles: Iterable[str], ids: Iterable[int]
) -> list[str]:
    """`table.column: needle` for every stored value holding a needle (any case, any of its
    forms) or one of the ids as a whole number."""
    wanted = [
        (needle, re.compile(re.escape(form), re.IGNORECASE))
        for needle in needles
        for form in forms(needle)
    ]
    wanted += [(str(i), re.compile(rf"(?<!\d){i}(?!\d)")) for i in ids]
    async with engine.connect() as connection:
        schema = await connection.run_sync(
            lambda sync: {
                table: [column["name"] for column in inspect(sync).get_columns(table)]
                for table in inspect(sync).get_table_names()
            }
        )
        found = []
        for table, columns in sorted(schema.items()):
            shown = ", ".join(f'CAST("{column}" AS TEXT)' for column in columns)
            for row in await connection.execute(text(f'SELECT {shown} FROM "{table}"')):
                for column, value in zip(columns, row, strict=True):
                    found += [
                        f"{table}.{column}: {needle}"
                        for needle, pattern in wanted
                        if value is not None and pattern.search(value)
                    ]
    return sorted(set(found))


def traces_in_files(database_url: str, needles: Iterable[str]) -> list[str]:
    """For SQLite: `file: needle` for the database file and its write-ahead log holding a
    needle in any of its forms (UTF-8), in free space too."""
    path = make_url(database_url).database
    assert path is not None
    found = []
    for file in (Path(path), Path(f"{path}-wal"), Path(f"{path}-journal")):
        if not file.exists():
            continue
        content = file.read_bytes().lower()
        found += [
            f"{file.name}: {needle}"
            for needle in needles
            for form in forms(needle)
            if form.lower().encode() in content
        ]
    return sorted(set(found))
