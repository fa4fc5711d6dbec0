"""A Bot API that answers late, floods us with 429s or fails with 5xx: messages are delayed,
never lost, never doubled (issue 3; issue 16, item 3). The crashes: tests/e2e/."""

from __future__ import annotations

from typing import Any

import pytest

from localapi import ChatMessage
from outbox.policy import BACKOFF_CAP
from tests.support.dialog import dialog, receives
from tests.support.team_world import World

ANNA, BARTOSZ, CELINA = 7001, 7002, 7003
PEOPLE = {
    ANNA: ("anna.nowak@example.pl", "Anna"),
    BARTOSZ: ("bartosz.wisniewski@example.pl", "Bartosz"),
    CELINA: ("celina.wojcik@example.pl", "Celina"),
}


async def _past_every_retry(world: World) -> None:
    """Nothing on its way, then the clock past any retry and everything due delivered."""
    await world.settle()
    world.clock.shift(BACKOFF_CAP)
    await world.settle()


@pytest.mark.parametrize("world_settings", [{"telegram_timeout_seconds": 1}], ids=["timeout 1 s"])
async def test_a_slow_but_successful_send_is_not_sent_again(
    world: World, world_settings: dict[str, Any]
) -> None:
    """Telegram delivers at once but answers after the bot stopped waiting: the reply may have
    arrived, so it is not sent again: neither a reply sent at once (/status), nor one the
    outbox sends (the language set), which is left unconfirmed for the operator."""
    [anna] = await world.join_all(PEOPLE, ANNA)

    slow: list[ChatMessage] = []
    for command in ("/status", "/jezyk pl"):
        await world.control.fault("slow", method="sendMessage", chat_id=ANNA, seconds=6)
        slow += await dialog((anna, command, None))  # PTB waits 5 s
        await world.control.until_delivered()  # the send has timed out and the bot has said so
    await _past_every_retry(world)  # had the timeout been taken for a failure: sent again now
    await dialog((anna, "/pomoc", "Twoje polecenia"), within=15)

    texts = [m.text for m in await world.control.received(ANNA)]
    assert "polsku" in slow[1].text
    for message in slow:
        assert texts.count(message.text) == 1, "the slow reply was not sent twice"
    assert "unconfirmed" in await world.cli("outbox", "--state", "failed")


async def test_429_storm_and_5xx_burst_delay_messages_but_lose_none(world: World) -> None:
    people = await world.join_all(PEOPLE, ANNA, BARTOSZ, CELINA)
    control = world.control
    # Five 429s in a row, each waited out in real time by the sender (a second each here; the
    # exact waits: tests/integration/test_telegram_delivery.py).
    await control.fault("retry_after", method="sendMessage", count=5, retry_after=1)
    for person in people:
        await person.say("/status")
    await dialog(*[(person, receives, "Warszawa") for person in people], within=30)

    await control.fault("bad_gateway", method="sendMessage", count=1)
    await control.fault("server_error", method="sendMessage", count=1)
    await people[0].say("/zadania")
    await world.control.until_delivered()
    await _past_every_retry(world)
    await _past_every_retry(world)
    await dialog((people[0], receives, "Zadania"))

    for user_id in (ANNA, BARTOSZ, CELINA):
        texts = [m.text for m in await control.received(user_id)]
        assert len(texts) == len(set(texts)), "nothing arrived twice"
    assert (await control.counters())["too_many_requests"] >= 5
