"""Secrets read from files named by NAME_FILE (compose and Kubernetes secrets), never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.common import CliState
from core.settings import SettingsError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
PASSWORD = "pg-s3cret/with:odd@chars"


def _secret(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_each_secret_from_its_file_without_the_final_line_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_FILE", _secret(tmp_path, "token", f"{TOKEN}\n"))
    monkeypatch.setenv("SMTP_PASSWORD_FILE", _secret(tmp_path, "smtp", "mail pass \n"))
    settings = load_settings(_env_file=None)
    assert settings.token() == TOKEN
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "mail pass "


def test_database_password_file_goes_into_the_url_and_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One secret file for the database server and the bot: the URL carries no password."""
    monkeypatch.delenv("DATABASE_PASSWORD", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://advisorybot@db:5432/advisorybot")
    monkeypatch.setenv("DATABASE_PASSWORD_FILE", _secret(tmp_path, "db", f"{PASSWORD}\n"))
    settings = load_settings(_env_file=None)
    url = make_url(settings.database_url)
    assert (url.username, url.password, url.host, url.database) == (
        "advisorybot",
        PASSWORD,
        "db",
        "advisorybot",
    )
    assert PASSWORD not in repr(settings.database_password)
    cli = CliState()
    assert cli.settings() is not None
    assert PASSWORD in cli.secrets()  # what every output is redacted of


def test_database_password_leaves_a_sqlite_url_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(_env_file=None, database_password=PASSWORD)
    assert settings.database_url == "sqlite+aiosqlite:///advisorybot.db"


def test_a_file_beside_the_value_is_refused_in_one_line_without_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BOT_TOKEN_FILE": _secret(tmp_path, "token", "987654321:" + "x" * 35),
        "OPERATOR_LANGUAGE": "en",
    }
    result = CliRunner().invoke(app, ["run"], env=env)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Configuration error: TELEGRAM_BOT_TOKEN_FILE: set together with the variable without "
        "_FILE: keep one of them."
    ]


@pytest.mark.parametrize("content", [None, b"\xff\xfe not text"])
def test_an_unreadable_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    path = tmp_path / "smtp"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("SMTP_PASSWORD_FILE", str(path))
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "SMTP_PASSWORD_FILE"
    assert raised.value.problem == "file_unreadable"
