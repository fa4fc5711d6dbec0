"""Training rounds (issue 21, item 1): the operator dates a round with `advisorybot cohort event
set`; a joined member gets the reminders on Telegram 7 and 1 working days before it, once each,
and one not on Telegram by e-mail; a change of date tells them and plans the new date's
reminders; /zjazdy lists the rounds and sends them as a calendar file that parses back; /status
shows the next one. On SQLite and PostgreSQL.

The operator's commands run on the wall clock, the bot on the world's clock moved forward, so
the rounds are dated a few weeks after today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateutil.relativedelta import relativedelta
from icalendar import Calendar

from core.calendar import WorkCalendar
from localapi import ChatMessage
from reminders.rounds import working_days_before
from tests.support.dialog import Speaker, dialog, press
from tests.support.team_world import World

COHORT = "Zjazdy 2026"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członkini;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Piotr Lis;piotr@example.pl;M;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA = 8101
PLACE = "Warszawa, ul. Spokojna 13A"


async def _setup(world: World, tmp_path: Path) -> tuple[Speaker, WorkCalendar, dt.date]:
    """The cohort, its team (Zofia joins, Piotr does not) and a round day: the 15th working
    day from today, in the cohort's first training phase."""
    services = world.services
    calendar = WorkCalendar(services.settings.zone)
    day = calendar.add_working_days(world.today(), 15)
    team = tmp_path / "zjazdy.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.add_team(team, COHORT, day.replace(day=1) - relativedelta(months=3))
    codes = await world.invite_codes()
    zofia, _ = await world.join(codes["zofia@example.pl"], ZOFIA, "Zofia")
    return zofia, calendar, day


def _rounds_of(messages: list[ChatMessage]) -> list[ChatMessage]:
    return [m for m in messages if m.text.startswith(("🗓", "🔄"))]


async def test_reminders_once_a_change_told_and_the_new_date_reminded(
    world: World, tmp_path: Path
) -> None:
    zofia, calendar, day = await _setup(world, tmp_path)
    said = await world.cli(
        "cohort", "event", "set", COHORT, "Z1", day.isoformat(),
        "--place", PLACE, "--time", "10:00-15:30", "--bring", "laptop",
    )  # fmt: skip
    assert "Round Z1 (Training round I)" in said and PLACE in said

    async def tick(on: dt.date, hour: int = 9) -> list[str]:
        return [m.text for m in await tick_messages(on, hour)]

    async def tick_messages(on: dt.date, hour: int = 9) -> list[ChatMessage]:
        before = len(await world.control.received(ZOFIA))
        await world.tick(calendar.at(on, hour))
        return _rounds_of((await world.control.received(ZOFIA))[before:])

    t7 = working_days_before(calendar, day, 7)
    assert await tick(t7 - dt.timedelta(days=1)) == []
    [message] = await tick_messages(t7)
    reminder = message.text
    assert [label for label, _ in message.buttons] == ["📅 Dodaj do kalendarza (.ics)"]
    while (await zofia.next_message()).message_id != message.message_id:
        pass  # Zofia reads up to the reminder
    [file] = await dialog((zofia, press("📅 Dodaj do kalendarza (.ics)", message), None))
    assert file.message.document is not None
    assert file.message.document.file_name == "zjazdy-Z1.ics"
    assert "I zjazd szkoleniowy" in reminder and f"za {(day - t7).days} dni" in reminder
    assert PLACE in reminder and "10:00–15:30" in reminder and "Co zabrać: laptop" in reminder
    assert await tick(t7, 11) == [], "ticking again sends nothing twice"
    mails = [m for m in world.mailbox.mails() if "piotr@example.pl" in m.recipients]
    assert [m.subject.startswith("I zjazd szkoleniowy: ") for m in mails] == [True]
    assert PLACE in mails[0].text and "/zjazdy" not in mails[0].text

    moved = calendar.add_working_days(day, 5)
    said = await world.cli("cohort", "event", "set", COHORT, "Z1", moved.isoformat())
    assert "message about the change" in said
    [notice] = await tick(t7, 12)
    assert notice.startswith("🔄 Zmiana: I zjazd szkoleniowy")
    assert "wcześniej:" in notice and PLACE in notice, "the place is kept"
    [new_t7] = await tick(working_days_before(calendar, moved, 7))  # 2 working days before
    assert new_t7.startswith("🗓 I zjazd szkoleniowy") and moved.strftime("%Y") in new_t7
    assert await tick(working_days_before(calendar, day, 1)) == [], "the old date: no more"
    [new_t1] = await tick(working_days_before(calendar, moved, 1))
    assert new_t1.startswith("🗓 I zjazd szkoleniowy") and "10:00–15:30" in new_t1
    assert await tick(moved) == [], "nothing on the round's day"


async def test_rounds_list_calendar_file_and_status(world: World, tmp_path: Path) -> None:
    zofia, _calendar, day = await _setup(world, tmp_path)
    [empty] = await dialog((zofia, "/zjazdy", "Zjazdy szkoleniowe"))
    assert not empty.buttons and "Termin podamy wkrótce" in empty.text

    await world.cli("cohort", "event", "set", COHORT, "Z1", day.isoformat(), "--place", PLACE)
    await world.cli(
        "cohort", "event", "set", COHORT, "Z2", (day + dt.timedelta(days=120)).isoformat(),
        "--online", "https://meet.example.pl/z2", "--time", "9:30",
    )  # fmt: skip
    [listed] = await dialog((zofia, "/zjazdy", PLACE))
    assert "Online: https://meet.example.pl/z2" in listed.text
    assert [label for label, _ in listed.buttons] == [
        "📅 Wszystkie do kalendarza (.ics)",
        "📅 Z1",
        "📅 Z2",
    ]
    [file] = await dialog((zofia, press("📅 Wszystkie do kalendarza (.ics)", listed), None))
    document = file.message.document
    assert document is not None and document.file_name == "zjazdy.ics"
    content = await world.control.file_content(document.file_id)
    assert b"\r\n" in content
    events = {str(e["summary"]): e for e in Calendar.from_ical(content).walk("VEVENT")}
    assert set(events) == {"I zjazd szkoleniowy", "II zjazd szkoleniowy"}
    assert events["I zjazd szkoleniowy"].decoded("dtstart") == day
    assert str(events["I zjazd szkoleniowy"]["location"]) == PLACE
    start = events["II zjazd szkoleniowy"].decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (day + dt.timedelta(days=120), 9, 30)
    assert str(start.tzinfo) == "Europe/Warsaw"

    [one] = await dialog((zofia, press("📅 Z2", listed), None))
    assert one.message.document is not None and one.message.document.file_name == "zjazdy-Z2.ics"

    [status] = await dialog((zofia, "/status", "Najbliższy zjazd"))
    assert "I zjazd szkoleniowy" in status.text and PLACE in status.text

    await world.cli("cohort", "event", "clear", COHORT, "Z1")
    [after] = await dialog((zofia, "/zjazdy", "nieaktualny"))
    assert [label for label, _ in after.buttons] == ["📅 Wszystkie do kalendarza (.ics)", "📅 Z2"]
