"""Issue 19, item 3: a submission keeps every piece of evidence, and /do_oceny lists what
waits for an adviser, oldest first, with a button that sends each again.

Jan Kowalski advises Warszawa (Anna) and Gmina Przykładowa (Dorota); Maria Szymańska advises
Powiat bocheński (Ewa, who reads English). The clock stands at 10:00 local on the days used.
"""

from __future__ import annotations

import datetime as dt

from core.calendar import WorkCalendar
from core.templates import count
from localapi import ChatMessage
from tests.support.dialog import Speaker, alert, dialog, forge, press, receives, upload
from tests.support.flow_data import ACCEPT, SEND
from tests.support.team_world import World

ANNA, DOROTA, JAN, EWA, MARIA = 8301, 8302, 8303, 8304, 8305
PEOPLE = {
    ANNA: ("anna.nowak@example.pl", "Anna", "pl"),
    DOROTA: ("dorota.lewandowska@example.pl", "Dorota", "pl"),
    JAN: ("jan.kowalski@example.pl", "Jan", "pl"),
    EWA: ("ewa.zielinska@example.pl", "Ewa", "en"),
    MARIA: ("maria.szymanska@example.pl", "Maria", "pl"),
}
SHEET_SP = upload("document", b"PK sheet of primary schools", file_name="zw1-sp.xlsx")
SHEET_LO = upload("document", b"PK sheet of secondary schools", file_name="zw1-lo.xlsx")
WRONG = upload("document", b"%PDF holiday photos", file_name="wakacje.pdf")
SEND_EN, DROP_EN = "✅ Send to the adviser", "🗑 Remove the last piece"
DAYS_PL = ("dzień roboczy", "dni robocze", "dni roboczych")


async def _people(world: World, *user_ids: int) -> dict[int, Speaker]:
    codes = await world.invite_codes()
    joined = {}
    for user_id in user_ids:
        email, name, language = PEOPLE[user_id]
        joined[user_id] = (await world.join(codes[email], user_id, name, language))[0]
    return joined


def _calendar(world: World) -> WorkCalendar:
    return WorkCalendar(world.services.settings.zone)


def _ten_o_clock(world: World, day: dt.date) -> None:
    """Move the clock forward to 10:00 local on `day` (time goes on from there)."""
    world.clock.set(_calendar(world).at(day, 10))


async def _choose_zw1(member: Speaker) -> None:
    [choose] = await dialog((member, "/zadanie", None))
    label = next(text for text, _ in choose.buttons if text.startswith("ZW1"))
    await dialog((member, press(label), None))


def _file_name(message: ChatMessage) -> str | None:
    document = message.message.document
    return document.file_name if document is not None else None


async def test_two_sheets_reach_the_adviser_and_do_oceny_lists_what_waits_oldest_first(
    world: World,
) -> None:
    people = await _people(world, ANNA, DOROTA, JAN, MARIA)
    anna, dorota, jan, maria = people[ANNA], people[DOROTA], people[JAN], people[MARIA]
    asked_on = world.today() + dt.timedelta(days=1)
    _ten_o_clock(world, asked_on)
    await dialog(
        (jan, "/do_oceny", "Nic nie czeka na Twoją ocenę"),
        (dorota, "Kiedy najpóźniej debata?", "Pytanie do doradcy"),
        (dorota, press("Wyślij"), "zapisane"),
        (jan, receives, ("Gmina Przykładowa", "Kiedy najpóźniej debata?")),
    )

    submitted_on = asked_on + dt.timedelta(days=2)
    _ten_o_clock(world, submitted_on)
    await _choose_zw1(anna)
    await dialog(
        (anna, SHEET_SP, ("Sprawdź zgłoszenie", "Dowód: plik zw1-sp.xlsx")),
        (anna, SHEET_LO, ("Dowody (2):", "1. plik zw1-sp.xlsx", "2. plik zw1-lo.xlsx")),
        (anna, press(SEND), "zgłoszone jako wykonane"),
    )
    copies = await dialog((jan, receives, None), (jan, receives, None))
    assert [_file_name(copy) for copy in copies] == ["zw1-sp.xlsx", "zw1-lo.xlsx"]
    await dialog((jan, receives, ("Do oceny: Miasto Stołeczne Warszawa", "zw1-lo.xlsx")))

    today = submitted_on + dt.timedelta(days=5)
    _ten_o_clock(world, today)
    calendar = _calendar(world)
    ages = [
        count(calendar.working_days_between(day, today), "pl", *DAYS_PL)
        for day in (asked_on, submitted_on)
    ]
    [listed] = await dialog(
        (jan, "/do_oceny", ("Czeka na Ciebie: 2 sprawy", *(f"czeka {age}" for age in ages)))
    )
    text = listed.text
    assert text.index("1. ❓ Pytanie nr") < text.index("2. 📝 Zadanie ZW1 (diagnoza wstępna)")
    assert "Gmina Przykładowa" in text and "Anna Nowak" in text and "2 pliki" in text
    assert [label for label, _ in listed.buttons] == ["1", "2"]

    # Each button sends its matter again: the question; the sheets and the request to review.
    await dialog(
        (jan, press("1", on=listed), ("Gmina Przykładowa", "Kiedy najpóźniej debata?")),
        (jan, press("2", on=listed), None),
    )
    again = await dialog((jan, receives, None), (jan, receives, ("Do oceny", "zw1-sp.xlsx")))
    assert _file_name(again[0]) == "zw1-lo.xlsx"
    forged = listed.callback_data("2")
    await dialog(
        (maria, forge(forged, on=(await world.control.received(MARIA))[-1]), alert("nieaktualny")),
        (jan, press(ACCEPT), "Przyjęto zadanie ZW1"),
        (jan, press("2", on=listed), alert("nieaktualny")),  # accepted: it no longer waits
        (jan, "/do_oceny", ("Czeka na Ciebie: 1 sprawa", "Pytanie nr")),
    )


async def test_in_english_a_wrong_file_is_taken_back_and_to_review_lists_it(
    world: World,
) -> None:
    people = await _people(world, EWA, MARIA)
    ewa, maria = people[EWA], people[MARIA]
    _ten_o_clock(world, world.today() + dt.timedelta(days=1))
    await dialog(
        (maria, "/language en", None),
        (ewa, "Is the SELFIE survey compulsory?", "Question to the adviser"),
        (ewa, press("Send"), "saved"),
        (maria, receives, "Is the SELFIE survey compulsory?"),
    )
    await _choose_zw1(ewa)
    await dialog(
        (ewa, SHEET_SP, ("Check the submission", "Evidence: file zw1-sp.xlsx")),
        (ewa, WRONG, ("Evidence (2 pieces):", "2. file wakacje.pdf")),
        (ewa, press(DROP_EN), ("Evidence: file zw1-sp.xlsx",)),
        (ewa, SHEET_LO, ("Evidence (2 pieces):", "2. file zw1-lo.xlsx")),
        (ewa, press(SEND_EN), "submitted as done"),
    )
    copies = await dialog((maria, receives, None), (maria, receives, None))
    [request] = await dialog((maria, receives, ("For review: Powiat bocheński", "2 files")))
    assert [_file_name(copy) for copy in copies] == ["zw1-sp.xlsx", "zw1-lo.xlsx"]
    assert "wakacje.pdf" not in request.text

    [listed] = await dialog(
        (maria, "/to_review", ("Waiting for you: 2 matters", "waiting 0 working days")),
    )
    assert listed.text.index("1. ❓ Question no.") < listed.text.index("2. 📝 Task ZW1")
    await dialog(
        (maria, press("1", on=listed), ("Question no.", "Is the SELFIE survey compulsory?")),
    )
