"""Retention applied by `advisorybot tick`, as the operator runs it beside the bot: a member's
question, asked on Telegram, keeps its text until the schedule's day, then only its dates."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from storage.models import OutboxMessage, Question
from storage.retention.cohorts import cohort_ends
from tests.support.dialog import dialog, press
from tests.support.team_world import COHORT, World

ANNA = 8001
WORDS = "Jak wypełnić arkusz diagnozy? Mój telefon: 600 100 200"


async def test_the_tick_removes_what_the_schedule_says_and_the_preview_said(
    world: World,
) -> None:
    codes = await world.invite_codes()
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    await dialog((anna, f"/pytanie {WORDS}", None), (anna, press("Wyślij"), "zapisane"))
    async with world.services.sessionmaker() as session:
        (end,) = [c.end for c in await cohort_ends(session) if c.name == COHORT]
    goes_on = end + relativedelta(months=24) + dt.timedelta(days=1)

    preview = await world.cli("retention", "preview")
    day = f"From {goes_on:%B} {goes_on.day}, {goes_on.year}:"
    assert re.search(rf"{day}\n  {COHORT}: 1 question: texts and files\n", preview), preview
    assert WORDS not in preview and "Anna" not in preview

    await world.settle()  # the forward to Jan, by e-mail, has gone too
    await world.stop_bot()  # the operator's pass at a later day: the bot's job is daily
    async with world.services.sessionmaker() as session:
        sent_then = set(await session.scalars(select(OutboxMessage.id)))
    day_before = await world.cli("tick", "--now", f"{goes_on - dt.timedelta(days=1)}T23:00")
    assert "Data retention: items removed" in day_before, "the messages of long ago"
    assert await _question_texts(world) == [WORDS]
    async with world.services.sessionmaker() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(sent_then)))
        assert {(row.last_error, str(row.payload)) for row in rows} == {("expired", "{}")}
    done = await world.cli("tick", "--now", f"{goes_on}T04:00")
    assert "Data retention: items removed or anonymised by the schedule" in done
    assert await _question_texts(world) == [""]


async def _question_texts(world: World) -> list[str]:
    async with world.services.sessionmaker() as session:
        return list(await session.scalars(select(Question.text)))
