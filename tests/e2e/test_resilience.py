"""Crashes, restarts and a misbehaving Bot API lose nothing and double nothing (issue 3)."""

from __future__ import annotations

import asyncio

import aiohttp
from telegram import Bot

from localapi import ControlClient, LocalBotApi
from tests.e2e.conftest import eventually, join, running
from tests.support.bot_process import BotWorld, free_port

ANNA, BARTOSZ, CELINA = 7001, 7002, 7003


async def test_sigkill_before_confirming_an_update_sends_no_reply_twice(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    # The poll that would confirm /status hangs: the bot has answered but Telegram does not
    # know it handled the update, and sends it again after the crash.
    await control.fault("hang", method="getUpdates", seconds=60)
    await anna.say("/status")
    first = await anna.next_message(within=10)
    await world.kill()
    await control.clear_faults()
    world.start()
    await control.until_delivered(within=30)
    await anna.say("/zadania")
    await anna.next_message(within=10)

    statuses = [m for m in await control.received(ANNA) if m.text == first.text]
    assert len(statuses) == 1, "the re-delivered /status was not answered again"
    assert (await control.counters())["updates_pending"] == 0


async def test_sigkill_mid_send_neither_loses_a_member_nor_doubles_a_reply(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    # Telegram takes the message but the bot dies before it records that it was sent.
    await control.fault("hang", method="sendMessage", seconds=3, deliver=True)
    sends_before = (await control.counters())["calls"].get("sendMessage", 0)
    await anna.say("/status")

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


async def test_a_slow_but_successful_send_is_not_sent_again(
    world: BotWorld, control: ControlClient
) -> None:
    """Telegram delivers at once but answers after the bot stopped waiting (issue 16, item 3):
    the reply may have arrived, so it is not sent again."""
    world.env["TELEGRAM_TIMEOUT_SECONDS"] = "1"
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    await control.fault("slow", method="sendMessage", chat_id=ANNA, seconds=6)  # PTB waits 5
    await anna.say("/status")
    status = await anna.next_message(within=10)
    await asyncio.sleep(12)  # beyond the first retry had the timeout been taken for a failure
    await anna.say("/pomoc")
    assert "Twoje polecenia" in (await anna.next_message(within=15)).text

    texts = [m.text for m in await control.received(ANNA)]
    assert texts.count(status.text) == 1, "the slow reply was not sent twice"
    assert "unconfirmed" in await world.cli("outbox", "--state", "failed")


async def test_429_storm_and_5xx_burst_delay_messages_but_lose_none(
    world: BotWorld, control: ControlClient
) -> None:
    codes = await running(world, control)
    people = [
        (await join(control, codes[email], user_id, name))[0]
        for email, user_id, name in (
            ("anna.nowak@example.pl", ANNA, "Anna"),
            ("bartosz.wisniewski@example.pl", BARTOSZ, "Bartosz"),
            ("celina.wojcik@example.pl", CELINA, "Celina"),
        )
    ]
    await control.fault("retry_after", method="sendMessage", count=5, retry_after=2)
    for person in people:
        await person.say("/status")
    for person in people:
        assert "Warszawa" in (await person.next_message(within=30)).text

    await control.fault("bad_gateway", method="sendMessage", count=1)
    await control.fault("server_error", method="sendMessage", count=1)
    await people[0].say("/zadania")
    assert "Zadania" in (await people[0].next_message(within=40)).text

    for user_id in (ANNA, BARTOSZ, CELINA):
        texts = [m.text for m in await control.received(user_id)]
        assert len(texts) == len(set(texts)), "nothing arrived twice"
    assert (await control.counters())["too_many_requests"] >= 5


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
