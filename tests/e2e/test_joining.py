"""A member joins with an invitation and sees their own team only (issue 3 acceptance)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date

from localapi import ControlClient
from storage.programme import default_template_path, load_template
from storage.programme_calendar import TASK, compute_calendar
from tests.e2e.conftest import cohort_start, join, running
from tests.support.bot_process import BotWorld

ANNA, DOROTA, EWA, JAN = 5001, 5002, 5003, 5004


def next_deadline() -> dt.date:
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    steps = compute_calendar(load_template(default_template_path()), cohort_start())
    return min(s.due_on for s in steps if s.kind == TASK and s.due_on and s.due_on >= today)


async def test_member_joins_confirms_notice_and_sees_real_deadline(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)

    anna = await control.user(ANNA, "Anna")
    await anna.say(f"/start {codes['anna.nowak@example.pl']}")
    notice = await anna.next_message(within=10)
    assert "RODO" in notice.text and "art. 6 ust. 1 lit. e" in notice.text
    await anna.say("/status")
    before_confirming = await anna.next_message(within=10)
    assert "potwierdź" in before_confirming.text
    await anna.press(notice, "Zapoznałem(-am) się z informacją")
    welcome = await anna.next_message(within=10)
    assert "Anna Nowak" in welcome.text

    await anna.say("/status")
    status = await anna.next_message(within=10)
    assert "Miasto Stołeczne Warszawa" in status.text
    assert format_date(next_deadline(), format="long", locale="pl") in status.text
    assert "Jan Kowalski" in status.text

    menus = {
        (c["scope"].get("chat_id"), c["language_code"]): [x["command"] for x in c["commands"]]
        for c in await control.commands()
    }
    assert "status" in menus[(ANNA, "")] and "zadania" in menus[(ANNA, "")]
    assert "jst" not in menus[(ANNA, "")]


async def test_members_of_two_jsts_never_see_each_other(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")
    dorota, _ = await join(control, codes["dorota.lewandowska@example.pl"], DOROTA, "Dorota")

    for person in (anna, dorota):
        for command in ("/status", "/zadania", "/moje_dane"):
            await person.say(command)
            await person.next_message(within=10)

    anna_chat = " ".join(m.text for m in await control.received(ANNA))
    dorota_chat = " ".join(m.text for m in await control.received(DOROTA))
    assert "Warszawa" in anna_chat and "Przykładowa" not in anna_chat
    assert "Przykładowa" in dorota_chat and "Warszawa" not in dorota_chat
    assert "dorota" not in anna_chat.lower() and "anna" not in dorota_chat.lower()


async def test_english_member_gets_english(world: BotWorld, control: ControlClient) -> None:
    codes = await running(world, control)
    ewa, welcome = await join(control, codes["ewa.zielinska@example.pl"], EWA, "Ewa", "en")
    assert "Your account is active" in welcome.text
    await ewa.say("/tasks")
    tasks = await ewa.next_message(within=10)
    assert "Tasks – Powiat bocheński" in tasks.text
    assert "Implementation task 1" in tasks.text or "ZW1" in tasks.text


async def test_adviser_sees_both_of_their_jsts(world: BotWorld, control: ControlClient) -> None:
    codes = await running(world, control)
    jan, welcome = await join(control, codes["jan.kowalski@example.pl"], JAN, "Jan")
    assert "/jst" in welcome.text
    await jan.say("/jst")
    listing = (await jan.next_message(within=10)).text
    assert "Miasto Stołeczne Warszawa" in listing and "Gmina Przykładowa" in listing
    assert "Powiat bocheński" not in listing, "Maria Szymańska's JST"
    await jan.say("/status")
    assert "innej roli" in (await jan.next_message(within=10)).text
