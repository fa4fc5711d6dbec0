"""`advisorybot sandbox`: the bot on a local Telegram and mailbox, to try, train and rehearse.

Without options an interactive terminal (sandbox/terminal.py); `--walk` rehearses the demo
cohort in compressed time and writes a report (sandbox/walk.py). `make run` opens the
sandbox when no bot token is configured (`--token-missing` is the check it makes).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from bot.cli.common import CliState, state
from bot.cli.help import help_text
from bot.intake import Stopped
from core.templates import Templates
from sandbox.demo import load_plan
from sandbox.report import EMAIL, TELEGRAM, write_report
from sandbox.runtime import (
    DATABASE_FILE,
    NotEmpty,
    isolated_settings,
    log_to_file,
    sandbox_database_url,
)
from sandbox.terminal import TERMINAL, play
from sandbox.walk import walk

DIRECTORY = Path(".sandbox")
WALK_DIRECTORY = DIRECTORY / "walk"
REPORT = DIRECTORY / "walk-report.html"
TOKEN_CONFIGURED = 1  # --token-missing: `make run` runs the real bot


def sandbox(
    ctx: typer.Context,
    *,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help=help_text("sandbox.database_url")),
    ] = None,
    walk_cohort: Annotated[
        bool,
        typer.Option("--walk", help=help_text("sandbox.walk_cohort")),
    ] = False,
    out: Annotated[Path, typer.Option("--out", help=help_text("sandbox.out"))] = REPORT,
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, max=40, help=help_text("sandbox.months")),
    ] = None,
    token_missing: Annotated[
        bool,
        typer.Option("--token-missing", help=help_text("sandbox.token_missing")),
    ] = False,
) -> None:
    """Try the bot without Telegram: a local Telegram and mailbox, a demo cohort, a terminal."""
    cli = state(ctx)
    if token_missing:
        if cli.settings().telegram_bot_token is not None:
            raise typer.Exit(TOKEN_CONFIGURED)
        cli.say(TERMINAL, "token_missing")
        return
    directory = WALK_DIRECTORY if walk_cohort else DIRECTORY
    own_database = database_url is None
    url = database_url or sandbox_database_url(directory)
    cli.overrides.update(isolated_settings(url))
    log_to_file(DIRECTORY)
    try:
        with cli.known_failures():
            if walk_cohort:
                _walk(cli, own_database=own_database, out=out, months=months)
            else:
                shown = str(DIRECTORY / DATABASE_FILE) if own_database else _hide_password(url)
                settings = cli.settings()
                asyncio.run(play(settings, DIRECTORY, database=shown, own_database=own_database))
    except NotEmpty:
        cli.fail("walk_refused", template=TERMINAL)
    except Stopped:
        cli.fail("walk_stopped", template=TERMINAL)


def _walk(cli: CliState, *, own_database: bool, out: Path, months: int | None) -> None:
    settings = cli.settings()
    cli.say(TERMINAL, "walk_started", cohort=load_plan().cohort.name, months=months)
    report = asyncio.run(walk(settings, WALK_DIRECTORY, months=months, own_database=own_database))
    write_report(report, Templates(settings.zone), settings.operator_language, out)
    cli.say(
        TERMINAL,
        "walk_done",
        path=str(out),
        people=len(report.people),
        telegram=report.total(TELEGRAM),
        emails=report.total(EMAIL),
    )


def _hide_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    app.command("sandbox", help=help_text("sandbox"))(sandbox)
