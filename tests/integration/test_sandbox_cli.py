"""`advisorybot sandbox` through the real CLI: the `make run` check, and a named database is
used only as it is (never migrated, never filled when it holds data)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from core.services import Services
from storage.db import create_engine
from storage.migrate import current_revision
from storage.models import Cohort, Person
from tests.support.cli_runs import invoke, output_folder

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


async def test_make_run_opens_the_sandbox_only_without_a_token(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output_folder(tmp_path, monkeypatch)
    without = await invoke(services, "sandbox", "--token-missing")
    assert without.exit_code == 0, without.output
    assert "No TELEGRAM_BOT_TOKEN" in without.output
    with_token = await invoke(services, "sandbox", "--token-missing", TELEGRAM_BOT_TOKEN=TOKEN)
    assert with_token.exit_code == 1 and with_token.output == ""
    broken = await invoke(services, "sandbox", "--token-missing", TELEGRAM_BOT_TOKEN="nope")
    assert broken.exit_code == 2 and "TELEGRAM_BOT_TOKEN" in broken.output
    assert "nope" not in broken.output


async def test_a_named_database_that_is_not_migrated_is_refused_and_left_alone(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = output_folder(tmp_path, monkeypatch)
    arguments = ["sandbox", "--database-url", database_url]
    environment = {"OPERATOR_LANGUAGE": "en", "DATABASE_URL": None, "TELEGRAM_BOT_TOKEN": None}
    result = await asyncio.to_thread(CliRunner().invoke, app, arguments, env=environment)
    assert result.exit_code == 2, result.output
    assert "advisorybot db upgrade" in result.output
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) is None
    finally:
        await engine.dispose()
    assert not (folder / ".sandbox" / "sandbox.db").exists()


async def test_the_walk_refuses_a_named_database_that_holds_data(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output_folder(tmp_path, monkeypatch)
    added = await invoke(services, "cohort", "add", "Pilotaż", "--start", "2026-01-05")
    assert added.exit_code == 0, added.output
    url = services.settings.database_url
    result = await invoke(services, "sandbox", "--walk", "--database-url", url)
    assert result.exit_code == 2
    assert "needs an empty database" in result.output
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count(Cohort.id))) == 1
        assert await session.scalar(select(func.count(Person.id))) == 0
