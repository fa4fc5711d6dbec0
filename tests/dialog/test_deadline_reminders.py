"""Deadline reminders reach a joined member as the clock moves and the tick runs (issue 5).

A cohort of its own, started on 9 April 2025: its resolution (UCHWALA) is due on Sunday
8 November 2026, so its T-14 falls on Sunday 25 October (the day summer time ends) and its T-7
on Sunday 1 November (All Saints' Day). Every earlier task is long overdue and stale by then;
DP and UPOW wait for the resolution (they follow its monitoring) and remind of nothing.
(A tick killed mid-delivery: tests/e2e/test_deadline_reminders.py.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.team_world import World

COHORT = "Wiosna 2025"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA = 8001
TASK_CODES = ("ZW1", "ZW2", "ZW3", "HDR_ORE", "UCHWALA", "DP", "UPOW")
WARSAW = ZoneInfo("Europe/Warsaw")


async def test_a_member_gets_each_step_once_and_the_day_before_is_a_working_day(
    world: World, tmp_path: Path
) -> None:
    """UCHWALA's phase ends on Sunday 8 November 2026: it is due Monday 9th (issue 21); "the
    day before" is Friday 6th, and nothing comes on a Sunday."""
    team = tmp_path / "jesien.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.add_team(team, COHORT, dt.date(2025, 4, 9))
    codes = await world.invite_codes()
    await world.join(codes["zofia@example.pl"], ZOFIA, "Zofia")

    async def tick(moment: str) -> list[str]:
        """The task reminders Zofia receives from one pass at a local moment."""
        before = len(await world.control.received(ZOFIA))
        await world.tick(dt.datetime.fromisoformat(moment).replace(tzinfo=WARSAW))
        news = (await world.control.received(ZOFIA))[before:]
        return [m.text for m in news if any(f"{code} – " in m.text for code in TASK_CODES)]

    assert await tick("2026-10-25T09:30") == [], "Sunday: nothing"
    [t14] = await tick("2026-10-26T09:00")
    assert t14.startswith("⏰ UCHWALA – Uchwała organu stanowiącego")
    assert "Termin: 9 listopada 2026 – za 14 dni." in t14
    assert "/uchwala" in t14
    assert await tick("2026-10-26T09:00") == [], "ticking twice doubles nothing"

    assert await tick("2026-11-01T09:00") == [], "Sunday 1 November: nothing"
    [t7] = await tick("2026-11-02T09:00")
    assert "Termin: 9 listopada 2026 – za 7 dni." in t7
    [t1] = await tick("2026-11-06T09:00")
    assert "za 3 dni" in t1, "the working day before a Monday deadline: Friday"
    assert await tick("2026-11-08T09:00") == [], "Sunday"
    [t0] = await tick("2026-11-09T09:00")
    assert "to dziś" in t0
    [overdue] = await tick("2026-11-10T09:00")
    assert overdue.startswith("⚠️ UCHWALA – Uchwała organu stanowiącego")
    assert "Termin minął 9 listopada 2026 (1 dzień temu)." in overdue
