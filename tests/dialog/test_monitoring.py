"""Issue 21, item 3: monitoring starts the month after the council adopts the plan.

A cohort twenty months further into its programme than the pilot's teams, Gmina Jesionowa's
team joined: before its resolution there is no report to send, /status says monitoring starts
the month after it, and no report reminder comes; once a member records the resolution adopted
on the 10th two months ago (`/uchwala`), last month is its first report month, /raport asks
about it, and the next month's request comes on the first working day of next month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.dates import format_date
from dateutil.relativedelta import relativedelta

from core.calendar import WorkCalendar
from tests.support.dialog import dialog, press, receives
from tests.support.flow_data import ADAM, PIOTR, SEND, ZOFIA
from tests.support.plan_flow import hand_in_plan
from tests.support.team_world import World, cohort_start

TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Piotr Lis;piotr@example.pl;M;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Wiśniewski;adam@example.pl;M;pl
"""

BIP = "https://bip.jesionowa.pl/uchwaly/XII-1"


def _month(day: dt.date) -> str:
    return format_date(day, "LLLL y", locale="pl")


async def test_reports_start_the_month_after_the_resolution(world: World, tmp_path: Path) -> None:
    teams = tmp_path / "jesionowa.csv"
    teams.write_text(TEAM, encoding="utf-8")
    await world.add_team(teams, "Jesień", cohort_start(world.today()) - relativedelta(months=20))
    codes = await world.invite_codes()
    zofia, _ = await world.join(codes["zofia@example.pl"], ZOFIA, "Zofia")
    piotr, _ = await world.join(codes["piotr@example.pl"], PIOTR, "Piotr")
    adam, _ = await world.join(codes["adam@example.pl"], ADAM, "Adam")
    calendar = WorkCalendar(world.services.settings.zone)
    today = world.today()
    this_month = today.replace(day=1)
    last_month = this_month - relativedelta(months=1)
    adopted = (this_month - relativedelta(months=2)).replace(day=10)

    await dialog(
        (zofia, "/raport", "Teraz nie zbieramy raportu miesięcznego"),
        (zofia, "/status", "monitorowanie zacznie się w miesiącu po przyjęciu uchwały o HDR"),
    )
    following = this_month + relativedelta(months=1)
    request = calendar.at(calendar.first_working_day_of_month(following.year, following.month), 9)
    before = len(await world.control.received(PIOTR))
    await world.tick(request - dt.timedelta(days=40))
    assert not [m for m in (await world.control.received(PIOTR))[before:] if "raport" in m.text]

    world.clock.set(calendar.at(adopted - dt.timedelta(days=7), 12))
    await hand_in_plan(zofia, (piotr,), adam)
    world.clock.set(calendar.at(today, 12))
    await dialog(
        (zofia, f"/uchwala XII/1/{adopted.year} {adopted.isoformat()} {BIP}", "Sprawdź uchwałę"),
        (zofia, press(SEND), "Zapisano uchwałę nr"),
        (piotr, receives, "zapisała uchwałę nr XII/1/"),
        (zofia, "/status", f"za {_month(last_month)}"),
        (piotr, "/raport", ("pytanie 1 z 6", "Jak ogólnie przebiega")),
    )
    await world.tick(request)
    texts = [m.text for m in await world.control.received(PIOTR)]
    assert any(f"Czas na raport za {_month(this_month)}" in t for t in texts), texts[-3:]
