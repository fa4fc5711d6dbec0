"""The `advisorybot` command: one Typer app; each area adds its commands in `register`."""

from __future__ import annotations

import os

import typer

from bot.cli import (
    attendance,
    audit,
    cohort,
    coordinators,
    db,
    digest,
    erasure,
    exports,
    invites,
    materials,
    outbox,
    people,
    reminders,
    retention,
    rounds,
    runner,
    sandbox,
    tasks,
)
from bot.cli.common import CliState
from bot.cli.help import help_text
from bot.memory import tune_gc

app = typer.Typer(
    name="advisorybot",
    help=help_text("advisorybot"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    ctx.ensure_object(CliState)  # `main` passes its own, to redact what a crash prints


for area in (
    db,
    cohort,
    rounds,
    people,
    invites,
    exports,
    reminders,
    retention,
    runner,
    erasure,
    audit,
    tasks,
    materials,
    outbox,
    digest,
    coordinators,
    sandbox,
    attendance,
):
    area.register(app)


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22: durations as timedelta, no warnings
    tune_gc()
    cli = CliState()
    try:
        app(obj=cli)
    except Exception:
        cli.crashed()
