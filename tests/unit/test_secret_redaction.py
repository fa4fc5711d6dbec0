"""A crash of any `advisorybot` command prints its traceback, never a secret (issue 16, item 2):
PTB puts the whole token in InvalidToken's message, and Python prints a traceback outside the
redacting logging filter."""

from __future__ import annotations

import pytest
from telegram.error import InvalidToken

from bot.cli.common import CliState
from core.logging_setup import REDACTED

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SMTP_PASSWORD = "smtp-Secret-7"
DB_PASSWORD = "db-Secret-42"


def test_a_crash_prints_its_traceback_with_every_secret_replaced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = CliState(
        overrides={
            "telegram_bot_token": TOKEN,
            "smtp_password": SMTP_PASSWORD,
            "database_url": f"postgresql+asyncpg://bot:{DB_PASSWORD}@127.0.0.1/bot",
            "_env_file": None,
        }
    )
    cli.settings()
    cause = ConnectionError(f"smtp {SMTP_PASSWORD}, database {DB_PASSWORD}")
    with pytest.raises(SystemExit) as stopped:
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.") from cause
        except InvalidToken:
            cli.crashed()

    assert stopped.value.code == 1
    printed = capsys.readouterr().err
    assert "Traceback" in printed and "InvalidToken" in printed and REDACTED in printed
    for secret in (TOKEN, TOKEN.partition(":")[2], SMTP_PASSWORD, DB_PASSWORD):
        assert secret not in printed
