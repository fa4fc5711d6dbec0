"""End-to-end: the real `advisorybot run` process against the local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from localapi import ChatMessage, ControlClient, LocalBotApi, Person
from tests.support.bot_process import BotWorld, bot_environment

TEAMS = Path(__file__).parent.parent / "data" / "import" / "teams.csv"
COHORT = "Pilotaż"
NOTICE_BUTTON = {"pl": "Przeczytane – potwierdzam", "en": "I have read the notice"}


def cohort_start() -> dt.date:
    """Four months before this month: the cohort is in its first advisory period today."""
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    return today.replace(day=1) - relativedelta(months=4)


def quiet_now() -> dict[str, str]:
    """Quiet hours around now for the bot under test. Its tick runs on the wall clock: on a
    working day what it sends on its own (a report's request, a deadline's reminder, a
    self-assessment's prompt, as the cohort's dates and the day bring them) could come between
    the messages of a dialogue a test follows. Now it waits for the morning, as at night, and
    replies go without a sound. A test of the tick's own messages runs `advisorybot tick --now`
    at a moment of its own, and first takes this away (`del world.env["QUIET_HOURS"]`)."""
    hour = dt.datetime.now(ZoneInfo("Europe/Warsaw")).hour
    return {"QUIET_HOURS": f"{hour}:00-{(hour + 2) % 24}:00"}  # a test takes minutes, not hours


@pytest.fixture
async def local_api() -> AsyncIterator[LocalBotApi]:
    api = LocalBotApi()  # Telegram's limits on, real time: as the bot meets them in production
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def control(local_api: LocalBotApi) -> AsyncIterator[ControlClient]:
    async with ControlClient(local_api.url) as client:
        yield client


@pytest.fixture
async def world(tmp_path: Path, local_api: LocalBotApi) -> AsyncIterator[BotWorld]:
    """A migrated SQLite database with a cohort and the teams of tests/data/import/teams.csv."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'advisorybot.db'}"
    async with world_on(database, tmp_path, local_api) as world:
        yield world


@contextlib.asynccontextmanager
async def world_on(
    database: str, tmp_path: Path, local_api: LocalBotApi
) -> AsyncIterator[BotWorld]:
    """The world's cohort and teams on `database`; the bot stopped (SIGTERM) at the end."""
    environment = bot_environment(tmp_path, local_api.url, local_api.token, database)
    world = BotWorld(tmp_path, environment | quiet_now())
    await world.cli("db", "upgrade")
    await world.cli("cohort", "add", COHORT, "--start", cohort_start().isoformat())
    await world.cli("import", str(TEAMS), "--cohort", COHORT)
    yield world
    if world.process is not None and world.process.poll() is None:
        assert await world.terminate() == 0, "the bot stops cleanly on SIGTERM"
    print(world.log_text())  # shown by pytest when the test failed


async def running(world: BotWorld, control: ControlClient) -> dict[str, str]:
    """Issue invitations, start the bot and wait until it polls; e-mail -> invite code."""
    codes = await world.invite_codes()
    world.start()
    await control.until_polling()
    return codes


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    """Poll the local servers (not a timer) until `check` holds: for a process starting up."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def join(
    control: ControlClient, code: str, user_id: int, first_name: str, language: str = "pl"
) -> tuple[Person, ChatMessage]:
    """A person opens their invite link and confirms the notice; returns the welcome."""
    person = await control.user(user_id, first_name, language_code=language)
    await person.say(f"/start {code}")
    notice = await person.next_message(within=10)
    await person.press(notice, NOTICE_BUTTON[language])
    return person, await person.next_message(within=10)
