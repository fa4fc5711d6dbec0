"""Issue 21, through the real process: round Z1's list of signatures (XLSX) imported while the
bot runs shows in a member's /status and in `advisorybot indicators --json` (the
self-assessment before and after: tests/dialog/test_self_assessment.py, in process, where the
clock can move past the last round)."""

from __future__ import annotations

import json
from pathlib import Path

from localapi import ControlClient
from tests.e2e.conftest import COHORT, join, running
from tests.support.bot_process import BotWorld
from tests.support.team_files import write_xlsx

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
