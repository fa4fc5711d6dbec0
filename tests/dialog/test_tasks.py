"""Issue 5, tasks: a member submits, the adviser returns and accepts, the team sees it all."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from localapi import ChatMessage
from storage.programme import default_template_path, load_template
from storage.programme_calendar import compute_calendar
from tests.support.dialog import (
    Action,
    Speaker,
    alert,
    answered,
    dialog,
    forge,
    press,
    receives,
    upload,
)
from tests.support.flow_data import (
    ACCEPT,
    ANNA,
    BARTOSZ,
    CELINA,
    DOROTA,
    JAN,
    MARIA,
    RETURN,
    SEND,
    TASK_PEOPLE,
)
from tests.support.team_world import World, cohort_start


async def _everyone(world: World) -> dict[int, Speaker]:
    codes = await world.invite_codes()
    people = {}
    for user_id, (email, name) in TASK_PEOPLE.items():
        people[user_id], _ = await world.join(codes[email], user_id, name)
    return people


async def _choose(member: Speaker, code: str) -> None:
    """/zadanie, then the button of the task `code`."""
    [choose] = await dialog((member, "/zadanie", None))
    label = next(text for text, _ in choose.buttons if text.startswith(code))
    await dialog((member, press(label), None))


async def _submit(member: Speaker, evidence: Action) -> ChatMessage:
    """/zadanie → ZW1 → the evidence → confirm; returns the confirmation."""
    [choose] = await dialog((member, "/zadanie", None))
    label = next(text for text, _ in choose.buttons if text.startswith("ZW1"))
    *_, done = await dialog(
        (member, press(label), "Wyślij teraz dowód"),
        (member, evidence, "Sprawdź zgłoszenie"),
        (member, press(SEND), None),
    )
    return done


async def test_submit_return_resubmit_accept_seen_by_the_whole_team(world: World) -> None:
    people = await _everyone(world)
    anna, bartosz, celina, jan = people[ANNA], people[BARTOSZ], people[CELINA], people[JAN]

    done = await _submit(anna, "Arkusze diagnozy wstępnej są gotowe.")
    assert "zgłoszone jako wykonane" in done.text and "Jan Kowalski" in done.text
    told = ("Anna Nowak przesłała doradcy zadanie ZW1", "Arkusze diagnozy wstępnej są gotowe.")
    returned = (
        "Jan Kowalski zwrócił zadanie ZW1 (diagnoza wstępna) do poprawy",
        "Brakuje wyników SELFIE",
    )
    [*_, first_request, _, _] = await dialog(
        (bartosz, receives, told),
        (celina, receives, told),
        (jan, receives, "Do oceny: Miasto Stołeczne Warszawa"),
        (jan, press(RETURN), "uwagi do zadania ZW1"),
        (jan, "Brakuje wyników SELFIE dla szkół podstawowych.", "Zwrócono zadanie ZW1"),
    )
    await dialog(*[(member, receives, returned) for member in (anna, bartosz, celina)])

    resubmitted = upload("document", b"%PDF-1.4 SELFIE", file_name="diagnoza.pdf")
    assert "zgłoszone jako wykonane" in (await _submit(anna, resubmitted)).text
    [copy, second_request, _] = await dialog(
        (jan, receives, None),
        (jan, receives, ("diagnoza.pdf", "po poprawkach")),
        (jan, press(ACCEPT), "Przyjęto zadanie ZW1"),
    )
    assert copy.message.document is not None and copy.message.document.file_name == "diagnoza.pdf"
    for member in (anna, bartosz, celina):
        while "przyjął zadanie ZW1" not in (told_now := (await member.next_message()).text):
            assert "przesłała doradcy zadanie ZW1" in told_now, "Bartosz and Celina saw the file"

    # The returned round's button is stale; the accept button's data, forged by each on a
    # message of their own chat, is refused (members: not theirs).
    forged = second_request.callback_data(ACCEPT)
    refused = answered("nieaktualny", "dla innej roli")
    await dialog(
        (jan, press(ACCEPT, on=first_request), alert("nieaktualny")),
        *[
            (person, forge(forged, on=(await world.control.received(person.user_id))[-1]), refused)
            for person in (jan, people[DOROTA], people[MARIA])
        ],
        (anna, "/zadania", ("Jan Kowalski przyjął zadanie ZW1", "Anna Nowak przesłała")),
    )
    dorota_chat = " ".join(m.text for m in await world.control.received(DOROTA))
    assert "Stołeczne Warszawa" not in dorota_chat and "ZW1" not in dorota_chat
    jan_texts = [m.text for m in await world.control.received(JAN)]
    assert len(jan_texts) == len(set(jan_texts)), "nothing reached the adviser twice"


async def test_extensions_and_bad_input(world: World) -> None:
    people = await _everyone(world)
    anna, jan, maria = people[ANNA], people[JAN], people[MARIA]
    steps = compute_calendar(load_template(default_template_path()), cohort_start(world.today()))
    zw2_due = next(s.due_on for s in steps if s.code == "ZW2" and s.due_on)
    until = zw2_due + relativedelta(months=1)

    await dialog(
        (maria, f"/przedluz 1465011 ZW2 {until.isoformat()}", "nie jest jedną z Twoich JST"),
        (jan, "/przedluz 1465011 ZW9 2030-01-01", "Nie ma zadania „ZW9”"),
        (jan, "/przedluz 1465011 ZW2 jutro", "Nie rozumiem daty „jutro”"),
        (jan, f"/przedluz 1465011 ZW2 {dt.date(2020, 1, 1).isoformat()}", "już minęła"),
        (jan, f"/przedluz 1465011 zw2 {until.isoformat()}", "przedłużono do"),
        *[
            (people[member], receives, "Jan Kowalski przedłużył termin zadania ZW2")
            for member in (ANNA, BARTOSZ, CELINA)
        ],
    )
    await _choose(anna, "ZW2")
    await dialog(
        (anna, upload("sticker", b"sticker-bytes", emoji="👍"), "Tego nie przyjmę jako dowodu"),
        (anna, "/uchwala XII/1/2026 2099-01-01", "najpierw zgłoś zadanie HDR_ORE"),
        (anna, "/zadania", "przedłużony"),
    )
