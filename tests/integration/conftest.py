"""The demo world in process, on each database, for the tests that talk to the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.runtime import Sandbox
from tests.support.sandbox_chat import open_sandbox


@pytest.fixture
async def sandbox(
    database_url: str, schema_at_head: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Sandbox]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with open_sandbox(database_url, tmp_path / ".sandbox") as box:
        yield box
