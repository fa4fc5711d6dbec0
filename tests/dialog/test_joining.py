"""A member joins with an invitation and sees their own team only (issue 3 acceptance)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from storage.programme import default_template_path, load_template
from storage.programme_calendar import TASK, compute_calendar
from tests.support.dialog import dialog, press
from tests.support.team_world import World, cohort_start

ANNA, DOROTA, EWA, JAN = 5001, 5002, 5003, 5004


def next_deadline(today: dt.date) -> dt.date:
    steps = compute_calendar(load_template(default_template_path()), cohort_start(today))
    return min(s.due_on for s in steps if s.kind == TASK and s.due_on and s.due_on >= today)


async def test_member_joins_confirms_notice_and_sees_real_deadline(world: World) -> None:
    codes = await world.invite_codes()
    anna = await world.user(ANNA, "Anna")

    deadline = format_date(next_deadline(world.today()), format="long", locale="pl")
    await dialog(
        (anna, f"/start {codes['anna.nowak@example.pl']}", ("RODO", "art. 6 ust. 1 lit. e")),
        (anna, "/status", "potwierdź"),
        (anna, press("Przeczytane – potwierdzam"), "Anna Nowak"),
        (anna, "/status", ("Miasto Stołeczne Warszawa", deadline, "Jan Kowalski")),
    )

    menus = {
        (c["scope"].get("chat_id"), c["language_code"]): [x["command"] for x in c["commands"]]
        for c in await world.control.commands()
    }
    assert "status" in menus[(ANNA, "")] and "zadania" in menus[(ANNA, "")]
    assert "jst" not in menus[(ANNA, "")]


async def test_members_of_two_jsts_never_see_each_other(world: World) -> None:
    codes = await world.invite_codes()
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    dorota, _ = await world.join(codes["dorota.lewandowska@example.pl"], DOROTA, "Dorota")

    await dialog(
        *[
            (person, command, None)
            for person in (anna, dorota)
            for command in ("/status", "/zadania", "/moje_dane")
        ]
    )

    anna_chat = " ".join(m.text for m in await world.control.received(ANNA))
    dorota_chat = " ".join(m.text for m in await world.control.received(DOROTA))
    assert "Warszawa" in anna_chat and "Przykładowa" not in anna_chat
    assert "Przykładowa" in dorota_chat and "Stołeczne Warszawa" not in dorota_chat
    assert "dorota" not in anna_chat.lower() and "anna" not in dorota_chat.lower()


async def test_english_member_gets_english(world: World) -> None:
    codes = await world.invite_codes()
    ewa, welcome = await world.join(codes["ewa.zielinska@example.pl"], EWA, "Ewa", "en")
    assert "Your account is active" in welcome.text
    [tasks] = await dialog((ewa, "/tasks", "Tasks – Powiat bocheński"))
    assert "Implementation task 1" in tasks.text or "ZW1" in tasks.text


async def test_adviser_sees_both_of_their_jsts(world: World) -> None:
    codes = await world.invite_codes()
    jan, welcome = await world.join(codes["jan.kowalski@example.pl"], JAN, "Jan")
    assert "/jst" in welcome.text
    [listing, _] = await dialog(
        (jan, "/jst", ("Miasto Stołeczne Warszawa", "Gmina Przykładowa")),
        (jan, "/status", "innej roli"),
    )
    assert "Powiat bocheński" not in listing.text, "Maria Szymańska's JST"


async def test_language_with_an_argument_switches_at_once(world: World) -> None:
    """`/jezyk en` switched nothing and showed the buttons again (issue 18)."""
    codes = await world.invite_codes()
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    await dialog(
        (anna, "/jezyk en", "Done – I will write in English."),
        (anna, "/status", "Phase:"),
        (anna, "/language PL", "Gotowe – będę pisać po polsku."),
        (anna, "/status", "Etap"),
        (anna, "/jezyk xx", "Wybierz język / Choose your language"),
    )
    menus = {
        (c["scope"].get("chat_id"), c["language_code"]): [x["command"] for x in c["commands"]]
        for c in await world.control.commands()
    }
    assert "zadania" in menus[(ANNA, "")], "the menu follows the language (Polish again)"
