"""Issue 5, tasks: a member submits, the adviser returns and accepts, the team sees it all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable

from dateutil.relativedelta import relativedelta

from localapi import ChatMessage, ControlClient
from localapi.client import Person
from localapi.errors import JSONDict
from storage.programme import default_template_path, load_template
from storage.programme_calendar import compute_calendar
from tests.e2e.conftest import cohort_start, join
from tests.support.bot_process import BotWorld

ANNA, BARTOSZ, CELINA, DOROTA, JAN, MARIA = 8001, 8002, 8003, 8004, 8005, 8006
PEOPLE = {
    ANNA: ("anna.nowak@example.pl", "Anna"),
    BARTOSZ: ("bartosz.wisniewski@example.pl", "Bartosz"),
    CELINA: ("celina.wojcik@example.pl", "Celina"),
    DOROTA: ("dorota.lewandowska@example.pl", "Dorota"),
    JAN: ("jan.kowalski@example.pl", "Jan"),
    MARIA: ("maria.szymanska@example.pl", "Maria"),
}
ACCEPT, RETURN, SEND = "✅ Przyjmij", "↩️ Zwróć do poprawy", "✅ Wyślij doradcy"


async def _everyone(world: BotWorld, control: ControlClient) -> dict[int, Person]:
    codes = await world.invite_codes()
    world.start()
    await control.until_polling()
    people = {}
    for user_id, (email, name) in PEOPLE.items():
        people[user_id], _ = await join(control, codes[email], user_id, name)
    return people


async def _submit(member: Person, send: Awaitable[ChatMessage]) -> ChatMessage:
    """/zadanie → ZW1 → the evidence (sent by `send`) → confirm; returns the confirmation."""
    await member.say("/zadanie")
    choose = await member.next_message(within=10)
    await member.press(choose, next(text for text, _ in choose.buttons if text.startswith("ZW1")))
    assert "Wyślij teraz dowód" in (await member.next_message(within=10)).text
    await send
    summary = await member.next_message(within=10)
    assert "Sprawdź zgłoszenie" in summary.text
    await member.press(summary, SEND)
    return await member.next_message(within=10)


async def _next_alert(control: ControlClient, user_id: int) -> JSONDict:
    """The next answer to a press that says something (earlier presses were answered quietly)."""
    while not (answer := await control.next_callback_answer(user_id, within=10)).get("text"):
        pass
    return answer


async def test_submit_return_resubmit_accept_seen_by_the_whole_team(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _everyone(world, control)
    anna, bartosz, celina, jan = people[ANNA], people[BARTOSZ], people[CELINA], people[JAN]

    done = await _submit(anna, anna.say("Arkusze diagnozy wstępnej są gotowe."))
    assert "zgłoszone jako wykonane" in done.text and "Jan Kowalski" in done.text
    for member in (bartosz, celina):
        told = (await member.next_message(within=10)).text
        assert "Anna Nowak przesłała doradcy zadanie ZW1" in told
        assert "Arkusze diagnozy wstępnej są gotowe." in told
    first_request = await jan.next_message(within=10)
    assert "Do oceny: Miasto Stołeczne Warszawa" in first_request.text

    await jan.press(first_request, RETURN)
    assert "uwagi do zadania ZW1" in (await jan.next_message(within=10)).text
    await jan.say("Brakuje wyników SELFIE dla szkół podstawowych.")
    assert "Zwrócono zadanie ZW1" in (await jan.next_message(within=10)).text
    for member in (anna, bartosz, celina):
        told = (await member.next_message(within=10)).text
        assert "Jan Kowalski zwrócił zadanie ZW1 do poprawy" in told
        assert "Brakuje wyników SELFIE" in told

    upload = control.send_file(ANNA, "document", b"%PDF-1.4 SELFIE", file_name="diagnoza.pdf")
    assert "zgłoszone jako wykonane" in (await _submit(anna, upload)).text
    copy = await jan.next_message(within=10)
    assert copy.message.document is not None and copy.message.document.file_name == "diagnoza.pdf"
    second_request = await jan.next_message(within=10)
    assert "diagnoza.pdf" in second_request.text and "po poprawkach" in second_request.text
    await jan.press(second_request, ACCEPT)
    assert "Przyjęto zadanie ZW1" in (await jan.next_message(within=10)).text
    for member in (anna, bartosz, celina):
        while "przyjął zadanie ZW1" not in (told := (await member.next_message(within=10)).text):
            assert "przesłała doradcy zadanie ZW1" in told, "Bartosz and Celina saw the file"

    await jan.press(first_request, ACCEPT)  # the returned round's button
    stale = await _next_alert(control, JAN)
    assert stale["show_alert"] and "nieaktualny" in stale["text"]
    forged = second_request.callback_data(ACCEPT)
    for user_id in (JAN, DOROTA, MARIA):  # each on a message of their own chat
        own = (await control.received(user_id))[-1]
        await control.press(user_id, own.message_id, forged, forged=True)
        refused = (await _next_alert(control, user_id))["text"]
        assert "nieaktualny" in refused or "dla innej roli" in refused, "members: not theirs"

    await anna.say("/zadania")
    tasks = (await anna.next_message(within=10)).text
    assert "Jan Kowalski przyjął zadanie ZW1" in tasks and "Anna Nowak przesłała" in tasks
    dorota_chat = " ".join(m.text for m in await control.received(DOROTA))
    assert "Warszawa" not in dorota_chat and "ZW1" not in dorota_chat
    jan_texts = [m.text for m in await control.received(JAN)]
    assert len(jan_texts) == len(set(jan_texts)), "nothing reached the adviser twice"


async def test_extensions_and_bad_input(world: BotWorld, control: ControlClient) -> None:
    people = await _everyone(world, control)
    anna, jan, maria = people[ANNA], people[JAN], people[MARIA]
    steps = compute_calendar(load_template(default_template_path()), cohort_start())
    zw2_due = next(s.due_on for s in steps if s.code == "ZW2" and s.due_on)
    until = zw2_due + relativedelta(months=1)

    await maria.say(f"/przedluz 1465011 ZW2 {until.isoformat()}")
    assert "nie jest jedną z Twoich JST" in (await maria.next_message(within=10)).text
    await jan.say("/przedluz 1465011 ZW9 2030-01-01")
    assert "Nie ma zadania „ZW9”" in (await jan.next_message(within=10)).text
    await jan.say("/przedluz 1465011 ZW2 jutro")
    assert "Nie rozumiem daty „jutro”" in (await jan.next_message(within=10)).text
    await jan.say(f"/przedluz 1465011 ZW2 {dt.date(2020, 1, 1).isoformat()}")
    assert "już minęła" in (await jan.next_message(within=10)).text
    await jan.say(f"/przedluz 1465011 zw2 {until.isoformat()}")
    assert "przedłużono do" in (await jan.next_message(within=10)).text
    for user_id in (ANNA, BARTOSZ, CELINA):
        told = (await control.next_message(user_id, within=10)).text
        assert "Jan Kowalski przedłużył termin zadania ZW2" in told

    await anna.say("/zadanie")
    choose = await anna.next_message(within=10)
    await anna.press(choose, next(text for text, _ in choose.buttons if text.startswith("ZW2")))
    await anna.next_message(within=10)
    await control.send_file(ANNA, "sticker", b"sticker-bytes", emoji="👍")
    assert "Tego nie przyjmę jako dowodu" in (await anna.next_message(within=10)).text
    await anna.say("/uchwala XII/1/2026 2099-01-01")
    assert "jest w przyszłości" in (await anna.next_message(within=10)).text
    await anna.say("/zadania")
    assert "przedłużony" in (await anna.next_message(within=10)).text


async def test_an_accept_handled_before_a_crash_is_not_doubled_after_it(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _everyone(world, control)
    anna, jan = people[ANNA], people[JAN]
    await _submit(anna, anna.say("https://example.pl/diagnoza"))
    request = await jan.next_message(within=10)

    # The poll that would confirm the press hangs: the bot has accepted and answered, but
    # Telegram does not know, and sends the press again after the crash.
    await control.fault("hang", method="getUpdates", seconds=60)
    await jan.press(request, ACCEPT)
    assert "Przyjęto zadanie ZW1" in (await jan.next_message(within=10)).text
    await world.kill()
    await control.clear_faults()
    world.start()
    await control.until_delivered(within=30)
    await jan.say("/jst")
    assert "Miasto Stołeczne Warszawa" in (await jan.next_message(within=10)).text

    for user_id, words in (
        (JAN, "Przyjęto zadanie ZW1"),
        (ANNA, "przyjął zadanie ZW1"),
        (BARTOSZ, "przyjął zadanie ZW1"),
        (CELINA, "przyjął zadanie ZW1"),
    ):
        texts = [m.text for m in await control.received(user_id)]
        assert sum(words in text for text in texts) == 1, user_id
        assert not any("coś poszło nie tak" in text for text in texts), user_id
    assert (await control.counters())["updates_pending"] == 0
