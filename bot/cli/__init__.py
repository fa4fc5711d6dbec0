"""The `advisorybot` command: one Typer app; each area adds its commands in `register`, and an
area's module is imported only when one of its commands runs (or `--help` lists them): `run`
does not load the exports' openpyxl, the sandbox's terminal or the local Bot API."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from bot.memory import collect_rarely, tune_gc

collect_rarely()  # before the modules below load (bot/memory.py)

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402
from typer.main import get_group  # noqa: E402

from bot.cli.common import CliState  # noqa: E402
from bot.cli.help import help_text  # noqa: E402

if TYPE_CHECKING:  # Typer's own Click (typer._click): for the types only
    from typer._click import Command, Context

# Each command, and the modules (of bot.cli) whose `register` adds it, in the order of `--help`.
COMMANDS: dict[str, tuple[str, ...]] = {
    "db": ("db",),
    "cohort": ("cohort", "rounds"),
    "import": ("people",),
    "invites": ("invites",),
    "export": ("exports",),
    "indicators": ("exports",),
    "tick": ("reminders",),
    "reminders": ("reminders",),
    "retention": ("retention",),
    "run": ("runner",),
    "erase": ("erasure",),
    "erasure": ("erasure",),
    "audit": ("audit",),
    "extend": ("tasks",),
    "material": ("materials",),
    "outbox": ("outbox",),
    "digest": ("digest",),
    "coordinator": ("coordinators",),
    "sandbox": ("sandbox",),
    "attendance": ("attendance",),
    "backup": ("backup",),
    "restore": ("backup",),
}


def area_commands(modules: tuple[str, ...]) -> TyperGroup:
    """The commands these modules register, as one group."""
    area = typer.Typer()
    for module in modules:
        importlib.import_module(f"bot.cli.{module}").register(area)
    return get_group(area)


class _LazyCommands(TyperGroup):
    """Finds a command by importing its area when it is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = area_commands(COMMANDS[cmd_name]).commands[cmd_name]
        return self.commands.get(cmd_name)


app = typer.Typer(
    name="advisorybot",
    cls=_LazyCommands,
    help=help_text("advisorybot"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    ctx.ensure_object(CliState)  # `main` passes its own, to redact what a crash prints


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22: durations as timedelta, no warnings
    tune_gc()
    cli = CliState()
    try:
        app(obj=cli)
    except Exception:
        cli.crashed()
