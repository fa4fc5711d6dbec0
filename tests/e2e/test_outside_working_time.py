"""Issue 19 acceptance: a question sent on Saturday night reaches the adviser at once without a
sound, and a deadline reminder due then waits for the working morning.

The real `advisorybot sandbox` process in a real terminal (tmux), on a database the operator's
commands prepared: a team of one JST whose ZW1 is extended to the Saturday a week after the
coming one, so its T-7 reminder falls on that Saturday (a programme's own deadlines are always
working days; an adviser's extension is the date they chose). The sandbox's local Bot API keeps
what the bot sent with `disable_notification`, and its terminal marks such a message "🔕";
`/time` moves the sandbox's clock and runs the reminders.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from dateutil.relativedelta import relativedelta

from core.calendar import WorkCalendar
from storage.programme import default_template_path, load_template
from storage.programme_calendar import compute_calendar
from tests.e2e.test_sandbox_terminal import Pane, pane, pytestmark
from tests.support.bot_process import ADVISORYBOT, BotWorld

__all__ = ["pane", "pytestmark"]  # the fixture, and the skip when tmux is missing

ZONE = ZoneInfo("Europe/Warsaw")
COHORT = "Sobota"
TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
HEADER = re.compile(r"^\[(?P<at>[^\]]+)\] → (?P<name>.+?)(?P<silent> \(🔕 [^)]+\))?$")


@dataclass(frozen=True)
class Shown:
    """A message as the terminal shows it."""

    at: str
    name: str
    silent: bool
    text: str


def messages(screen: str) -> list[Shown]:
    """The bot's messages on the screen: a header line, then the text indented by two (its
    empty lines not indented); the next line that is neither ends it."""
    found: list[Shown] = []
    header: re.Match[str] | None = None
    lines: list[str] = []
    for line in [*screen.splitlines(), "."]:
        if header is not None and (line.startswith("  ") or not line):
            lines.append(line[2:])
            continue
        if header is not None:
            text = "\n".join(lines).strip()
            found.append(Shown(header["at"], header["name"], header["silent"] is not None, text))
            lines = []
        header = HEADER.match(line)
    return found


async def play(pane: Pane, *steps: tuple[str, str]) -> None:
    """Type each line, then wait until the screen shows what it brings (once more than
    before: a reminder of the real day may have come already)."""
    for line, shown in steps:
        times = pane.screen().count(shown) + 1
        pane.type(line)
        await pane.shows(shown, times=times)


def saturday_before_a_deadline() -> tuple[dt.date, dt.date]:
    """A coming Saturday, and a cohort start that makes ZW1 due a few days after it (a due date
    is always a working day: the test then extends ZW1 to the Saturday a week later, so its T-7
    falls on the coming Saturday)."""
    template = load_template(default_template_path())

    def zw1_due(start: dt.date) -> dt.date | None:
        return next(s for s in compute_calendar(template, start) if s.code == "ZW1").due_on

    today = dt.datetime.now(ZONE).date()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    start = saturday + dt.timedelta(days=3) - relativedelta(months=7)  # about
    while (zw1_due(start) or saturday) <= saturday:
        start += dt.timedelta(days=1)
    while (zw1_due(start) or saturday) >= saturday + dt.timedelta(days=7):
        start -= dt.timedelta(days=1)
    return saturday, start


def when(moment: dt.datetime) -> str:
    """A moment as the terminal's header shows it, to the minute's tens."""
    local = moment.astimezone(ZONE)
    return f"{format_date(local.date(), 'd MMMM y', locale='pl')}, {local:%H:%M}"[:-1]


async def test_a_saturday_night_question_goes_silently_and_the_reminder_waits(
    tmp_path: Path, pane: Pane
) -> None:
    saturday, start = saturday_before_a_deadline()
    night = dt.datetime.combine(saturday, dt.time(22, 30), ZONE)
    morning = WorkCalendar(ZONE).next_allowed(night)  # Monday 08:00 unless it is a holiday
    database = f"sqlite+aiosqlite:///{tmp_path / 'advisorybot.db'}"
    world = BotWorld(tmp_path, {"DATABASE_URL": database, "OPERATOR_LANGUAGE": "pl"})
    team = tmp_path / "team.csv"
    team.write_text(TEAM, encoding="utf-8")
    await world.cli("db", "upgrade")
    await world.cli("cohort", "add", COHORT, "--start", start.isoformat())
    await world.cli("import", str(team), "--cohort", COHORT)
    extended = saturday + dt.timedelta(days=7)  # a Saturday: T-7 is the coming one
    await world.cli("extend", "1206022", "ZW1", extended.isoformat())

    environment = f"env -i PATH={os.environ['PATH']} HOME={tmp_path} LANG=C.UTF-8 TERM=xterm"
    pane.start(tmp_path, f"{environment} {ADVISORYBOT} sandbox --database-url {database}")
    await pane.shows("Zacznij od /as e-mail")
    to_night = f"/time {night:%Y-%m-%dT%H:%M}"
    to_morning = f"/time {morning.astimezone(ZONE):%Y-%m-%dT%H:%M}"
    await play(
        pane,
        ("/as adam@example.pl", "Grasz jako Adam Mazur"),
        ("/as zofia@example.pl", "Grasz jako Zofia Nowicka"),
        (to_night, "Przebieg przypomnień"),
        ("Czy debata może się odbyć online?", "[Wyślij]"),
        ("#1", "❓ Pytanie nr 1"),
        (to_morning, "⏰ ZW1"),
    )

    at_night, in_the_morning = pane.screen().split(to_night)[1].split(to_morning)
    forward = next(m for m in messages(at_night) if m.text.startswith("❓ Pytanie nr 1"))
    assert (forward.name, forward.silent) == ("Adam Mazur", True), forward
    assert forward.at.startswith(when(night)), "at once, at 22:3x on Saturday"
    assert "Czy debata może się odbyć online?" in forward.text
    receipt = next(m for m in messages(at_night) if "Pytanie nr 1 zapisane" in m.text)
    assert (receipt.name, receipt.silent) == ("Zofia Nowicka", True)
    assert not [m for m in messages(at_night) if m.text.startswith("⏰")], "none at night"

    [reminder] = [m for m in messages(in_the_morning) if m.text.startswith("⏰ ZW1")]
    assert (reminder.name, reminder.silent) == ("Zofia Nowicka", False), reminder
    assert reminder.at.startswith(when(morning)), "on the working morning"
    assert format_date(saturday + dt.timedelta(days=7), "d MMMM y", locale="pl") in reminder.text
