"""The command line loads an area only when one of its commands runs (bot/cli/__init__.py):
its table of commands says, for each, the modules that register it; this keeps the table true."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import bot.cli
from bot.cli import COMMANDS, area_commands

CLI = Path(bot.cli.__file__).parent


def test_each_command_is_registered_by_the_modules_the_table_names() -> None:
    for name, modules in COMMANDS.items():
        assert name in area_commands(modules).commands, (name, modules)


def test_every_module_s_commands_are_in_the_table() -> None:
    listed = {module for modules in COMMANDS.values() for module in modules}
    registering = {
        info.name
        for info in pkgutil.iter_modules([str(CLI)])
        if "def register(" in (CLI / f"{info.name}.py").read_text(encoding="utf-8")
    }
    assert registering == listed
    for module in listed:
        assert set(area_commands((module,)).commands) <= set(COMMANDS), module
