"""Dialog tests: the real bot in process with the teams of tests/data/import/teams.csv, on
SQLite and PostgreSQL (tests/support/team_world.py, tests/support/dialog.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.team_world import World, open_world


@pytest.fixture
def world_settings() -> dict[str, Any]:
    """Settings the bot runs with in a test, beyond the sandbox's (a module overrides it)."""
    return {}


@pytest.fixture
async def world(
    database_url: str,
    schema_at_head: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    world_settings: dict[str, Any],
) -> AsyncIterator[World]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the console script runs the bot
    monkeypatch.chdir(tmp_path)  # the operator's commands read no .env of the developer's
    async with open_world(database_url, tmp_path / "world", **world_settings) as world:
        yield world
