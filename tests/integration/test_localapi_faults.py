"""Flood limits answer 429 as Telegram does, and injected faults reach python-telegram-bot as
the errors it raises in production (RetryAfter, NetworkError, TimedOut, Forbidden)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import telegram
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from localapi import ControlClient, ControlError, LocalBotApi, Person
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control
ptb_bot = localapi.ptb_bot

ANNA = 1001
PIOTR = 1002


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22's opt-in: RetryAfter.retry_after as a timedelta, without deprecation warnings."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def anna(control: ControlClient) -> Person:
    await control.user(PIOTR, "Piotr", started=True)
    return await control.user(ANNA, "Anna", started=True)


async def outcomes(bot: telegram.Bot, chat_id: int, count: int) -> list[str]:
    """Sends `count` messages at once; what happened to each: 'sent' or the error's name."""
    sends = [bot.send_message(chat_id, f"#{number}") for number in range(count)]
    results = await asyncio.gather(*sends, return_exceptions=True)
    return [
        type(result).__name__ if isinstance(result, Exception) else "sent" for result in results
    ]


async def test_five_messages_at_once_to_one_chat_meet_the_flood_limit(
    ptb_bot: telegram.Bot,
    local_api: LocalBotApi,
    control: ControlClient,
    anna: Person,
    monotonic: localapi.FakeMonotonic,
) -> None:
    await control.set_limits(enabled=True)
    assert sorted(await outcomes(ptb_bot, ANNA, 5)) == ["RetryAfter"] * 2 + ["sent"] * 3
    url = f"{local_api.base_url}{local_api.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"chat_id": ANNA, "text": "raw"}) as response,
    ):
        assert response.status == 429
        assert await response.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
    monotonic.advance(1.0)
    assert await outcomes(ptb_bot, ANNA, 2) == ["sent", "RetryAfter"]
    counters = await control.counters()
    assert (counters["rate_limited"], counters["too_many_requests"]) == (4, 4)
    assert len(await control.received(ANNA)) == 4


async def test_switched_off_limits_refuse_nothing(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    assert await outcomes(ptb_bot, ANNA, 50) == ["sent"] * 50
    assert (await control.counters())["too_many_requests"] == 0


async def test_a_group_gets_twenty_messages_a_minute(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await control.group(-500, "Zespół", [ANNA])
    await control.set_limits(enabled=True, chat_burst=100)
    sent = [await ptb_bot.send_message(-500, f"#{number}") for number in range(20)]
    assert [message.message_id for message in sent] == list(range(1, 21))
    with pytest.raises(RetryAfter):
        await ptb_bot.send_message(-500, "one too many")
    assert await ptb_bot.send_message(ANNA, "private chats are not affected")


async def test_injected_429s_come_first_then_the_call_succeeds(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await control.fault("retry_after", method="sendMessage", count=2, retry_after=7)
    assert await outcomes(ptb_bot, ANNA, 1) == ["RetryAfter"]
    assert await ptb_bot.get_updates() == ()  # other methods are not affected
    assert await outcomes(ptb_bot, ANNA, 2) == ["RetryAfter", "sent"]
    counters = await control.counters()
    assert (counters["injected_faults"], counters["too_many_requests"]) == (2, 2)
    assert counters["calls"]["sendMessage"] == 3


async def test_server_errors_and_bad_gateways_are_network_errors(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await control.fault("server_error")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await ptb_bot.send_message(ANNA, "x")
    await control.fault("bad_gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await ptb_bot.send_message(ANNA, "x")
    assert await control.received(ANNA) == []


async def test_a_hang_longer_than_the_client_waits_is_a_timeout(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await control.fault("hang", seconds=0.5)
    with pytest.raises(TimedOut):
        await ptb_bot.send_message(ANNA, "lost", read_timeout=0.1)
    await control.fault("hang", seconds=0.5, deliver=True)
    with pytest.raises(TimedOut):
        await ptb_bot.send_message(ANNA, "late but delivered", read_timeout=0.1)
    assert (await control.next_message(ANNA)).text == "late but delivered"
    assert [message.text for message in await control.received(ANNA)] == ["late but delivered"]


async def test_forbidden_for_one_chosen_user_only(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await control.fault("forbidden", chat_id=ANNA)
    await control.fault("server_error", method="getUpdates")
    assert await ptb_bot.send_message(PIOTR, "fine")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb_bot.send_message(ANNA, "x")
    assert await ptb_bot.send_message(ANNA, "the fault was used up")
    with pytest.raises(NetworkError):
        await ptb_bot.get_updates()
    with pytest.raises(ControlError, match="invalid control request"):
        await control.fault("meteor_strike")
    await control.fault("server_error", count=5)
    await control.clear_faults()
    assert await ptb_bot.send_message(ANNA, "no faults left")


async def test_reset_forgets_everything_but_the_bot(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    await ptb_bot.send_message(ANNA, "before")
    await anna.say("hi")
    await control.reset()
    with pytest.raises(BadRequest, match="Chat not found"):
        await ptb_bot.send_message(ANNA, "after")
    assert await ptb_bot.get_updates() == ()
    counters = await control.counters()
    assert counters["calls"] == {"sendMessage": 1, "getUpdates": 1}
    assert (await ptb_bot.get_me()).username == "local_test_bot"
