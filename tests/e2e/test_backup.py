"""A backup taken while the real `advisorybot run` works, restored into an empty database after
the bot is lost, and the bot carries on from it: the message that was waiting is delivered once,
a question's draft is sent where it stopped, and the adviser's reply to a question forwarded
before the backup reaches the member. On SQLite and PostgreSQL (row by row, and the refusals:
tests/integration/test_backup.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from localapi import ChatMessage, ControlClient, Person
from storage.db import create_engine, create_sessionmaker
from storage.models import OutboxMessage, OutboxState
from tests.e2e.conftest import COHORT, TEAMS, cohort_start, eventually, join, running
from tests.support import postgres
from tests.support.backup_data import new_postgres_database, pg_bin
from tests.support.bot_process import BotWorld
from tests.support.system import not_installed

ANNA, BARTOSZ, JAN = 8001, 8002, 8005
EMAILS = {
    ANNA: ("anna.nowak@example.pl", "Anna"),
    BARTOSZ: ("bartosz.wisniewski@example.pl", "Bartosz"),
    JAN: ("jan.kowalski@example.pl", "Jan"),
}
SEND = "Wyślij"
WAIT_SECONDS = 20  # Telegram's 429 for the forward: the row waits this long, pending


async def _ask(member: Person, text: str) -> int:
    """A whole question: the draft, "Send" pressed, the number from the receipt."""
    offer = await _draft(member, text)
    await member.press(offer, SEND)
    receipt = await member.next_message(within=10)
    found = re.search(r"Pytanie nr (\d+) zapisane", receipt.text)
    assert found is not None, receipt.text
    return int(found[1])


async def _draft(member: Person, text: str) -> ChatMessage:
    await member.say(f"/pytanie {text}")
    return await member.next_message(within=10)


@dataclass
class Databases:
    """The bot's database (`world.env`) and new empty ones of the same kind."""

    world: BotWorld
    server: postgres.ThrowawayPostgres | None
    stack: AsyncExitStack

    async def fresh(self) -> str:
        if self.server is None:
            return f"sqlite+aiosqlite:///{self.world.workdir / 'restored.db'}"
        return await self.stack.enter_async_context(new_postgres_database(self.server))

    def lose(self) -> None:
        """The machine is lost with its database: a SQLite file goes with it (a PostgreSQL
        database is left to the fixture; the bot is pointed away from it)."""
        if self.server is None:
            for lost in self.world.workdir.glob("advisorybot.db*"):
                lost.unlink()


@pytest.fixture(params=["sqlite", "postgresql"])
async def databases(
    request: pytest.FixtureRequest,
    world: BotWorld,
    postgres_server: postgres.ThrowawayPostgres | None,
) -> AsyncIterator[Databases]:
    """SQLite: the world's own. PostgreSQL: a database of the test server with the world's
    cohort and teams."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            yield Databases(world, None, stack)
            return
        if postgres_server is None:
            not_installed("PostgreSQL")
        found = Databases(world, postgres_server, stack)
        world.env["DATABASE_URL"] = await found.fresh()
        world.env["PG_BIN_DIR"] = pg_bin() or ""
        await world.cli("db", "upgrade")
        await world.cli("cohort", "add", COHORT, "--start", cohort_start().isoformat())
        await world.cli("import", str(TEAMS), "--cohort", COHORT)
        yield found
        if world.process is not None and world.process.poll() is None:  # before its database
            assert await world.terminate() == 0, "the bot stops cleanly on SIGTERM"


async def _waiting_forward(url: str, number: int) -> bool:
    """The forward of question `number` is pending again after Telegram's 429."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            row = await session.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.dedupe_key.startswith(f"question:{number}:to:")
                )
            )
            return (
                row is not None
                and row.state is OutboxState.PENDING
                and (row.last_error or "").startswith("retry_after")
            )
    finally:
        await engine.dispose()


async def _count(control: ControlClient, chat_id: int, text: str) -> int:
    return sum(text in message.text for message in await control.received(chat_id))


async def test_the_bot_carries_on_from_a_backup_restored_into_an_empty_database(
    world: BotWorld, control: ControlClient, databases: Databases, tmp_path: Path
) -> None:
    codes = await running(world, control)
    people = {}
    for user_id, (email, name) in EMAILS.items():
        people[user_id] = (await join(control, codes[email], user_id, name))[0]
    anna, bartosz, jan = people[ANNA], people[BARTOSZ], people[JAN]

    # Before the backup: Anna's first question forwarded to Jan (his copy linked to it),
    # Bartosz's question half-written, Anna's second one stored and its forward waiting.
    first = await _ask(anna, "Jak wypełnić arkusz diagnozy?")
    header = await jan.next_message(within=10)
    assert f"Pytanie nr {first}" in header.text
    offer = await _draft(bartosz, "Czy szkolenie jest obowiązkowe?")
    await control.fault("retry_after", method="sendMessage", chat_id=JAN, retry_after=WAIT_SECONDS)
    second = await _ask(anna, "Kiedy debata publiczna?")
    live = world.env["DATABASE_URL"]
    await eventually(lambda: _waiting_forward(live, second))

    backup = tmp_path / "kopia.backup"
    written = await world.cli("backup", "--out", str(backup))  # while the bot runs
    assert "Backup written" in written
    await world.kill()  # the machine is lost with its database
    databases.lose()
    world.env["DATABASE_URL"] = await databases.fresh()
    restored = await world.cli("restore", str(backup))
    assert "the bot can be started" in restored, restored
    await control.clear_faults()
    world.start()
    await control.until_polling()

    await jan.say("Proszę użyć arkusza A.", reply_to=header.message_id)
    answer = await anna.next_message(within=15)
    assert "Proszę użyć arkusza A." in answer.text and f"pytanie nr {first}" in answer.text
    await bartosz.press(offer, SEND)
    receipt = await bartosz.next_message(within=15)
    assert re.search(r"Pytanie nr \d+ zapisane", receipt.text), receipt.text

    async def everything_forwarded() -> bool:
        waited = await _count(control, JAN, "Kiedy debata publiczna?")
        drafted = await _count(control, JAN, "Czy szkolenie jest obowiązkowe?")
        return waited >= 1 and drafted >= 1

    await eventually(everything_forwarded, within=WAIT_SECONDS + 30)
    await anna.say("/status")  # the bot has caught up with everything
    await anna.next_message(within=15)
    assert await _count(control, JAN, "Kiedy debata publiczna?") == 1, "delivered once"
    assert await _count(control, JAN, "Czy szkolenie jest obowiązkowe?") == 1
    assert await _count(control, ANNA, "Proszę użyć arkusza A.") == 1
