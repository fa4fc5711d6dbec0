"""Issue 21, through the real process: round Z1's list of signatures (XLSX) imported while the
bot runs shows in a member's /status and in `advisorybot indicators --json`; a member's
self-assessment before the rounds and after them (higher) moves the result indicator."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from localapi import ControlClient, Person
from tests.e2e.conftest import COHORT, cohort_start, join, running
from tests.support.bot_process import BotWorld
from tests.support.flow_data import MONITORING_TEAM, ZOFIA
from tests.support.team_files import write_xlsx

LATER = "Samoocena"

SIGNED: list[list[object]] = [
    ["full_name", "email", "present"],
    ["Anna Nowak", "anna.nowak@example.pl", "podpis"],
    ["Bartosz Wiśniewski", "bartosz.wisniewski@example.pl", "x"],
    ["Celina Wójcik", "celina.wojcik@example.pl", ""],
]


async def test_imported_attendance_shows_in_status_and_indicators(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], 8001, "Anna")
    await join(control, codes["celina.wojcik@example.pl"], 8003, "Celina")
    before = json.loads(await world.cli("indicators", "--json"))
    assert before["product"]["staff_supported"]["total"]["value"] == 0, "joined is not support"

    signed = write_xlsx(tmp_path / "z1.xlsx", SIGNED)
    output = await world.cli("attendance", "import", COHORT, "Z1", str(signed))
    assert "present: 2, absent: 1" in output

    await anna.say("/status")
    status = await anna.next_message(within=10)
    assert "Zjazdy szkoleniowe" in status.text
    assert "obecni: Anna Nowak, Bartosz Wiśniewski" in status.text

    numbers = json.loads(await world.cli("indicators", "--json"))
    supported = numbers["product"]["staff_supported"]
    # Anna joined and signed; Bartosz signed but never joined; Celina joined, did not sign.
    assert (supported["total"]["value"], supported["women"]["value"]) == (1, 1)
    assert numbers["result"]["jsts_under_advisory"]["total"]["value"] == 1
    assert numbers["members_joined_telegram"] == 2


async def test_the_self_assessment_before_and_after_moves_the_result_indicator(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    """A cohort starting next month: "before" is open. Then its calendar is moved back, as if
    its fifteen months of rounds had passed (the bot reads it from the database on every use),
    Zofia is marked at the four rounds, and "after" is open."""
    team = tmp_path / "team.csv"
    team.write_text(MONITORING_TEAM, encoding="utf-8")
    start = cohort_start() + relativedelta(months=5)
    await world.cli("cohort", "add", LATER, "--start", start.isoformat())
    await world.cli("import", str(team), "--cohort", LATER)
    codes = await running(world, control)
    zofia, _ = await join(control, codes["zofia@example.pl"], ZOFIA, "Zofia")
    await _assess(zofia, "3", "suma 30 z 50")

    _move_back(world.workdir / "advisorybot.db", LATER)
    for code in ("Z1", "Z2", "Z3", "Z4"):
        await world.cli("attendance", "mark", LATER, code, "zofia@example.pl")
    await _assess(zofia, "4", "Przed zjazdami: 30 z 50")

    numbers = json.loads(await world.cli("indicators", "--json"))
    improved = numbers["result"]["staff_improved"]
    assert (improved["total"]["value"], improved["women"]["value"]) == (1, 1)


async def _assess(person: Person, rating: str, done: str) -> None:
    """/samoocena, every statement rated alike, sent."""
    await person.say("/samoocena")
    shown = await person.next_message(within=10)
    for _ in range(10):
        await person.press(shown, rating)
        shown = await person.next_message(within=10)
    assert "Suma:" in shown.text
    await person.press(shown, "✅ Wyślij samoocenę")
    assert done in (await person.next_message(within=10)).text


def _move_back(database: Path, cohort: str) -> None:
    """The cohort's calendar moved so its last training round ended yesterday."""
    with sqlite3.connect(database) as connection:
        (cohort_id,) = connection.execute(
            "SELECT id FROM cohorts WHERE name = ?", (cohort,)
        ).fetchone()
        (last_end,) = connection.execute(
            "SELECT max(ends_on) FROM programme_steps WHERE cohort_id = ? AND kind = 'training'",
            (cohort_id,),
        ).fetchone()
        yesterday = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date() - dt.timedelta(days=1)
        shift = f"-{(dt.date.fromisoformat(last_end) - yesterday).days} days"
        for column in ("starts_on", "ends_on", "due_on"):
            connection.execute(
                f"UPDATE programme_steps SET {column} = date({column}, ?) "
                f"WHERE cohort_id = ? AND {column} IS NOT NULL",
                (shift, cohort_id),
            )
