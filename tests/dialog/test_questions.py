"""A member's question reaches exactly their adviser; the answer exactly them (issue 4).

Jan Kowalski advises both Warszawa (Anna, Bartosz, Celina) and Gmina Przykładowa (Dorota).
"""

from __future__ import annotations

import datetime as dt
import re

from tests.support.dialog import Speaker, dialog, press, receives, reply, upload
from tests.support.team_world import World

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


async def _people(world: World, *user_ids: int) -> dict[int, Speaker]:
    codes = await world.invite_codes()
    joined = {}
    for user_id in user_ids:
        email, name = EMAILS[user_id]
        joined[user_id] = (await world.join(codes[email], user_id, name))[0]
    return joined


async def _ask(member: Speaker) -> int:
    """Press "Send" under the draft; the receipt gives the question's number."""
    [receipt] = await dialog((member, press(SEND), "zapisane"))
    found = re.search(r"Pytanie nr (\d+) zapisane", receipt.text)
    assert found is not None, receipt.text
    return int(found[1])


async def _texts(world: World, user_id: int) -> list[str]:
    return [message.text for message in await world.control.received(user_id)]


async def test_a_question_reaches_its_adviser_and_the_answer_only_the_asker(
    world: World,
) -> None:
    people = await _people(world, ANNA, BARTOSZ, DOROTA, JAN)
    anna, bartosz, dorota, jan = people[ANNA], people[BARTOSZ], people[DOROTA], people[JAN]

    await dialog((anna, "/pytanie Jak wypełnić arkusz diagnozy?", None))
    number = await _ask(anna)
    [_, _, answer] = await dialog(
        (
            jan,
            receives,
            (
                f"Pytanie nr {number}",
                "Miasto Stołeczne Warszawa",
                "1465011",
                "Anna Nowak",
                "Jak wypełnić arkusz diagnozy?",
                "Otwarte zadania: ZW1",
            ),
        ),
        (jan, reply("Proszę użyć arkusza A."), "Anna"),  # Jan sees who got it
        (anna, receives, ("Proszę użyć arkusza A.", f"pytanie nr {number}")),
    )

    # Dorota, of Jan's other JST, asks in a plain message; Jan answers by number.
    await dialog((dorota, "Kiedy najpóźniej debata?", None))
    dorota_number = await _ask(dorota)
    await dialog(
        (jan, receives, "Gmina Przykładowa"),
        (jan, f"/odpowiedz {dorota_number} Do końca maja.", None),
        (dorota, receives, "Do końca maja."),
    )

    # Anna follows up by replying to the answer: the same thread, back to Jan.
    await dialog(
        (anna, reply("A gdzie go znajdę?", to=answer), f"Dopisano do pytania nr {number}"),
        (jan, receives, (f"Dopytanie do pytania nr {number}", "A gdzie go znajdę?")),
        # A message of Jan's that answers nothing is explained, with its text kept.
        (jan, "Na stronie ORE.", "/odpowiedz NR Na stronie ORE."),
    )

    # Jan goes away: from today (Polish date) for a week Maria answers; the teams are told.
    today = world.today()
    until = today + dt.timedelta(days=7)
    away = f"/zastepstwo maria.szymanska@example.pl {today:%d.%m.%Y} {until}"
    await dialog(
        (jan, away, "Maria Szymańska"),
        *[(member, receives, "Maria Szymańska") for member in (anna, dorota, bartosz)],
    )

    anna_chat = " ".join(await _texts(world, ANNA))
    dorota_chat = " ".join(await _texts(world, DOROTA))
    assert "Do końca maja" not in anna_chat and "Przykładowa" not in anna_chat
    assert "arkusz" not in dorota_chat and "Stołeczne Warszawa" not in dorota_chat
    assert not any("arkusza A" in text for text in await _texts(world, BARTOSZ))


async def test_a_file_question_arrives_as_a_file_and_a_reply_to_it_answers(
    world: World,
) -> None:
    people = await _people(world, DOROTA, JAN, KATARZYNA, MARIA)
    dorota, jan, katarzyna, maria = people[DOROTA], people[JAN], people[KATARZYNA], people[MARIA]
    content = b"%PDF-1.4 diagnoza wstepna"

    await dialog(
        (katarzyna, "Czy są nowe pytania?", "nie rozpoznaję"),  # a coordinator's is no question
        (
            dorota,
            upload(
                "document",
                content,
                file_name="diagnoza.pdf",
                mime_type="application/pdf",
                caption="Czy ten format jest dobry?",
            ),
            ("Czy ten format jest dobry?", "(1 wiadomość, w tym 1 plik)"),
        ),
    )
    number = await _ask(dorota)
    [_, copy] = await dialog(
        (jan, receives, (f"Pytanie nr {number}", "📎 1 plik")),
        (jan, receives, None),
    )
    document = copy.message.document
    assert document is not None and document.file_name == "diagnoza.pdf"
    assert await world.control.file_content(document.file_id) == content

    # Maria advises another JST: she cannot answer it, and nothing reaches Dorota.
    await dialog(
        (maria, f"/odpowiedz {number} Nie wiem.", "nie prowadzisz"),
        (jan, reply("Tak, PDF wystarczy.", to=copy), None),
        (dorota, receives, ("Tak, PDF wystarczy.", f"pytanie nr {number}")),
    )
    assert not any("Nie wiem." in text for text in await _texts(world, DOROTA))

    # Maria needs no weekly e-mail: she turns it off in the bot; a coordinator cannot.
    await dialog(
        (maria, "/podsumowanie", "Co tydzień otrzymujesz"),
        (maria, press("Wyłącz cotygodniowe podsumowanie"), "nie będziesz już otrzymywać"),
        (katarzyna, "/podsumowanie", "innej roli"),
    )
    output = await world.cli("digest", "opt-in", "maria.szymanska@example.pl")
    assert "will get the weekly digest again" in output, "the bot stored Maria's choice"


async def test_a_whole_team_answer_reaches_every_member_exactly_once(world: World) -> None:
    people = await _people(world, ANNA, BARTOSZ, CELINA, DOROTA, JAN)
    anna, jan = people[ANNA], people[JAN]

    await dialog((anna, "Czy debata może być online?", None))
    number = await _ask(anna)
    await dialog(
        (jan, receives, None),
        (jan, reply("Tak, w formule hybrydowej."), None),
        (anna, receives, None),
        (jan, press("Wyślij też całemu zespołowi"), "(2)"),
        *[
            (people[member], receives, ("Tak, w formule hybrydowej.", "Anna Nowak"))
            for member in (BARTOSZ, CELINA)
        ],
    )

    # The second question is answered for the whole team straight away.
    await dialog((anna, "/pytanie Ile osób na debacie?", None))
    second = await _ask(anna)
    await dialog(
        (jan, receives, None),
        (jan, f"/odpowiedz {second}! Co najmniej trzydzieści.", None),
        *[(people[member], receives, "trzydzieści") for member in (ANNA, BARTOSZ, CELINA)],
    )

    for member in (ANNA, BARTOSZ, CELINA):
        texts = await _texts(world, member)
        assert sum("w formule hybrydowej" in text for text in texts) == 1, member
        assert sum("trzydzieści" in text for text in texts) == 1, member
    assert not any("hybryd" in text for text in await _texts(world, DOROTA))
    assert number != second
