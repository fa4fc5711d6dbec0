"""Every `--help` text of `advisorybot` comes from cli/help.txt.j2 in the operator's language."""

from __future__ import annotations

import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from jinja2 import UndefinedError
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.help import HELP, help_text, operator_language
from core.templates import Templates
from tests.support.bot_process import ADVISORYBOT

ROOT = "advisorybot"
HELP_TIMEOUT_SECONDS = 120  # a guard: the script imports the whole bot before it prints
PHRASES = {"pl": "Uruchom bota", "en": "Run the bot"}


def _shown() -> dict[str, str | None]:
    """Every help text the CLI shows, by key: the command's path, then the parameter's name."""
    found: dict[str, str | None] = {}

    def walk(command: TyperCommand | TyperGroup, path: list[str]) -> None:
        key = ".".join(path) or ROOT
        found[key] = command.help
        for parameter in command.params:  # declared ones: --help is added when shown
            found[f"{key}.{parameter.name}"] = getattr(parameter, "help", None)
        if isinstance(command, TyperGroup):  # the root finds its commands when asked
            context = typer.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert isinstance(sub, TyperCommand | TyperGroup), name
                walk(sub, [*path, name])

    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    walk(root, [])
    return found


def _texts(lang: str) -> dict[str, str]:
    """The template's own entries, read past the macro that renders them."""
    template = Templates(ZoneInfo("Europe/Warsaw")).env.get_template(f"{lang}/{HELP}")
    texts: dict[str, str] = vars(template.make_module({"lang": lang}))["texts"]
    return texts


SHOWN = _shown()


@pytest.mark.parametrize("key", sorted(SHOWN))
def test_every_help_is_the_template_text(key: str) -> None:
    shown = SHOWN[key]
    assert shown
    assert shown == _texts(operator_language()).get(key)


def test_both_languages_have_every_text_and_no_unused_one() -> None:
    assert set(_texts("pl")) == set(_texts("en")) == set(SHOWN)
    for lang in ("pl", "en"):
        assert all(text.strip() and "[" not in text for text in _texts(lang).values())


def test_a_misspelt_key_fails_when_the_cli_is_built() -> None:
    with pytest.raises(UndefinedError):
        help_text("run.no_such_option")


def test_language_read_like_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPERATOR_LANGUAGE", raising=False)
    assert operator_language() == "pl"
    (tmp_path / ".env").write_text("OPERATOR_LANGUAGE=en\nSMTP_PORT=not-a-port\n", "utf-8")
    assert operator_language() == "en"
    monkeypatch.setenv("OPERATOR_LANGUAGE", "pl")
    assert operator_language() == "pl"
    monkeypatch.setenv("OPERATOR_LANGUAGE", "de")
    assert operator_language() == "pl"


def test_settings_error_in_the_language_of_dot_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPERATOR_LANGUAGE", raising=False)
    (tmp_path / ".env").write_text("OPERATOR_LANGUAGE=en\nSMTP_PORT=not-a-port\n", "utf-8")
    result = CliRunner().invoke(app, ["db", "upgrade"], env={"SMTP_PORT": None})
    assert result.exit_code == 2
    assert result.output.startswith("Configuration error: SMTP_PORT:")


def _help(tmp_path: Path, environment: dict[str, str], *arguments: str) -> str:
    """The installed console script, with nothing but `environment`, in an empty folder."""
    result = subprocess.run(
        [ADVISORYBOT, *arguments, "--help"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        timeout=HELP_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("arguments", [(), ("run",)], ids=["advisorybot", "run"])
@pytest.mark.parametrize("lang", ["pl", "en"])
def test_console_script_help(tmp_path: Path, arguments: tuple[str, ...], lang: str) -> None:
    shown = _help(tmp_path, {"OPERATOR_LANGUAGE": lang}, *arguments)
    other = "en" if lang == "pl" else "pl"
    assert PHRASES[lang] in shown
    assert PHRASES[other] not in shown


def test_console_script_help_with_an_invalid_language_is_polish(tmp_path: Path) -> None:
    assert PHRASES["pl"] in _help(tmp_path, {"OPERATOR_LANGUAGE": "de"})
