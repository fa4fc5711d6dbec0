"""The database to one file and back (`advisorybot backup` and `restore`, docs/backup.md).

SQLite: the online backup API (sqlite3's Connection.backup) copies one consistent state while
the bot writes; the backup is itself a SQLite database. PostgreSQL: pg_dump's custom format,
taken in a snapshot this module holds open, so the rows it counts are the rows dumped;
pg_restore puts it back. The password reaches pg_dump and pg_restore through their environment
(PGPASSWORD), never their command line. The bot keeps no files of its own on disk (a file a
person sends stays on Telegram, named by its file_id), so the database is the whole state.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import SQLITE_BUSY_TIMEOUT_MS

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
REVISION_TABLE = "alembic_version"
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")  # libpq's
TOOL_ERROR_LINES = 3  # of pg_dump's or pg_restore's stderr, in the refusal


class BackupRefused(Exception):
    """What the operator can act on: a macro of cli/backup.txt.j2 and its arguments."""

    def __init__(self, macro: str, /, **arguments: Any) -> None:
        super().__init__(macro)
        self.macro = macro
        self.arguments = arguments


@dataclass(frozen=True)
class Contents:
    """What a backup holds or a restore put back: rows per table and the schema's revision."""

    rows: dict[str, int]
    revision: str | None

    @property
    def tables(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    contents: Contents


async def back_up(engine: AsyncEngine, out: Path, bin_dir: str | None) -> Written:
    """Write the database to `out` (a new file, readable by its owner only); a partial file
    never stands at `out`."""
    partial = await asyncio.to_thread(_new_file, out)
    try:
        if engine.dialect.name == "sqlite":
            contents = await asyncio.to_thread(_sqlite_backup, sqlite_path(engine.url), partial)
        else:
            contents = await _pg_dump(engine, partial, bin_dir)
        if not contents.rows and contents.revision is None:
            raise BackupRefused("no_database", database=database_name(engine))
        size = await asyncio.to_thread(_put_in_place, partial, out)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    return Written(out, size, contents)


def _new_file(out: Path) -> Path:
    """The partial file beside `out`, empty, readable by its owner only."""
    if out.exists():
        raise BackupRefused("out_exists", path=str(out))
    partial = out.with_name(f"{out.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as error:
        raise BackupRefused("out_unwritable", path=str(out), problem=error.strerror) from None
    return partial


def _put_in_place(partial: Path, out: Path) -> int:
    partial.replace(out)
    return out.stat().st_size


async def restore(engine: AsyncEngine, backup: Path, bin_dir: str | None, force: bool) -> Contents:
    """Put a backup into the database, which must hold no tables unless `force`."""
    kind = backup_kind(backup)
    if kind != engine.dialect.name:
        raise BackupRefused("wrong_kind", kind=kind, target=engine.dialect.name)
    if kind == "sqlite":
        await engine.dispose()  # no pooled connection of ours on the file being replaced
        return await asyncio.to_thread(_sqlite_restore, backup, sqlite_path(engine.url), force)
    return await _pg_restore(engine, backup, bin_dir, force)


def backup_kind(backup: Path) -> str:
    """ "sqlite" or "postgresql", by the file's first bytes."""
    try:
        with backup.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused("unreadable", path=str(backup), problem=error.strerror) from None
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupRefused("not_a_backup", path=str(backup))


def sqlite_path(url: URL) -> Path:
    return Path(url.database or "")


def database_name(engine: AsyncEngine) -> str:
    """The database as the operator names it, without a password."""
    url = engine.url
    if engine.dialect.name == "sqlite":
        return str(sqlite_path(url))
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _sqlite_backup(source: Path, target: Path) -> Contents:
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as copy:
        reading.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        reading.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_contents(copy)


def _sqlite_restore(backup: Path, target: Path, force: bool) -> Contents:
    with closing(sqlite3.connect(backup.resolve().as_uri() + "?mode=ro", uri=True)) as source:
        _sqlite_contents(source)  # a damaged file fails here, before the target is touched
        with closing(sqlite3.connect(target)) as restored:
            restored.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            found = _sqlite_tables(restored)
            if found and not force:
                raise BackupRefused("not_empty", database=str(target), count=len(found))
            source.backup(restored)
            restored.execute("PRAGMA journal_mode=WAL")  # as the bot runs it (storage/db.py)
            return _sqlite_contents(restored)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    found = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [name for (name,) in found]


def _sqlite_contents(connection: sqlite3.Connection) -> Contents:
    try:
        tables = _sqlite_tables(connection)
    except sqlite3.DatabaseError as error:
        raise BackupRefused("damaged", problem=str(error)) from None
    rows = {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
        if table != REVISION_TABLE
    }
    revision = None
    if REVISION_TABLE in tables:
        found = connection.execute(f"SELECT version_num FROM {REVISION_TABLE}").fetchone()
        revision = found[0] if found else None
    return Contents(rows, revision)


async def _pg_dump(engine: AsyncEngine, target: Path, bin_dir: str | None) -> Contents:
    pg_dump = _tool(bin_dir, "pg_dump")
    async with engine.connect() as connection:
        held = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with held.begin():
            snapshot = await held.scalar(text("SELECT pg_export_snapshot()"))
            contents = await _pg_contents(held)
            dump = ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
            await _run(pg_dump, dump, engine.url)
    return contents


async def _pg_restore(
    engine: AsyncEngine, backup: Path, bin_dir: str | None, force: bool
) -> Contents:
    pg_restore = _tool(bin_dir, "pg_restore")
    async with engine.connect() as connection:
        found = await _pg_tables(connection)
    if found and not force:
        raise BackupRefused("not_empty", database=database_name(engine), count=len(found))
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        options += ["--clean", "--if-exists"]
    await _run(pg_restore, [*options, f"--dbname={engine.url.database}", str(backup)], engine.url)
    async with engine.connect() as connection:
        return await _pg_contents(connection)


async def _pg_tables(connection: AsyncConnection) -> list[str]:
    found = await connection.scalars(
        text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        )
    )
    return list(found)


async def _pg_contents(connection: AsyncConnection) -> Contents:
    tables = await _pg_tables(connection)
    rows = {}
    for table in tables:
        if table != REVISION_TABLE:
            rows[table] = int(await connection.scalar(text(f'SELECT count(*) FROM "{table}"')))
    revision = None
    if REVISION_TABLE in tables:
        revision = await connection.scalar(text(f"SELECT version_num FROM {REVISION_TABLE}"))
    return Contents(rows, revision)


def _tool(bin_dir: str | None, name: str) -> str:
    """pg_dump or pg_restore: in PG_BIN_DIR when it is set, else on PATH."""
    found = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
    if found is None:
        raise BackupRefused("tool_missing", command=name)
    return found


def _environment(url: URL) -> dict[str, str]:
    """libpq's variables for the database of `url`, over the process's own (its TLS files, a
    passfile): nothing about the database goes on a command line."""
    host, mode = url.host or url.query.get("host"), url.query.get("sslmode", url.query.get("ssl"))
    given = {
        "PGHOST": host if isinstance(host, str) else None,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": mode if mode in SSL_MODES else None,
    }
    environment = {name: value for name, value in os.environ.items() if name not in given}
    return environment | {name: value for name, value in given.items() if isinstance(value, str)}


async def _run(tool: str, arguments: list[str], url: URL) -> None:
    process = await asyncio.create_subprocess_exec(
        tool,
        *arguments,
        env=_environment(url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        lines = errors.decode(errors="replace").strip().splitlines()[-TOOL_ERROR_LINES:]
        raise BackupRefused("tool_failed", command=Path(tool).name, problem=" ".join(lines))
