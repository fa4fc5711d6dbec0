"""Issue 6, the twelve monitoring months walked by moving the clock and running the tick.

A cohort far enough in the past that all twelve report months have ended, both councils having
adopted the plan on the day their resolution was due (so their months are the calendar's
planned ones). Gmina Szybka sends
every report the day after it is requested; Gmina Cicha never does. At each moment of the report
ladder (request, +5, +10, +15 and +20 working days) one pass runs (sixty in all) and the bot
delivers what it queued through the local Bot API and the mailbox. Then every person's chat and
inbox are counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from core.calendar import WorkCalendar
from storage.models import Cohort, Person, ProgrammeStep
from storage.reports import ended_slots, open_report, set_answer, submit_report
from tests.support.team_world import World, adopt_in_cohort, cohort_start

ZONE = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(ZONE)
TEAMS = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1816042;Gmina Szybka;gmina wiejska;podkarpackie;członek;Ola Prędka;ola@example.pl;K;pl
1816052;Gmina Cicha;gmina wiejska;podkarpackie;członek;Ewa Milcząca;ewa@example.pl;K;pl
1816042;Gmina Szybka;gmina wiejska;podkarpackie;doradca;Adam Wiśniewski;adam@example.pl;M;pl
1816052;Gmina Cicha;gmina wiejska;podkarpackie;doradca;Adam Wiśniewski;adam@example.pl;M;pl
"""
OLA, EWA, ADAM = 8201, 8202, 8203
COORDINATOR = "koordynacja@example.pl"  # from tests/data/import/teams.csv
ADVISERS = ("adam@example.pl", "jan.kowalski@example.pl", "maria.szymanska@example.pl")
LADDER = (0, 5, 10, 15, 20)  # working days after the request: the rule's steps
MISSING = re.compile(r"Alert: Gmina (\w+) – brak raportu za (\w+ \d{4}) mimo przypomnień")


async def send_report(world: World, email: str, code: str, moment: dt.datetime) -> None:
    """A member sends the month's report (the domain code the /raport form calls)."""
    async with world.services.sessionmaker.begin() as session:
        member = await session.scalar(select(Person).where(Person.email == email))
        assert member is not None and member.jst_id is not None
        today = CALENDAR.local_date(moment)
        (slot,) = [s for s in await ended_slots(session, member.jst_id, today) if s.code == code]
        report = await open_report(session, slot, member.id, moment)
        set_answer(report, "progress", 5, moment)
        done = await submit_report(
            session, report, slot, member.id, moment, answers=report.answers, local_today=today
        )
        assert done.accepted and not done.report.late


async def resolution_due(world: World, cohort: str) -> dt.date:
    async with world.services.sessionmaker() as session:
        due = await session.scalar(
            select(ProgrammeStep.due_on)
            .join(Cohort, Cohort.id == ProgrammeStep.cohort_id)
            .where(Cohort.name == cohort, ProgrammeStep.code == "UCHWALA")
        )
    assert due is not None
    return due


async def report_months(world: World, cohort: str) -> list[dt.date]:
    """The cohort's report months R01..R12, from its computed calendar."""
    async with world.services.sessionmaker() as session:
        steps = await session.scalars(
            select(ProgrammeStep.starts_on)
            .join(Cohort, Cohort.id == ProgrammeStep.cohort_id)
            .where(Cohort.name == cohort, ProgrammeStep.code.like("R%"))
            .order_by(ProgrammeStep.starts_on)
        )
        return list(steps)


async def test_twelve_months_of_reminders_for_a_prompt_team_and_a_silent_one(
    world: World, tmp_path: Path
) -> None:
    teams = tmp_path / "spacer.csv"
    teams.write_text(TEAMS, encoding="utf-8")
    start = cohort_start(world.today()) - relativedelta(months=35)  # R12 ended before last month
    await world.add_team(teams, "Spacer", start)
    await adopt_in_cohort(world.services, "Spacer", await resolution_due(world, "Spacer"))
    codes = await world.invite_codes()
    for user_id, name in ((OLA, "Ola"), (EWA, "Ewa"), (ADAM, "Adam")):
        await world.join(codes[f"{name.lower()}@example.pl"], user_id, name)
    for adviser in ADVISERS:  # a digest a week is a chart to draw: only the coordinator's here
        await world.cli("digest", "opt-out", adviser)

    months = await report_months(world, "Spacer")
    assert len(months) == 12
    for number, month in enumerate(months, start=1):
        following = month + relativedelta(months=1)
        request = CALENDAR.first_working_day_of_month(following.year, following.month)
        for step, days in enumerate(LADDER):
            await world.tick(CALENDAR.at(CALENDAR.add_working_days(request, days), 9))
            if step == 0:
                next_day = CALENDAR.at(request + dt.timedelta(days=1), 12)
                await send_report(world, "ola@example.pl", f"R{number:02d}", next_day)

    async def texts(user_id: int) -> Counter[str]:
        kinds = Counter[str]()
        for message in await world.control.received(user_id):
            if "Czas na raport za " in message.text:  # was "Czas na Miesięczny raport…"
                kinds["request"] += 1
            elif "Przypomnienie: raport za " in message.text:
                kinds["reminder"] += 1
            elif "Termin <b>raportu za " in message.text or "Termin raportu za " in message.text:
                kinds["reminder"] += 1  # one sent after the deadline says it passed
            elif "nie wysłała jeszcze raportu za " in message.text:
                kinds["adviser"] += 1
        return kinds

    assert await texts(OLA) == {"request": 12}
    assert await texts(EWA) == {"request": 12, "reminder": 24}
    assert await texts(ADAM) == {"adviser": 12}
    alerts = []  # one alert per month, alone or in a batch with the overdue tasks' alerts
    for mail in world.mailbox.mails():
        if COORDINATOR in mail.recipients:
            alerts += sorted(set(MISSING.findall(f"{mail.subject}\n{mail.text}")))
    named = [("Cicha", format_date(month, "LLLL y", locale="pl")) for month in months]
    assert sorted(alerts) == sorted(named), "one alert a month, naming the month (issue 18)"
    notices = [
        m.text for m in await world.control.received(ADAM) if "nie wysłała jeszcze" in m.text
    ]
    assert all("JST Gmina Cicha" in text for text in notices), "none for the prompt team"
