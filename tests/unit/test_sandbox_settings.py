"""The sandbox's settings keep every connection local, whatever the environment holds."""

from __future__ import annotations

import pytest

from core.settings import SmtpTls, load_settings
from localapi import DEFAULT_TOKEN
from sandbox.runtime import (
    BOT_USERNAME,
    MAIL_FROM,
    SAMPLE_NOTICE,
    isolated_settings,
    sample_notice,
)

PRODUCTION = {
    "TELEGRAM_BOT_TOKEN": "987654321:AAF-production-token-never-used-here-xx",
    "TELEGRAM_BOT_USERNAME": "real_programme_bot",
    "TELEGRAM_API_BASE_URL": "https://api.telegram.org",
    "DATABASE_URL": "postgresql+asyncpg://bot:secret@db.example.pl/advisorybot",
    "SMTP_HOST": "smtp.example.pl",
    "SMTP_USERNAME": "bot",
    "SMTP_PASSWORD": "mail-secret",
    "SMTP_TLS": "ssl",
    "MAIL_FROM": "bot@example.pl",
    "OPERATOR_LANGUAGE": "en",
}


def test_production_settings_in_the_environment_never_reach_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    url = "sqlite+aiosqlite:////tmp/sandbox.db"
    settings = load_settings(_env_file=None, **isolated_settings(url))
    assert settings.token() == DEFAULT_TOKEN
    assert settings.telegram_bot_username == BOT_USERNAME
    assert str(settings.telegram_api_base_url).startswith("http://127.0.0.1")
    assert settings.database_url == url
    assert (settings.smtp_host, settings.smtp_tls) == ("127.0.0.1", SmtpTls.NONE)
    assert settings.smtp_username is None and settings.smtp_password is None
    assert settings.mail_from == MAIL_FROM
    assert settings.operator_language == "en", "preferences still come from the environment"


def test_a_malformed_production_token_does_not_stop_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("DATABASE_URL", "mysql://elsewhere")
    settings = load_settings(_env_file=None, **isolated_settings("sqlite+aiosqlite:///x.db"))
    assert settings.token() == DEFAULT_TOKEN


def test_the_notice_shows_the_operators_controller_and_samples_for_the_rest() -> None:
    """The controller and DPO are no connection: the operator previews their own notice."""
    mine = load_settings(_env_file=None, controller_name="Ośrodek Rozwoju Edukacji")
    assert sample_notice(mine) == {
        "controller_contact": SAMPLE_NOTICE["controller_contact"],
        "dpo_contact": SAMPLE_NOTICE["dpo_contact"],
    }
    assert sample_notice(load_settings(_env_file=None, **SAMPLE_NOTICE)) == {}
