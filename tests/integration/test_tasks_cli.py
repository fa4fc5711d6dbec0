"""`advisorybot extend TERYT TASK YYYY-MM-DD` through the real CLI, with the real clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.services import Services
from storage.models import OutboxMessage, TaskEvent, TaskProgress
from storage.programme import default_template_path, load_template
from storage.programme_calendar import compute_calendar
from tests.support.cli_runs import invoke, output_folder
from tests.support.task_data import WARSZAWA, seed_teams

ADVISORYBOT = Path(sys.executable).parent / "advisorybot"
TODAY = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
START = TODAY.replace(day=1)
ZW1_DUE = next(
    step.due_on
    for step in compute_calendar(load_template(default_template_path()), START)
    if step.code == "ZW1" and step.due_on
)
LATER = ZW1_DUE + dt.timedelta(days=30)


@pytest.fixture
async def ids(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    output_folder(tmp_path, monkeypatch)  # no .env file of the developer's is read
    return await seed_teams(services, START)


async def _rows(services: Services) -> tuple[list[TaskProgress], list[TaskEvent], list[str]]:
    async with services.sessionmaker() as session:
        progress = list(await session.scalars(select(TaskProgress)))
        events = list(await session.scalars(select(TaskEvent)))
        kinds = list(await session.scalars(select(OutboxMessage.kind)))
    return progress, events, kinds


async def test_extend_sets_the_date_and_tells_the_team(
    services: Services, ids: dict[str, int]
) -> None:
    result = await invoke(services, "extend", WARSZAWA, "zw1", LATER.isoformat())
    assert result.exit_code == 0, result.output
    assert "Extended: Miasto Stołeczne Warszawa (1465011), task ZW1" in result.output
    progress, events, kinds = await _rows(services)
    assert [(p.step_code, p.extended_until, p.state.value) for p in progress] == [
        ("ZW1", LATER, "pending")
    ]
    assert [(e.action, e.person_id, e.details["until"]) for e in events] == [
        ("extended", None, LATER.isoformat())
    ]
    assert kinds == ["task_news"] * 3, "Anna, Bartosz and Celina; not Dorota"

    again = await invoke(services, "extend", WARSZAWA, "ZW1", LATER.isoformat())
    assert again.exit_code == 2 and "already extended" in again.output
    assert len((await _rows(services))[1]) == 1, "nothing recorded twice"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("9999999", "ZW1", LATER.isoformat()), "There is no JST with TERYT 9999999."),
        ((WARSZAWA, "ZW9", LATER.isoformat()), 'There is no task "ZW9"'),
        ((WARSZAWA, "ZW1", "30.02.2027"), 'Invalid date "30.02.2027"'),
        ((WARSZAWA, "ZW1", "jutro"), 'Invalid date "jutro"'),
        ((WARSZAWA, "ZW1", "2000-01-01"), "has passed"),
        ((WARSZAWA, "ZW1", ZW1_DUE.isoformat()), "must be later than task ZW1's deadline"),
    ],
)
async def test_extend_refusals_change_nothing(
    services: Services, ids: dict[str, int], arguments: tuple[str, str, str], expected: str
) -> None:
    result = await invoke(services, "extend", *arguments)
    assert result.exit_code == 2 and expected in result.output, result.output
    assert await _rows(services) == ([], [], [])


async def test_installed_command_speaks_polish(services: Services, ids: dict[str, int]) -> None:
    environment = {"DATABASE_URL": services.settings.database_url, "OPERATOR_LANGUAGE": "pl"}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ADVISORYBOT), "extend", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = await asyncio.to_thread(run, WARSZAWA, "ZW1", LATER.isoformat())
    assert done.returncode == 0 and "Przedłużono: Miasto Stołeczne Warszawa" in done.stdout
    refused = await asyncio.to_thread(run, WARSZAWA, "ZW1", "2000-01-01")
    assert refused.returncode == 2 and "już minęła" in refused.stderr
