"""`advisorybot db`: bring the schema to the current revision (`upgrade`); copy a SQLite
database into an empty PostgreSQL one (`copy`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.services import Services, reachable
from storage.copy import CopyRefused, TableCopied, copy_database
from storage.db import create_engine, is_sqlite
from storage.migrate import current_revision, upgrade

db_app = typer.Typer(help=help_text("db"), no_args_is_help=True)
COPY = "cli/db_copy.txt.j2"


@db_app.command("upgrade", help=help_text("db.upgrade"))
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest revision."""
    cli = state(ctx)

    async def _work(services: Services) -> str | None:
        await upgrade(services.engine)
        return await current_revision(services.engine)

    revision = cli.run(_work, check_schema=False)
    cli.say("cli/messages.txt.j2", "db_upgraded", revision=revision)


@db_app.command("copy", help=help_text("db.copy"))
def db_copy(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help=help_text("db.copy.source"))],
    target: Annotated[str | None, typer.Option("--to", help=help_text("db.copy.target"))] = None,
) -> None:
    """Copy every row of a SQLite database into an empty PostgreSQL one, checked row by row."""
    cli = state(ctx)
    if target is None:  # the configured database: its password stays in its secret file
        target = cli.settings().database_url
    source_url = _url(cli, "--from", source)
    target_url = _url(cli, "--to", target)
    if not is_sqlite(source) or source_url.drivername != "sqlite+aiosqlite":
        cli.fail("source_not_sqlite", template=COPY)
    if not source_url.database or not Path(source_url.database).is_file():
        cli.fail("source_missing", template=COPY, path=source_url.database or "")
    if target_url.drivername != "postgresql+asyncpg":
        cli.fail("target_not_postgresql", template=COPY)
    with cli.known_failures():
        copied = asyncio.run(_copy(source, target))
    cli.say(COPY, "copied", copied=copied, total=sum(table.rows for table in copied))


def _url(cli: CliState, option: str, value: str) -> URL:
    """The URL given to `option`; its password joins what no output may show."""
    try:
        url = make_url(value)
    except ArgumentError:
        cli.fail("url_invalid", template=COPY, option=option)
    if url.password:
        cli.hidden.append(str(url.password))
    return url


async def _copy(source: str, target: str) -> list[TableCopied]:
    engines = create_engine(source), create_engine(target)
    try:
        for engine in engines:
            await reachable(engine)
        return await copy_database(*engines)
    except CopyRefused as refused:
        raise OperatorError(COPY, refused.reason, **refused.details) from None
    finally:
        for engine in engines:
            await engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
