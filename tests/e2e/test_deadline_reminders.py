"""An `advisorybot tick` process killed mid-delivery never doubles a reminder (issue 5).

A cohort of its own, started on 9 April 2025: its resolution (UCHWALA) ends its phase on Sunday
8 November 2026 and is due on Monday 9th, so its T-14 reminder is sent on Monday 26 October.
(The reminders' days and texts as the clock moves: tests/dialog/test_deadline_reminders.py,
in process.)
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from localapi import ControlClient
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import ADVISORYBOT, BotWorld

COHORT = "Wiosna 2025"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA = 8001


async def _zofia_joined(world: BotWorld, control: ControlClient, tmp_path: Path) -> None:
    team = tmp_path / "jesien.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.cli("cohort", "add", COHORT, "--start", "2025-04-09")
    await world.cli("import", str(team), "--cohort", COHORT)
    codes = await running(world, control)
    await join(control, codes["zofia@example.pl"], ZOFIA, "Zofia")
    assert await world.terminate() == 0, "the tick command delivers by itself"


async def test_a_tick_killed_mid_delivery_never_doubles_a_reminder(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    del world.env["QUIET_HOURS"]  # the tick runs at 09:00 of its own (tests/e2e/conftest.py)
    await _zofia_joined(world, control, tmp_path)
    before = len(await control.received(ZOFIA))
    sends = (await control.counters())["calls"].get("sendMessage", 0)
    # Telegram takes the reminder, but the tick dies before it records that it was sent.
    await control.fault("hang", method="sendMessage", seconds=3, deliver=True)
    tick = await asyncio.create_subprocess_exec(
        ADVISORYBOT,
        "tick",
        "--now",
        "2026-10-26T09:00",
        cwd=world.workdir,
        env=world.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    async def in_flight() -> bool:
        return bool((await control.counters())["calls"].get("sendMessage", 0) > sends)

    await eventually(in_flight)
    tick.kill()
    await tick.wait()
    delivered = await control.next_message(ZOFIA, within=10)
    assert "UCHWALA – Uchwała organu stanowiącego" in delivered.text

    await world.cli("tick", "--now", "2026-10-26T09:10")  # after the lease: not sent again
    texts = [m.text for m in (await control.received(ZOFIA))[before:]]
    assert texts == [delivered.text]
