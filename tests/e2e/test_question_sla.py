"""An unanswered question reminds the adviser once and alerts the coordinators once (issue 4).

The question is written straight into the database; the clock is moved with
`advisorybot tick --now`, which enqueues and delivers against the local Bot API by itself.
Anna asks on Tuesday 10 November 2026 at 10:00; Wednesday the 11th is Independence Day, so
Tuesday and Thursday count and the reminder is due on Friday the 13th at 08:00; after
Friday and Monday the coordinators are alerted on Tuesday the 17th at 08:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from localapi import ControlClient
from storage.db import create_engine, create_sessionmaker
from storage.models import (
    Channel,
    Gender,
    Jst,
    Language,
    OutboxMessage,
    Person,
    Question,
    QuestionState,
    Role,
)
from tests.e2e.conftest import join, running
from tests.support.bot_process import BotWorld

JAN = 9004
ASKED = dt.datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@asynccontextmanager
async def _session(world: BotWorld) -> AsyncIterator[AsyncSession]:
    """A transaction on the world's database, committed at the end."""
    engine = create_engine(world.env["DATABASE_URL"])
    try:
        async with create_sessionmaker(engine).begin() as session:
            yield session
    finally:
        await engine.dispose()


async def _ask_and_add_coordinator(world: BotWorld) -> tuple[int, list[int]]:
    """Anna's open question to Jan, and a second coordinator; the coordinators' ids."""
    async with _session(world) as session:
        people = await session.scalars(
            select(Person).where(
                Person.email.in_(["anna.nowak@example.pl", "jan.kowalski@example.pl"])
            )
        )
        by_email = {person.email: person.id for person in people}
        jst = await session.scalar(select(Jst.id).where(Jst.teryt == "1465011"))
        assert jst is not None
        session.add(
            Person(
                email="druga.koordynatorka@example.pl", full_name="Druga Koordynatorka",
                gender=Gender.FEMALE, language=Language.PL, role=Role.COORDINATOR,
                created_at=ASKED, updated_at=ASKED,
            )
        )  # fmt: skip
        question = Question(
            jst_id=jst, asker_id=by_email["anna.nowak@example.pl"],
            adviser_id=by_email["jan.kowalski@example.pl"], attachments={},
            text="Jak zaprosić radnych na debatę?", state=QuestionState.OPEN,
            created_at=ASKED.astimezone(dt.UTC),
        )  # fmt: skip
        session.add(question)
        await session.flush()
        coordinators = await session.scalars(
            select(Person.id).where(Person.role == Role.COORDINATOR)
        )
        return question.id, list(coordinators)


async def _sla_rows(world: BotWorld, question: int) -> list[OutboxMessage]:
    async with _session(world) as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"q-sla:{question}:%"))
        )
        return list(rows)


async def test_reminder_once_on_a_working_day_then_one_alert_per_coordinator(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    await join(control, codes["jan.kowalski@example.pl"], JAN, "Jan")
    assert await world.terminate() == 0, "the tick CLI alone moves the clock from here on"
    question, coordinators = await _ask_and_add_coordinator(world)

    async def reminders() -> int:
        received = await control.received(JAN)
        return sum(f"Pytanie nr {question} czeka" in m.text for m in received)

    await world.cli("tick", "--now", "2026-11-12T12:00")  # without the holiday: due today
    assert await reminders() == 0
    await world.cli("tick", "--now", "2026-11-14T10:00")  # Saturday: queued for Monday 08:00
    assert await reminders() == 0
    await world.cli("tick", "--now", "2026-11-16T08:30")
    assert await reminders() == 1
    await world.cli("tick", "--now", "2026-11-16T08:30")
    await world.cli("tick", "--now", "2026-11-17T09:00")
    assert await reminders() == 1, "never doubled"
    reminder = next(m for m in await control.received(JAN) if f"nr {question}" in m.text)
    assert "Miasto Stołeczne Warszawa (1465011)" in reminder.text
    assert f"/odpowiedz {question}" in reminder.text

    rows = await _sla_rows(world, question)
    alerts = [row for row in rows if row.channel is Channel.EMAIL]
    assert sorted(row.person_id for row in alerts if row.person_id) == sorted(coordinators)
    assert len(alerts) == len(coordinators) == 2, "one alert for each coordinator"
    assert all(row.payload["values"]["adviser"] == "Jan Kowalski" for row in alerts)
    assert len(rows) == 3
