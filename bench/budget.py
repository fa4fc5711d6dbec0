"""Where the running bot's megabytes come from: the packages `advisorybot run` loads, measured
one after another in a fresh interpreter, each with what it brings along.

    python -m bench.budget sqlite|postgresql

Prints one JSON line: the interpreter's own RSS, then each step's growth of it in MB, in the
order the bot meets them: the libraries (a library another loads first counts with that one:
httpx with python-telegram-bot), then the project's own modules (with the standard library's
they use), then what the bot loads at its first working day checked (Poland's holidays) and
its first date written (CLDR's data for Polish and English). The bench sets the sum, the
floor, beside the bot's RSS at its first answered /status: what is over it is the running
bot's own (bench/README.md, "The floor")."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable

from bench.measure import memory_mb, report

DRIVERS = {
    "sqlite": ("aiosqlite", "sqlalchemy.dialects.sqlite.aiosqlite"),
    "postgresql": ("asyncpg", "sqlalchemy.dialects.postgresql.asyncpg"),
}
LIBRARIES = (
    ("SQLAlchemy, with its asyncio extension and ORM", ("sqlalchemy", "sqlalchemy.ext.asyncio")),
    ("python-telegram-bot, with httpx", ("telegram", "telegram.ext")),
    ("aiohttp, the bot's transport", ("aiohttp",)),
    ("pydantic-settings, with pydantic", ("pydantic_settings",)),
    ("Typer", ("typer",)),
    ("Jinja2", ("jinja2",)),
    ("Babel's code", ("babel.dates", "babel.numbers", "babel.plural", "babel.units")),
    (
        "the e-mail sender: aiosmtplib and the standard library's email",
        ("aiosmtplib", "email.message", "email.policy", "email.headerregistry", "email.utils"),
    ),
    ("prometheus_client, the metrics", ("prometheus_client",)),
    ("python-dateutil", ("dateutil.relativedelta",)),
)
A_DAY = dt.date(2027, 1, 6)  # a Wednesday and a holiday: the weekday alone does not answer
OWN = (
    "the project's own modules (and the standard library's they use)",
    ("bot.cli", "bot.cli.runner"),
)


def _first_working_day() -> None:
    from storage.workdays import is_working_day  # noqa: PLC0415 - measured here

    is_working_day(A_DAY)


def _first_dates() -> None:
    from babel.dates import format_date  # noqa: PLC0415 - loaded (and counted) above

    for language in ("pl", "en"):
        format_date(A_DAY, format="long", locale=language)


AT_WORK: tuple[tuple[str, Callable[[], None]], ...] = (
    ("Poland's holidays, at the first day checked", _first_working_day),
    ("CLDR's Polish and English, at the first date written", _first_dates),
)


def _imports(modules: tuple[str, ...]) -> Callable[[], None]:
    def load() -> None:
        for module in modules:
            importlib.import_module(module)

    return load


def main(kind: str) -> None:
    steps = [(name, _imports(modules)) for name, modules in LIBRARIES]
    steps.insert(1, (f"the {kind} driver", _imports(DRIVERS[kind])))
    steps += [(OWN[0], _imports(OWN[1])), *AT_WORK]
    interpreter = before = memory_mb()
    grown: dict[str, float] = {}
    for name, step in steps:
        step()
        now = memory_mb()
        grown[name], before = now - before, now
    report(interpreter=interpreter, steps=grown, total=before)


if __name__ == "__main__":
    main(sys.argv[1])
