"""`advisorybot import FILE --cohort NAME`: load teams, advisers and coordinators from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from storage.imports.apply import ImportSummary
from storage.imports.read import ImportFileError, RawRow, read_rows
from storage.imports.run import ImportRefused, import_rows

IMPORT = "cli/import.txt.j2"


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=help_text("import.file"))],
    cohort: Annotated[str, typer.Option("--cohort", help=help_text("import.cohort"))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=help_text("import.dry_run"))] = False,
) -> None:
    """Import JSTs, team members, advisers and coordinators; re-importing changes nothing."""
    cli = state(ctx)
    try:
        rows = read_rows(file, cli.settings().import_max_rows)
    except ImportFileError as error:
        if error.issues:
            cli.fail("refused", template=IMPORT, errors=error.issues, warnings=[])
        cli.fail(error.code, template=IMPORT, **error.params)

    actor = cli.operator()

    async def _work(services: Services) -> ImportSummary:
        return await _import(services, rows, cohort, actor, dry_run=dry_run)

    summary = cli.run(_work)
    cli.say(IMPORT, "summary", summary=summary, cohort=cohort, dry_run=dry_run)


async def _import(
    services: Services, rows: list[RawRow], cohort_name: str, actor: str, *, dry_run: bool
) -> ImportSummary:
    """Validate against the database and apply in one transaction; a dry run rolls it back."""
    async with services.sessionmaker() as session, session.begin() as transaction:
        try:
            summary = await import_rows(session, rows, cohort_name, services.clock.now(), actor)
        except ImportRefused as refused:
            raise OperatorError(IMPORT, refused.code, **refused.params) from None
        if dry_run:
            await transaction.rollback()
        return summary


def register(app: typer.Typer) -> None:
    app.command("import", help=help_text("import"))(import_file)
