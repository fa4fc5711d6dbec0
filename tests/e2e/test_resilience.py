"""Crashes and restarts lose nothing and double nothing; webhook mode checks its secret (issue 3).

(A Bot API that answers late, with 429s or with 5xx: tests/dialog/test_unreliable_api.py.)
"""

from __future__ import annotations

import aiohttp
from telegram import Bot

from localapi import ControlClient, LocalBotApi
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import BotWorld, free_port

ANNA = 7001


async def test_sigkill_before_confirming_an_update_sends_no_reply_twice(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    # The poll that would confirm the language set hangs: the bot has answered but Telegram
    # does not know it handled the update, and sends it again after the crash. (A read-only
    # command's answer, sent at once, would be sent again: DESIGN rule 1 as amended.)
    await control.fault("hang", method="getUpdates", seconds=60)
    await anna.say("/jezyk pl")
    first = await anna.next_message(within=10)
    await world.kill()
    await control.clear_faults()
    world.start()
    await control.until_delivered(within=30)
    await anna.say("/zadania")
    await anna.next_message(within=10)

    answers = [m for m in await control.received(ANNA) if m.text == first.text]
    assert len(answers) == 1, "the re-delivered update was not answered again"
    await control.until_delivered(within=10)  # the reply sent at once may precede the confirmation


async def test_sigkill_mid_send_neither_loses_a_member_nor_doubles_a_reply(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    # Telegram takes the message but the bot dies before it records that it was sent (a reply
    # from the outbox: one sent at once is not recorded at all).
    await control.fault("hang", method="sendMessage", seconds=3, deliver=True)
    sends_before = (await control.counters())["calls"].get("sendMessage", 0)
    await anna.say("/jezyk pl")

    async def in_flight() -> bool:
        calls: int = (await control.counters())["calls"].get("sendMessage", 0)
        return bool(calls > sends_before)

    await eventually(in_flight)
    await world.kill()
    delivered = await anna.next_message(within=10)
    world.start()
    await control.until_polling()
    await anna.say("/pomoc")
    help_text = await anna.next_message(within=15)

    assert "Twoje polecenia" in help_text.text, "Anna is still a joined, active member"
    texts = [m.text for m in await control.received(ANNA)]
    assert texts.count(delivered.text) == 1, "a reply left mid-send is not sent again"


async def test_webhook_mode_checks_the_secret(
    world: BotWorld, control: ControlClient, local_api: LocalBotApi
) -> None:
    codes = await world.invite_codes()
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    world.start("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    anna = await control.user(ANNA, "Anna")
    bot = Bot(local_api.token, base_url=local_api.base_url)

    async def registered() -> bool:
        return (await bot.get_webhook_info()).url == url

    async with bot:
        await eventually(registered)
    await anna.say(f"/start {codes['anna.nowak@example.pl']}")
    assert "RODO" in (await anna.next_message(within=15)).text

    forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=forged) as response:
            assert response.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with http.post(url, json=forged, headers=headers) as response:
            assert response.status == 403
