"""Issue 6, monthly reports, through the real process: a form killed mid-way by SIGKILL is
finished after the restart and stored once (the rest of the form, the team told and a late
month: tests/dialog/test_reports.py, in process).

A cohort of its own that started 16 months before this month, whose council adopted the plan on
the 10th two months ago (recorded with /uchwala, after the plan it adopts was handed in, a week
before): its first monitoring report (R01, last month) is the one being collected today.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from localapi import ControlClient
from storage.db import create_engine
from storage.models import Person
from storage.tasks.transitions import Evidence, submit_task
from tests.e2e.conftest import cohort_start, eventually, join
from tests.support.bot_process import BotWorld
from tests.support.flow_data import (
    ADAM,
    DONE_TEXT,
    MONITORING,
    MONITORING_TEAM,
    PIOTR,
    SEND,
    ZOFIA,
)

BIP = "https://bip.example.pl/uchwaly/XII-1"


async def _plan_handed_in(database: Path, on: dt.date) -> None:
    """Zofia handed the plan to ORE (HDR_ORE) on `on`: what the bot's clock cannot go back to."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with async_sessionmaker(engine).begin() as session:
            zofia = await session.scalar(select(Person).where(Person.email == "zofia@example.pl"))
            assert zofia is not None and zofia.jst_id is not None
            await submit_task(
                session,
                jst_id=zofia.jst_id,
                person_id=zofia.id,
                code="HDR_ORE",
                evidence=[Evidence("text", "Plan przekazany do ORE.")],
                now=dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC),
                source="test:plan",
            )
    finally:
        await engine.dispose()


async def _team(world: BotWorld, control: ControlClient, tmp_path: Path) -> None:
    """The monitoring cohort's team, joined while the bot runs."""
    team = tmp_path / "monitoring.csv"
    team.write_text(MONITORING_TEAM, encoding="utf-8")
    start = cohort_start() - relativedelta(months=12)
    await world.cli("cohort", "add", MONITORING, "--start", start.isoformat())
    await world.cli("import", str(team), "--cohort", MONITORING)
    codes = await world.invite_codes()
    adopted = (cohort_start() + relativedelta(months=2)).replace(day=10)  # two months ago
    await _plan_handed_in(world.workdir / "advisorybot.db", adopted - dt.timedelta(days=7))
    world.start()
    await control.until_polling()
    members = ((ZOFIA, "zofia", "Zofia"), (PIOTR, "piotr", "Piotr"), (ADAM, "adam", "Adam"))
    for user_id, email, name in members:
        await join(control, codes[f"{email}@example.pl"], user_id, name)
    zofia = await control.user(ZOFIA, "Zofia", language_code="pl")
    await zofia.say(f"/uchwala XII/1/{adopted.year} {adopted.isoformat()} {BIP}")
    summary = await zofia.next_message(within=10)
    assert "Sprawdź uchwałę" in summary.text
    await zofia.press(summary, SEND)
    assert "Zapisano uchwałę" in (await zofia.next_message(within=10)).text


async def test_a_form_killed_mid_way_is_finished_after_restart_and_stored_once(
    world: BotWorld, control: ControlClient, tmp_path: Path
) -> None:
    await _team(world, control, tmp_path)
    zofia = await control.user(ZOFIA, "Zofia", language_code="pl")

    await zofia.say("/raport")
    first = await zofia.next_message(within=10)
    assert "pytanie 1 z 6" in first.text and "Jak ogólnie przebiega" in first.text
    await zofia.press(first, "4")
    second = await zofia.next_message(within=10)
    assert "Co zrobiliście w dniach 1–" in second.text
    await zofia.say(DONE_TEXT)
    third = await zofia.next_message(within=10)
    assert "Które zaplanowane działania się opóźniły?" in third.text

    await world.kill()
    world.start()
    await control.until_polling()

    await zofia.say("/raport")
    resumed = await zofia.next_message(within=10)
    assert "Które zaplanowane działania się opóźniły?" in resumed.text, "resumes where it stopped"
    await zofia.say("Remont pracowni informatycznej")
    obstacles = await zofia.next_message(within=10)
    await zofia.press(obstacles, "Pomiń ➡️")
    support = await zofia.next_message(within=10)
    await zofia.press(support, "Nie")
    summary = await zofia.next_message(within=10)
    assert DONE_TEXT in summary.text and "4/5" in summary.text
    await zofia.press(summary, "✅ Wyślij raport")
    assert "Dziękujemy" in (await zofia.next_message(within=10)).text

    async def adviser_has_it() -> bool:
        return any(DONE_TEXT in m.text for m in await control.received(ADAM))

    await eventually(adviser_has_it)
    await zofia.say("/status")
    await zofia.next_message(within=10)
    reports = [m for m in await control.received(ADAM) if DONE_TEXT in m.text]
    assert len(reports) == 1 and "Gmina Jesionowa" in reports[0].text  # once, after the kill

    await world.cli("export", "reports", "--out", str(tmp_path / "reports.xlsx"), "--keys")
    sheet = load_workbook(tmp_path / "reports.xlsx").active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    [row] = [r for r in rows if r[0] == "1206022" and r[2] == "R01"]
    stored = dict(zip(header, row, strict=True))
    assert stored["answer_done"] == DONE_TEXT and stored["answer_progress"] == 4
