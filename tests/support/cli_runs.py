"""Running the real `advisorybot` CLI from async tests, on the test's database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from core.services import Services

BOT_USERNAME = "advisory_test_bot"


async def invoke(services: Services, *args: str, **env: str | None) -> Result:
    """The CLI runs its own event loop, so it runs in a thread beside the test's.

    English output, a bot username and no token unless `env` says otherwise (None unsets).
    """
    environment: dict[str, str | None] = {
        "DATABASE_URL": services.settings.database_url,
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "TELEGRAM_BOT_TOKEN": None,
        "OPERATOR_LANGUAGE": "en",
        **env,
    }
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=environment)


async def preview_reminders(services: Services, now: str, *, days: int, jst: str) -> Result:
    """`advisorybot reminders preview`: one JST's reminders of `days` days from `now`."""
    options = ("--now", now, "--days", str(days), "--jst", jst)
    return await invoke(services, "reminders", "preview", *options)


def output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder for output files, made the working directory so no .env file is read."""
    path = tmp_path / "out"
    path.mkdir()
    monkeypatch.chdir(path)
    return path
