"""Issue 21, competences: the self-assessment before the first training round (asked by the
reminder rule, filled by /samoocena) and after the last; attendance and a higher sum after move
the result indicator. A cohort of its own in its preparation phase: round Z1 starts next month.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from reminders.tick import work_calendar
from storage.attendance import Source, record_attendance
from storage.models import Person, ProgrammeStep
from tests.support.dialog import Speaker, alert, dialog, forge, press, receives
from tests.support.flow_data import MONITORING_TEAM, PIOTR, ZOFIA
from tests.support.team_world import World

COHORT = "Samoocena"
QUESTIONS = 10


async def _team(world: World, tmp_path: Path) -> tuple[Speaker, Speaker]:
    """Gmina Jesionowa's team in a cohort started last month; Zofia and Piotr joined."""
    team = tmp_path / "team.csv"
    team.write_text(MONITORING_TEAM, encoding="utf-8")
    await world.add_team(team, COHORT, world.today().replace(day=1) - relativedelta(months=1))
    codes = await world.invite_codes()
    zofia, _ = await world.join(codes["zofia@example.pl"], ZOFIA, "Zofia")
    piotr, _ = await world.join(codes["piotr@example.pl"], PIOTR, "Piotr")
    return zofia, piotr


async def _rate(person: Speaker, rating: str) -> None:
    """Every statement rated alike, up to the summary."""
    for number in range(1, QUESTIONS + 1):
        await dialog((person, press(rating), "podsumowanie" if number == QUESTIONS else None))


async def _working_morning(world: World, day: dt.date) -> dt.datetime:
    calendar = work_calendar(world.services)
    return calendar.at(calendar.next_working_day(day), 10)


async def test_before_and_after_move_the_result_indicator(world: World, tmp_path: Path) -> None:
    zofia, piotr = await _team(world, tmp_path)
    await dialog(
        (zofia, "/samoocena", ("przed zjazdami", "stwierdzenie 1 z 10", "1 – nie potrafię"))
    )
    await dialog((zofia, "Nie wiem", "stwierdzenie 1 z 10"))  # a message: the buttons again
    await dialog((zofia, forge("f:zzzz:v5"), alert("nieaktualny")))  # a made-up token
    await _rate(zofia, "3")
    assert "Suma: 30 z 50" in zofia.read[-1].text
    await dialog(
        (zofia, press("✅ Wyślij samoocenę"), "zapisana: suma 30 z 50"),
        (zofia, "/samoocena", ("nie jest teraz otwarta", "Przed zjazdami: wypełniona")),
    )

    # The rule asks who has not answered, once they joined; Zofia answered, so not her.
    await world.tick(await _working_morning(world, world.today() + dt.timedelta(days=1)))
    await dialog((piotr, receives, "Prosimy o samoocenę kompetencji cyfrowych przed zjazdami"))
    assert not any("Prosimy o samoocenę" in m.text for m in zofia.read)

    # Zofia attends the four rounds; after the last, the self-assessment is open again.
    async with world.services.sessionmaker.begin() as session:
        person = await session.scalar(select(Person).where(Person.email == "zofia@example.pl"))
        assert person is not None
        rounds = list(
            await session.scalars(
                select(ProgrammeStep)
                .where(ProgrammeStep.kind == "training", ProgrammeStep.cohort.has(name=COHORT))
                .order_by(ProgrammeStep.position)
            )
        )
        for step in rounds:
            await record_attendance(
                session,
                step.code,
                {person.id: True},
                source=Source.OPERATOR,
                actor="operator:test",
                now=world.services.clock.now(),
            )
    world.clock.set(await _working_morning(world, rounds[-1].ends_on + dt.timedelta(days=1)))
    await dialog((zofia, "/samoocena", ("po zjazdach", "stwierdzenie 1 z 10")))
    await _rate(zofia, "4")
    await dialog((zofia, press("✅ Wyślij samoocenę"), ("suma 40 z 50", "Przed zjazdami: 30")))

    numbers = json.loads(await world.cli("indicators", "--json"))
    improved = numbers["result"]["staff_improved"]
    assert (improved["women"]["value"], improved["men"]["value"]) == (1, 0)
    supported = numbers["product"]["staff_supported"]["total"]["value"]
    assert supported == 1, "Piotr joined but attended no round"
