"""What every CLI command shares: settings built once, services, errors printed in one line."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.engine import make_url
from telegram.error import Conflict, InvalidToken

from bot.cli.help import operator_language
from core.clock import Clock
from core.logging_setup import redact
from core.services import DatabaseUnreachable, Services
from core.settings import Settings, SettingsError, load_settings
from core.templates import Templates
from storage.migrate import DatabaseNotReady, ensure_current

T = TypeVar("T")
EXIT_USAGE = 2
EXIT_CRASH = 1


ERRORS = "cli/errors.txt.j2"


class OperatorError(Exception):
    """A refusal the operator reads: a macro of a template file, and its arguments."""

    def __init__(self, template: str, macro: str, /, **arguments: Any) -> None:
        super().__init__(f"{template}:{macro}")
        self.template = template
        self.macro = macro
        self.arguments = arguments


@dataclass
class CliState:
    """Per-invocation state: settings are read once, on first use."""

    overrides: dict[str, Any] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)  # more secrets: passwords a command was given
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(**self.overrides)
            except SettingsError as error:
                _print_settings_error(error)
        return self._settings

    def token(self) -> str:
        """The bot token, or one line naming the missing variable and exit 2."""
        settings = self.settings()
        try:
            return settings.token()
        except SettingsError as error:
            _print_settings_error(error, settings.operator_language)

    def require(self, *names: str) -> None:
        """These settings, or one line naming every one not set and exit 2."""
        settings = self.settings()
        try:
            settings.require(*names)
        except SettingsError as error:
            _print_settings_error(error, settings.operator_language)

    def secrets(self) -> list[str]:
        """What no output may show: the bot token and the SMTP and database passwords, of the
        settings read so far (a command that failed before reading them has none to show), and
        those a command was given (`hidden`)."""
        settings = self._settings
        if settings is None:
            return list(self.hidden)
        found = [make_url(settings.database_url).password]
        found += [
            secret.get_secret_value()
            for secret in (settings.telegram_bot_token, settings.smtp_password)
            if secret is not None
        ]
        return [secret for secret in [*found, *self.hidden] if secret]

    def operator(self) -> str:
        """Who runs the command, as the audit log names them: their system account."""
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # no login name in the environment nor a passwd entry
            login = "unknown"
        return f"operator:{login}"

    def templates(self) -> Templates:
        return Templates(self.settings().zone)

    def say(self, name: str, macro: str, /, *, err: bool = False, **arguments: Any) -> None:
        """Print one templated message in the operator's language."""
        text = self.templates().macro(self.settings().operator_language, name, macro, **arguments)
        typer.echo(text, err=err)

    def show(self, name: str, /, **context: Any) -> None:
        """Print a whole templated page (tables, calendars) in the operator's language."""
        typer.echo(self.templates().render(self.settings().operator_language, name, **context))

    def run(
        self,
        work: Callable[[Services], Awaitable[T]],
        *,
        check_schema: bool = True,
        clock: Clock | None = None,
    ) -> T:
        """Run `work` with fresh services; print known errors as one line and exit 2."""
        services = Services.build(self.settings(), clock)

        async def _main() -> T:
            try:
                await services.reachable()
                if check_schema:
                    await ensure_current(services.engine)
                return await work(services)
            finally:
                await services.close()

        with self.known_failures():
            return asyncio.run(_main())

    @contextlib.contextmanager
    def known_failures(self) -> Iterator[None]:
        """A failure the operator can act on becomes one line and exit 2; anything else is left
        to `crashed`."""
        try:
            yield
        except OperatorError as error:
            self.fail(error.macro, template=error.template, **error.arguments)
        except SettingsError as error:
            _print_settings_error(error, self.settings().operator_language)
        except DatabaseNotReady as error:
            self.fail("database_not_ready", current=error.current, expected=error.expected)
        except DatabaseUnreachable as error:
            self.fail("database_unreachable", reason=redact(error.reason, self.secrets()))
        except InvalidToken:
            self.fail("token_rejected")
        except Conflict:
            self.fail("another_instance")

    def crashed(self) -> NoReturn:
        """An unexpected failure: its traceback on stderr with every secret replaced, exit 1."""
        typer.echo(redact(traceback.format_exc(), self.secrets()).rstrip(), err=True)
        raise SystemExit(EXIT_CRASH)

    def fail(self, macro: str, /, *, template: str = ERRORS, **arguments: Any) -> NoReturn:
        """Print a refusal on stderr and exit 2."""
        self.say(template, macro, err=True, **arguments)
        raise typer.Exit(EXIT_USAGE)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def _print_settings_error(error: SettingsError, lang: str | None = None) -> NoReturn:
    # Settings may be what failed, so the zone and language fall back to the defaults.
    language = lang or operator_language()
    text = Templates(ZoneInfo("Europe/Warsaw")).macro(
        language, ERRORS, "settings", variable=error.variable, problem=error.problem
    )
    typer.echo(text, err=True)
    raise typer.Exit(EXIT_USAGE)
