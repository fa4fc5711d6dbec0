"""Settings: defaults, one clear line per bad or missing variable, secrets never printed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.settings import NOTICE_SETTINGS, SettingsError, SmtpTls, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///advisorybot.db"
    assert str(settings.telegram_api_base_url) == "https://api.telegram.org/"
    assert settings.timezone == "Europe/Warsaw"
    assert settings.smtp_tls is SmtpTls.STARTTLS
    assert settings.quiet_hours == (20, 8)
    assert settings.silent_outside_working_time is True
    assert settings.digest_schedule == (0, 8, 0)
    assert settings.digest_quiet == "short"
    retention = (
        settings.retention_messages_months,
        settings.retention_outbox_days,
        settings.retention_drafts_days,
        settings.retention_invite_attempts_days,
        settings.retention_months_after_cohort,
    )
    assert retention == (24, 30, 30, 30, 60)


@pytest.mark.parametrize(("value", "silent"), [("false", False), ("0", False), ("true", True)])
def test_silent_outside_working_time_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, silent: bool
) -> None:
    monkeypatch.setenv("SILENT_OUTSIDE_WORKING_TIME", value)
    assert load_settings(_env_file=None).silent_outside_working_time is silent


@pytest.mark.parametrize(
    ("value", "schedule"),
    [("mon 08:00", (0, 8, 0)), ("Friday 7:30", (4, 7, 30)), (" sun 23:59 ", (6, 23, 59))],
)
def test_digest_schedule(value: str, schedule: tuple[int, int, int]) -> None:
    assert load_settings(_env_file=None, digest_schedule=value).digest_schedule == schedule


def test_missing_token_is_named() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None).token()
    assert raised.value.variable == "TELEGRAM_BOT_TOKEN"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("telegram_bot_token", "not-a-token", "token_shape"),
        ("telegram_bot_username", "x", "username_shape"),
        ("database_url", "mysql://db", "database_driver"),
        ("timezone", "Mars/Olympus", "timezone"),
        ("quiet_hours", "25:00-08:00", "quiet_hours"),
        ("silent_outside_working_time", "sometimes", "bool_parsing"),
        ("digest_schedule", "mo 08:00", "digest_schedule"),
        ("digest_schedule", "monday 24:00", "digest_schedule"),
        ("digest_schedule", "someday 08:00", "digest_schedule"),
        ("smtp_port", "seventy", "int_parsing"),
        ("retention_messages_months", "0", "greater_than_equal"),
        ("retention_outbox_days", "many", "int_parsing"),
        ("retention_months_after_cohort", "241", "less_than_equal"),
        ("ops_listen", "localhost", "ops_listen"),
        ("ops_listen", "127.0.0.1:99999", "ops_listen"),
        ("log_format", "xml", "literal_error"),
        ("log_level", "loud", "literal_error"),
    ],
)
def test_bad_value_names_the_variable(variable: str, value: str, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **{variable: value})
    assert raised.value.variable == variable.upper()
    assert raised.value.problem == problem
    assert value not in str(raised.value)


def test_secrets_hidden_in_repr() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, smtp_password="hunter2x")
    assert TOKEN not in repr(settings)
    assert "hunter2x" not in repr(settings)
    assert settings.token() == TOKEN


def test_run_without_token_prints_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir("/")
    result = CliRunner().invoke(app, ["run"], env={"OPERATOR_LANGUAGE": "en"})
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]


def test_bad_token_value_never_echoed() -> None:
    secret = "12:short-secret"
    result = CliRunner().invoke(
        app, ["run"], env={"TELEGRAM_BOT_TOKEN": secret, "OPERATOR_LANGUAGE": "pl"}
    )
    assert result.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN" in result.output
    assert secret not in result.output


def test_run_without_the_controller_and_dpo_names_them_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in NOTICE_SETTINGS:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir("/")
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "OPERATOR_LANGUAGE": "en"}
    result = CliRunner().invoke(app, ["run"], env=env | {"CONTROLLER_NAME": "ORE"})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Configuration error: CONTROLLER_CONTACT, DPO_CONTACT: not set "
        "(set the environment variable or put it in the .env file)."
    ]


def test_notice_settings_blank_is_unset_and_spaces_are_one() -> None:
    settings = load_settings(
        _env_file=None, controller_name="  Ośrodek \n Rozwoju  Edukacji ", dpo_contact=" "
    )
    assert settings.controller_name == "Ośrodek Rozwoju Edukacji"
    assert settings.dpo_contact is None
    assert settings.retention_months_after_cohort == 60
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, controller_contact="x" * 201)
    assert (raised.value.variable, raised.value.problem) == (
        "CONTROLLER_CONTACT",
        "string_too_long",
    )
