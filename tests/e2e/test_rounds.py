"""A member gets the training round's reminders from the real processes (issue 21, item 1).

A cohort of its own, started on 2 November 2026: its first round (Z1, February 2027) is dated
Wednesday 17 February 2027 by `advisorybot cohort event set`; `advisorybot tick --now` at 09:00
on Monday 8 February (7 working days before) and Tuesday 16 February (the day before) delivers
each reminder once to Zofia, who joined through the running bot. (The texts, a change of date
and the calendar file: tests/dialog/test_rounds.py, in process.)
"""

from __future__ import annotations

from pathlib import Path

from localapi import ControlClient
from tests.e2e.conftest import join, running
from tests.support.bot_process import BotWorld

COHORT = "Zima 2027"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członkini;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA = 8201
PLACE = "Kraków, ul. Wielicka 2"


async def test_a_member_gets_the_round_reminders_once_each(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    del world.env["QUIET_HOURS"]  # the tick runs at 09:00 of its own (tests/e2e/conftest.py)
    team = tmp_path / "zima.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.cli("cohort", "add", COHORT, "--start", "2026-11-02")
    await world.cli("import", str(team), "--cohort", COHORT)
    await world.cli(
        "cohort", "event", "set", COHORT, "Z1", "17.02.2027",
        "--place", PLACE, "--time", "10:00-16:00", "--bring", "laptop",
    )  # fmt: skip
    codes = await running(world, control)
    await join(control, codes["zofia@example.pl"], ZOFIA, "Zofia")
    assert await world.terminate() == 0, "the tick command delivers by itself"

    async def rounds_after(moment: str) -> list[str]:
        before = len(await control.received(ZOFIA))
        await world.cli("tick", "--now", moment)
        return [m.text for m in (await control.received(ZOFIA))[before:] if "zjazd" in m.text]

    assert await rounds_after("2027-02-05T09:00") == [], "8 working days before: nothing yet"
    [week] = await rounds_after("2027-02-08T09:00")
    assert week.startswith("🗓 I zjazd szkoleniowy – za 9 dni: środa, 17 lutego 2027, 10:00–16:00")
    assert PLACE in week and "Co zabrać: laptop" in week
    assert await rounds_after("2027-02-08T09:30") == [], "a second pass doubles nothing"
    [day_before] = await rounds_after("2027-02-16T09:00")
    assert day_before.startswith("🗓 I zjazd szkoleniowy – jutro")
    assert await rounds_after("2027-02-17T09:00") == [], "nothing on the round's day"
