"""The control API's `events/since`: one cursor follows what the bot does in every chat (the
sandbox's terminal prints it as it comes)."""

from __future__ import annotations

import asyncio

import telegram

from localapi import ControlClient
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control
ptb_bot = localapi.ptb_bot

ANNA, JAN = 1001, 1002


async def test_events_of_every_chat_come_in_order_after_the_cursor(
    ptb_bot: telegram.Bot, control: ControlClient
) -> None:
    for user_id, name in ((ANNA, "Anna"), (JAN, "Jan")):
        await control.user(user_id, name, started=True)
    assert await control.events_since(0) == []

    first = await ptb_bot.send_message(ANNA, "pierwsza")
    await ptb_bot.send_message(JAN, "druga")
    await ptb_bot.send_chat_action(JAN, "typing")
    events = await control.events_since(0)
    assert [(e.chat_id, e.message.text if e.message else None) for e in events] == [
        (ANNA, "pierwsza"),
        (JAN, "druga"),
    ]
    assert events[0].message is not None and events[0].message.message_id == first.message_id
    actions = await control.events_since(0, ("chat_action",))
    assert [(e.kind, e.chat_id, e.data["action"]) for e in actions] == [
        ("chat_action", JAN, "typing")
    ]
    assert await control.events_since(events[-1].seq) == []

    # A waiting call returns once the bot does something (or at once if it did already).
    waiting = asyncio.create_task(control.events_since(events[-1].seq, within=10))
    await ptb_bot.send_message(ANNA, "trzecia")
    later = await asyncio.wait_for(waiting, 10)
    assert [e.message.text for e in later if e.message] == ["trzecia"]
