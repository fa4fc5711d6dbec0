"""Issue 5, tasks, through the real process: an accept handled just before a crash is not
doubled after it (the task flows themselves are tests/dialog/test_tasks.py, in process)."""

from __future__ import annotations

from collections.abc import Awaitable

from localapi import ChatMessage, ControlClient
from localapi.client import Person
from tests.e2e.conftest import eventually, join
from tests.support.bot_process import BotWorld
from tests.support.flow_data import (
    ACCEPT,
    ANNA,
    BARTOSZ,
    CELINA,
    JAN,
    SEND,
    TASK_PEOPLE,
)


async def _everyone(world: BotWorld, control: ControlClient) -> dict[int, Person]:
    codes = await world.invite_codes()
    world.start()
    await control.until_polling()
    people = {}
    for user_id, (email, name) in TASK_PEOPLE.items():
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

    told = (
        (JAN, "Przyjęto zadanie ZW1"),
        (ANNA, "przyjął zadanie ZW1"),
        (BARTOSZ, "przyjął zadanie ZW1"),
        (CELINA, "przyjął zadanie ZW1"),
    )

    async def counts() -> list[int]:
        received = [(w, [m.text for m in await control.received(u)]) for u, w in told]
        return [sum(words in text for text in texts) for words, texts in received]

    async def everyone_told() -> bool:  # the /jst answer goes at once, the news from the outbox
        return 0 not in await counts()

    await eventually(everyone_told)
    await control.until_delivered(within=30)
    assert await counts() == [1, 1, 1, 1]
    for user_id, _ in told:
        texts = [m.text for m in await control.received(user_id)]
        assert not any("coś poszło nie tak" in text for text in texts), user_id
    await control.until_delivered(within=10)  # the reply sent at once may precede the confirmation
