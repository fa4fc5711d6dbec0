"""Deadline reminders reach a joined member through `advisorybot tick --now` (issue 5).

A cohort of its own, started on 9 September 2024: its last task, DP, is due on Sunday
8 November 2026, so its T-14 falls on Sunday 25 October (the day summer time ends) and its T-7
on Sunday 1 November (All Saints' Day). Every earlier task is long overdue and stale by then.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from localapi import ControlClient
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import ADVISORYBOT, BotWorld

COHORT = "Jesień 2024"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA = 8001
TASK_CODES = ("ZW1", "ZW2", "ZW3", "HDR_ORE", "UCHWALA", "DP")


async def _zofia_joined(world: BotWorld, control: ControlClient, tmp_path: Path) -> None:
    team = tmp_path / "jesien.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.cli("cohort", "add", COHORT, "--start", "2024-09-09")
    await world.cli("import", str(team), "--cohort", COHORT)
    codes = await running(world, control)
    await join(control, codes["zofia@example.pl"], ZOFIA, "Zofia")
    assert await world.terminate() == 0, "the tick command delivers by itself"


async def test_a_member_gets_each_step_once_and_a_sunday_one_on_monday_morning(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    await _zofia_joined(world, control, tmp_path)

    async def tick(moment: str) -> list[str]:
        """The task reminders Zofia receives from one pass at a local moment."""
        before = len(await control.received(ZOFIA))
        await world.cli("tick", "--now", moment)
        news = (await control.received(ZOFIA))[before:]
        return [m.text for m in news if any(f"{code} – " in m.text for code in TASK_CODES)]

    assert await tick("2026-10-25T09:30") == [], "Sunday: T-14 waits for Monday"
    [t14] = await tick("2026-10-26T08:00")
    assert t14.startswith("⏰ DP – Opis dobrej praktyki")
    assert "Termin: 8 listopada 2026 – za 13 dni." in t14
    assert "/zadanie" in t14
    assert await tick("2026-10-26T08:00") == [], "ticking twice doubles nothing"

    assert await tick("2026-11-01T09:00") == [], "Sunday 1 November: T-7 waits"
    [t7] = await tick("2026-11-02T08:00")
    assert "Termin: 8 listopada 2026 – za 6 dni." in t7

    assert await tick("2026-11-08T09:00") == [], "T-1 and T-0 would come after the deadline"
    [overdue] = await tick("2026-11-09T09:00")
    assert overdue.startswith("⚠️ DP – Opis dobrej praktyki")
    assert "Termin minął 8 listopada 2026 (1 dzień temu)." in overdue


async def test_a_tick_killed_mid_delivery_never_doubles_a_reminder(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    await _zofia_joined(world, control, tmp_path)
    before = len(await control.received(ZOFIA))
    sends = (await control.counters())["calls"].get("sendMessage", 0)
    # Telegram takes the reminder, but the tick dies before it records that it was sent.
    await control.fault("hang", method="sendMessage", seconds=3, deliver=True)
    tick = await asyncio.create_subprocess_exec(
        ADVISORYBOT, "tick", "--now", "2026-10-26T08:00", cwd=world.workdir, env=world.env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    async def in_flight() -> bool:
        return bool((await control.counters())["calls"].get("sendMessage", 0) > sends)

    await eventually(in_flight)
    tick.kill()
    await tick.wait()
    delivered = await control.next_message(ZOFIA, within=10)
    assert "DP – Opis dobrej praktyki" in delivered.text

    await world.cli("tick", "--now", "2026-10-26T08:10")  # after the lease: not sent again
    texts = [m.text for m in (await control.received(ZOFIA))[before:]]
    assert texts == [delivered.text]
