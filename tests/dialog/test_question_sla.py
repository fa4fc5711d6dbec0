"""An unanswered question reminds the adviser once and alerts the coordinators once (issue 4).

The question is written straight into the database; the clock is moved and the tick run.
Anna asks on Tuesday 10 November 2026 at 10:00; Wednesday the 11th is Independence Day, so
Tuesday and Thursday count and the reminder is due on Friday the 13th at 08:00; after
Friday and Monday the coordinators are alerted on Tuesday the 17th at 08:00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

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
from tests.support.team_world import World

JAN = 9004
WARSAW = ZoneInfo("Europe/Warsaw")
ASKED = dt.datetime(2026, 11, 10, 10, 0, tzinfo=WARSAW)


async def _ask_and_add_coordinator(world: World) -> tuple[int, list[int]]:
    """Anna's open question to Jan, and a second coordinator; the coordinators' ids."""
    async with world.services.sessionmaker.begin() as session:
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
                email="druga.koordynatorka@example.pl",
                full_name="Druga Koordynatorka",
                gender=Gender.FEMALE,
                language=Language.PL,
                role=Role.COORDINATOR,
                created_at=ASKED,
                updated_at=ASKED,
            )
        )
        question = Question(
            jst_id=jst,
            asker_id=by_email["anna.nowak@example.pl"],
            adviser_id=by_email["jan.kowalski@example.pl"],
            attachments={},
            text="Jak zaprosić radnych na debatę?",
            state=QuestionState.OPEN,
            created_at=ASKED.astimezone(dt.UTC),
        )
        session.add(question)
        await session.flush()
        coordinators = await session.scalars(
            select(Person.id).where(Person.role == Role.COORDINATOR)
        )
        return question.id, list(coordinators)


async def test_reminder_once_on_a_working_day_then_one_alert_per_coordinator(
    world: World,
) -> None:
    codes = await world.invite_codes()
    await world.join(codes["jan.kowalski@example.pl"], JAN, "Jan")
    question, coordinators = await _ask_and_add_coordinator(world)

    async def tick(moment: str) -> int:
        """A pass at a local moment; then how many reminders about the question Jan has."""
        await world.tick(dt.datetime.fromisoformat(moment).replace(tzinfo=WARSAW))
        received = await world.control.received(JAN)
        return sum(f"Pytanie nr {question} czeka" in m.text for m in received)

    assert await tick("2026-11-12T12:00") == 0  # without the holiday: due today
    assert await tick("2026-11-14T10:00") == 0  # Saturday: queued for Monday 08:00
    assert await tick("2026-11-16T08:30") == 1
    await tick("2026-11-16T08:30")
    assert await tick("2026-11-17T09:00") == 1, "never doubled"
    reminder = next(m for m in await world.control.received(JAN) if f"nr {question}" in m.text)
    assert "Miasto Stołeczne Warszawa (1465011)" in reminder.text
    assert f"/odpowiedz {question}" in reminder.text

    async with world.services.sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"q-sla:{question}:%"))
            )
        )
    alerts = [row for row in rows if row.channel is Channel.EMAIL]
    assert sorted(row.person_id for row in alerts if row.person_id) == sorted(coordinators)
    assert len(alerts) == len(coordinators) == 2, "one alert for each coordinator"
    assert all(row.payload["values"]["adviser"] == "Jan Kowalski" for row in alerts)
    assert len(rows) == 3
