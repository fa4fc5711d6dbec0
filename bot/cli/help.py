"""The `--help` texts of `advisorybot`, in the operator's language.

Typer takes each help text when the app is built (import time), before any command has read its
settings, so the language is read here on its own: one variable, the way Settings reads it (the
environment or .env), so a bad unrelated variable cannot break `--help`.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings

from core.settings import Settings
from core.templates import DEFAULT_LANGUAGE, LANGUAGES, Templates

HELP = "cli/help.txt.j2"
HELP_ZONE = ZoneInfo("Europe/Warsaw")  # help texts show no dates or times


class _OperatorLanguage(BaseSettings):
    """Only OPERATOR_LANGUAGE, from the same sources as Settings."""

    model_config = Settings.model_config

    operator_language: str = DEFAULT_LANGUAGE


def operator_language() -> str:
    """The operator's language without building Settings; pl when unset or not pl/en."""
    value = _OperatorLanguage().operator_language
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _help_templates() -> tuple[Templates, str]:
    """Built once, when the first command registers its help."""
    return Templates(HELP_ZONE), operator_language()


def help_text(key: str) -> str:
    """One entry of cli/help.txt.j2 (`command` or `command.parameter`) in the operator's
    language; an unknown key fails at import, not when someone asks for help."""
    templates, language = _help_templates()
    return templates.macro(language, HELP, "text", key=key)
