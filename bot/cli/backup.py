"""`advisorybot backup` and `advisorybot restore`: the database to one file and back
(storage/backup.py, docs/backup.md)."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.logging_setup import redact
from core.services import Services
from storage.backup import BackupRefused, Contents, back_up, database_name, restore
from storage.migrate import SCHEMA_REVISION

BACKUP = "cli/backup.txt.j2"
T = TypeVar("T")


def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help=help_text("backup.out"))],
) -> None:
    """Write the database to a new file, consistent while the bot runs."""
    cli = state(ctx)
    bin_dir = cli.settings().pg_bin_dir

    async def _work(services: Services) -> None:
        written = await _refusals(cli, back_up(services.engine, out, bin_dir))
        cli.say(
            BACKUP,
            "written",
            path=str(written.path),
            size=written.size,
            count=written.contents.tables,
            total=written.contents.total,
            revision=written.contents.revision,
        )

    cli.run(_work, check_schema=False)


def restore_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=help_text("restore.file"))],
    force: Annotated[bool, typer.Option("--force", help=help_text("restore.force"))] = False,
) -> None:
    """Put a backup into an empty database (DATABASE_URL)."""
    cli = state(ctx)
    bin_dir = cli.settings().pg_bin_dir

    async def _work(services: Services) -> None:
        target = database_name(services.engine)
        restored = await _refusals(cli, restore(services.engine, file, bin_dir, force))
        cli.say(
            BACKUP,
            "restored",
            path=str(file),
            database=target,
            count=restored.tables,
            total=restored.total,
            revision=restored.revision,
        )
        cli.say(BACKUP, _next_step(restored), current=restored.revision, expected=SCHEMA_REVISION)

    cli.run(_work, check_schema=False)


def _next_step(restored: Contents) -> str:
    """Revisions are zero-padded numbers ("0014"): their order is the strings' order."""
    if restored.revision is None:
        return "no_revision"
    if restored.revision < SCHEMA_REVISION:
        return "upgrade_needed"
    if restored.revision > SCHEMA_REVISION:
        return "newer_than_code"
    return "ready"


async def _refusals(cli: CliState, work: Awaitable[T]) -> T:
    """A refusal of storage/backup.py as the operator reads it, with no secret in what a tool
    said."""
    try:
        return await work
    except BackupRefused as refused:
        arguments = {
            name: redact(value, cli.secrets()) if isinstance(value, str) else value
            for name, value in refused.arguments.items()
        }
        raise OperatorError(BACKUP, refused.macro, **arguments) from None


def register(app: typer.Typer) -> None:
    app.command("backup", help=help_text("backup"))(backup)
    app.command("restore", help=help_text("restore"))(restore_backup)
