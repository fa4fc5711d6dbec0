"""`advisorybot export` and `advisorybot indicators`: data for coordinators and the funder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from core.templates import Templates
from digest.table_words import READER_LANGUAGE, export_sheets
from storage.audit import record_reads
from storage.exports import ExportKind
from storage.indicators import Indicators, compute_indicators
from storage.models import Language
from storage.spreadsheets import WRITERS, OutputError, replaced_on_success, supported, write_table

EXPORTS = "cli/exports.txt.j2"
INDICATOR_WORDS = "cli/indicator_words.txt.j2"
INDICATOR_KEYS = ("staff_supported", "staff_improved", "jsts_under_advisory")


def checked_output(cli: CliState, out: Path) -> None:
    """Refuse before any work: a format we do not write, or a folder that does not exist."""
    if not supported(out):
        cli.fail("unsupported_format", template=EXPORTS, path=str(out), formats=", ".join(WRITERS))
    if not out.parent.is_dir():
        cli.fail("missing_directory", template=EXPORTS, path=str(out.parent))
    if out.is_dir():
        cli.fail("is_directory", template=EXPORTS, path=str(out))


@contextmanager
def output_file(out: Path) -> Iterator[Path]:
    """A temporary file that becomes `out` when the block succeeds; write errors refuse."""
    try:
        with replaced_on_success(out) as file:
            yield file
    except OutputError as error:
        raise OperatorError(
            EXPORTS, "cannot_write", path=str(error.path), problem=error.problem
        ) from error


def export(
    ctx: typer.Context,
    kind: Annotated[ExportKind, typer.Argument(help=help_text("export.kind"))],
    out: Annotated[Path, typer.Option("--out", help=help_text("export.out"))],
    lang: Annotated[
        Language, typer.Option("--lang", help=help_text("export.lang"))
    ] = READER_LANGUAGE,
    keys: Annotated[bool, typer.Option("--keys", help=help_text("export.keys"))] = False,
) -> None:
    """Export people, task progress or monthly reports to CSV or XLSX."""
    cli = state(ctx)
    checked_output(cli, out)
    actor = cli.operator()

    async def _work(services: Services) -> int:
        with output_file(out) as file:
            async with services.sessionmaker.begin() as session:
                now = services.clock.now()
                today = now.astimezone(services.settings.zone).date()
                table, *more = await export_sheets(
                    session, services.templates, kind, lang, today, keys=keys
                )
                shown = {person for sheet in (table, *more) for person in sheet.people}
                await record_reads(session, now, actor=actor, people=shown, via=f"export {kind}")
            write_table(file, table, services.settings.zone, *more)
        return len(table.rows)

    count = cli.run(_work)
    cli.say(EXPORTS, "written", kind=kind.value, count=count, path=str(out))


def indicators(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=help_text("indicators.as_json"))] = False,
) -> None:
    """Print the programme's indicators against their targets."""
    cli = state(ctx)

    async def _work(services: Services) -> Indicators:
        async with services.sessionmaker.begin() as session:
            return await compute_indicators(session)

    numbers = cli.run(_work)
    if as_json:
        typer.echo(json.dumps(numbers.as_json(_definitions(cli.templates())), indent=2))
    else:
        cli.show("cli/indicators.txt.j2", indicators=numbers)


def _definitions(templates: Templates) -> dict[str, dict[str, dict[str, str]]]:
    """Each indicator's name and definition in every language, for scripts."""
    words = {lang.value: templates.words(lang.value, INDICATOR_WORDS) for lang in Language}
    return {
        key: {
            part: {lang: word(part, key=key) for lang, word in words.items()}
            for part in ("name", "definition")
        }
        for key in INDICATOR_KEYS
    }


def register(app: typer.Typer) -> None:
    app.command("export", help=help_text("export"))(export)
    app.command("indicators", help=help_text("indicators"))(indicators)
