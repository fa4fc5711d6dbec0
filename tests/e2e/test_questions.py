"""A member's question reaches exactly their adviser; the answer exactly them (issue 4).

Jan Kowalski advises both Warszawa (Anna, Bartosz, Celina) and Gmina Przykładowa (Dorota).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from localapi import ChatMessage, ControlClient, Person
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import BotWorld

ANNA, BARTOSZ, CELINA, DOROTA, JAN, KATARZYNA, MARIA = range(8001, 8008)
EMAILS = {
    ANNA: ("anna.nowak@example.pl", "Anna"),
    BARTOSZ: ("bartosz.wisniewski@example.pl", "Bartosz"),
    CELINA: ("celina.wojcik@example.pl", "Celina"),
    DOROTA: ("dorota.lewandowska@example.pl", "Dorota"),
    JAN: ("jan.kowalski@example.pl", "Jan"),
    KATARZYNA: ("koordynacja@example.pl", "Katarzyna"),
    MARIA: ("maria.szymanska@example.pl", "Maria"),
}
SEND = "Wyślij"


async def _people(world: BotWorld, control: ControlClient, *user_ids: int) -> dict[int, Person]:
    codes = await running(world, control)
    joined = {}
    for user_id in user_ids:
        email, name = EMAILS[user_id]
        joined[user_id] = (await join(control, codes[email], user_id, name))[0]
    return joined


async def _ask(member: Person, offer: ChatMessage) -> int:
    """Press "Send" under the draft; the receipt gives the question's number."""
    await member.press(offer, SEND)
    receipt = await member.next_message(within=10)
    found = re.search(r"Pytanie nr (\d+) zapisane", receipt.text)
    assert found is not None, receipt.text
    return int(found[1])


async def _texts(control: ControlClient, user_id: int) -> list[str]:
    return [message.text for message in await control.received(user_id)]


async def test_a_question_reaches_its_adviser_and_the_answer_only_the_asker(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _people(world, control, ANNA, BARTOSZ, DOROTA, JAN)
    anna, dorota, jan = people[ANNA], people[DOROTA], people[JAN]

    await anna.say("/pytanie Jak wypełnić arkusz diagnozy?")
    number = await _ask(anna, await anna.next_message(within=10))
    header = await jan.next_message(within=10)
    for context in (f"Pytanie nr {number}", "Miasto Stołeczne Warszawa", "1465011"):
        assert context in header.text
    assert "Anna Nowak" in header.text and "Jak wypełnić arkusz diagnozy?" in header.text
    assert "Otwarte zadania: ZW1" in header.text

    await jan.say("Proszę użyć arkusza A.", reply_to=header.message_id)
    answer = await anna.next_message(within=10)
    assert "Proszę użyć arkusza A." in answer.text and f"pytanie nr {number}" in answer.text
    assert "Anna" in (await jan.next_message(within=10)).text, "Jan sees who got it"

    # Dorota, of Jan's other JST, asks in a plain message; Jan answers by number.
    await dorota.say("Kiedy najpóźniej debata?")
    dorota_number = await _ask(dorota, await dorota.next_message(within=10))
    assert "Gmina Przykładowa" in (await jan.next_message(within=10)).text
    await jan.say(f"/odpowiedz {dorota_number} Do końca maja.")
    assert "Do końca maja." in (await dorota.next_message(within=10)).text
    await jan.next_message(within=10)

    # Anna follows up by replying to the answer: the same thread, back to Jan.
    await anna.say("A gdzie go znajdę?", reply_to=answer.message_id)
    followup = await jan.next_message(within=10)
    assert f"Dopytanie do pytania nr {number}" in followup.text
    assert "A gdzie go znajdę?" in followup.text
    assert f"Dopisano do pytania nr {number}" in (await anna.next_message(within=10)).text
    # A message of Jan's that answers nothing is explained, with its text kept.
    await jan.say("Na stronie ORE.")
    hint = await jan.next_message(within=10)
    assert "/odpowiedz NR Na stronie ORE." in hint.text

    # Jan goes away: from today (Polish date) for a week Maria answers; the teams are told.
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    until = today + dt.timedelta(days=7)
    await jan.say(f"/zastepstwo maria.szymanska@example.pl {today:%d.%m.%Y} {until}")
    assert "Maria Szymańska" in (await jan.next_message(within=10)).text
    for member in (anna, dorota, people[BARTOSZ]):
        assert "Maria Szymańska" in (await member.next_message(within=10)).text

    anna_chat = " ".join(await _texts(control, ANNA))
    dorota_chat = " ".join(await _texts(control, DOROTA))
    assert "Do końca maja" not in anna_chat and "Przykładowa" not in anna_chat
    assert "arkusz" not in dorota_chat and "Warszawa" not in dorota_chat
    assert not any("arkusza A" in text for text in await _texts(control, BARTOSZ))


async def test_a_file_question_arrives_as_a_file_and_a_reply_to_it_answers(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _people(world, control, DOROTA, JAN, KATARZYNA, MARIA)
    dorota, jan = people[DOROTA], people[JAN]
    await people[KATARZYNA].say("Czy są nowe pytania?")  # a coordinator's text is no question
    assert "nie rozpoznaję" in (await people[KATARZYNA].next_message(within=10)).text
    content = b"%PDF-1.4 diagnoza wstepna"

    await dorota.send_file(
        "document", content, file_name="diagnoza.pdf", mime_type="application/pdf",
        caption="Czy ten format jest dobry?",
    )  # fmt: skip
    offer = await dorota.next_message(within=10)
    assert "Czy ten format jest dobry?" in offer.text and "pliki: 1" in offer.text
    number = await _ask(dorota, offer)
    header = await jan.next_message(within=10)
    copy = await jan.next_message(within=10)
    assert f"Pytanie nr {number}" in header.text and "Załączniki: 1" in header.text
    document = copy.message.document
    assert document is not None and document.file_name == "diagnoza.pdf"
    assert await control.file_content(document.file_id) == content

    # Maria advises another JST: she cannot answer it, and nothing reaches Dorota.
    await people[MARIA].say(f"/odpowiedz {number} Nie wiem.")
    assert "nie prowadzisz" in (await people[MARIA].next_message(within=10)).text
    await jan.say("Tak, PDF wystarczy.", reply_to=copy.message_id)
    answer = await dorota.next_message(within=10)
    assert "Tak, PDF wystarczy." in answer.text and f"pytanie nr {number}" in answer.text
    assert not any("Nie wiem." in text for text in await _texts(control, DOROTA))

    # Maria needs no weekly e-mail: she turns it off in the bot; a coordinator cannot.
    maria = people[MARIA]
    await maria.say("/podsumowanie")
    offer = await maria.next_message(within=10)
    assert "Co tydzień otrzymujesz" in offer.text
    await maria.press(offer, "Wyłącz cotygodniowe podsumowanie")
    assert "nie będziesz już otrzymywać" in (await maria.next_message(within=10)).text
    await people[KATARZYNA].say("/podsumowanie")
    assert "innej roli" in (await people[KATARZYNA].next_message(within=10)).text
    output = await world.cli("digest", "opt-in", "maria.szymanska@example.pl")
    assert "will get the weekly digest again" in output, "the bot stored Maria's choice"


async def test_a_whole_team_answer_reaches_every_member_exactly_once(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _people(world, control, ANNA, BARTOSZ, CELINA, DOROTA, JAN)
    anna, jan = people[ANNA], people[JAN]

    await anna.say("Czy debata może być online?")
    number = await _ask(anna, await anna.next_message(within=10))
    header = await jan.next_message(within=10)
    await jan.say("Tak, w formule hybrydowej.", reply_to=header.message_id)
    await anna.next_message(within=10)
    confirmation = await jan.next_message(within=10)
    await jan.press(confirmation, "Wyślij też całemu zespołowi")
    for member in (BARTOSZ, CELINA):
        shared = await people[member].next_message(within=10)
        assert "Tak, w formule hybrydowej." in shared.text and "Anna Nowak" in shared.text
    assert "(2)" in (await jan.next_message(within=10)).text

    # The second question is answered for the whole team straight away.
    await anna.say("/pytanie Ile osób na debacie?")
    second = await _ask(anna, await anna.next_message(within=10))
    await jan.next_message(within=10)
    await jan.say(f"/odpowiedz {second}! Co najmniej trzydzieści.")
    for member in (ANNA, BARTOSZ, CELINA):
        assert "trzydzieści" in (await people[member].next_message(within=10)).text
    await jan.next_message(within=10)

    for member in (ANNA, BARTOSZ, CELINA):
        texts = await _texts(control, member)
        assert sum("w formule hybrydowej" in text for text in texts) == 1, member
        assert sum("trzydzieści" in text for text in texts) == 1, member
    assert not any("hybryd" in text for text in await _texts(control, DOROTA))
    assert number != second


async def test_a_crash_before_forwarding_or_delivering_loses_and_doubles_nothing(
    world: BotWorld, control: ControlClient
) -> None:
    people = await _people(world, control, ANNA, JAN)
    anna, jan = people[ANNA], people[JAN]

    # The question is committed; the bot dies while forwarding it to Jan.
    await anna.say("/pytanie Pytanie przed awarią")
    offer = await anna.next_message(within=10)
    await control.fault("hang", method="sendMessage", chat_id=JAN, seconds=30)
    number = await _ask(anna, offer)
    await _crash_while_sending(world, control, faults=1)
    header = await jan.next_message(within=30)
    assert f"Pytanie nr {number}" in header.text

    # The answer is committed; the bot dies while delivering it to Anna.
    await control.fault("hang", method="sendMessage", chat_id=ANNA, seconds=30)
    await jan.say("Odpowiedź mimo awarii.", reply_to=header.message_id)
    await _crash_while_sending(world, control, faults=2)
    answer = await anna.next_message(within=30)
    assert "Odpowiedź mimo awarii." in answer.text

    await anna.say("/status")  # the bot is up and has caught up with everything
    await anna.next_message(within=15)
    jan_texts, anna_texts = await _texts(control, JAN), await _texts(control, ANNA)
    assert sum(f"Pytanie nr {number}" in text for text in jan_texts) == 1
    assert sum("Odpowiedź mimo awarii." in text for text in anna_texts) == 1
    assert sum("Pytanie przed awarią" in text for text in jan_texts) == 1


async def _crash_while_sending(world: BotWorld, control: ControlClient, faults: int) -> None:
    """SIGKILL once the armed hang holds a send (the `faults`-th fault), then start again."""

    async def hanging() -> bool:
        return bool((await control.counters())["injected_faults"] >= faults)

    await eventually(hanging)
    await world.kill()
    await control.clear_faults()
    world.start()
    await control.until_polling()
