"""Questions through the real `advisorybot run` process: one whole flow as a smoke test, and a
crash while forwarding or delivering (the other question flows are tests/dialog/, in process).
"""

from __future__ import annotations

import re

from localapi import ChatMessage, ControlClient, LocalBotApi, Person
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import BotWorld

ANNA, JAN = 8001, 8005
EMAILS = {ANNA: ("anna.nowak@example.pl", "Anna"), JAN: ("jan.kowalski@example.pl", "Jan")}
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


async def test_smoke_a_question_and_its_answer_through_the_real_process(
    world: BotWorld, control: ControlClient, local_api: LocalBotApi
) -> None:
    """The one whole flow kept end to end (the rest of the flows are tests/dialog/, in
    process): the installed `advisorybot run` takes a question and delivers its answer."""
    people = await _people(world, control, ANNA, JAN)
    anna, jan = people[ANNA], people[JAN]

    await anna.say("/pytanie Jak wypełnić arkusz diagnozy?")
    number = await _ask(anna, await anna.next_message(within=10))
    header = await jan.next_message(within=10)
    assert f"Pytanie nr {number}" in header.text and "Anna Nowak" in header.text
    await jan.say("Proszę użyć arkusza A.", reply_to=header.message_id)
    answer = await anna.next_message(within=10)
    assert "Proszę użyć arkusza A." in answer.text and f"pytanie nr {number}" in answer.text
    assert "Anna" in (await jan.next_message(within=10)).text
    assert local_api.token not in world.log_text(), "the token never reaches a log line"


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
