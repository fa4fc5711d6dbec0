"""The wire format any HTTP client sees (query string, form, JSON), and the server started
standalone as `python -m localapi`, the way the sandbox and benchmarks run it."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram

from localapi import DEFAULT_TOKEN, ControlClient, LocalBotApi
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control

ANNA = 1001


@pytest.fixture
async def http(control: ControlClient) -> AsyncIterator[aiohttp.ClientSession]:
    await control.user(ANNA, "Anna", started=True)
    async with aiohttp.ClientSession() as session:
        yield session


async def answer(response: aiohttp.ClientResponse) -> tuple[int, dict[str, Any]]:
    async with response:
        return response.status, await response.json()


async def test_get_form_and_json_requests_all_work(
    http: aiohttp.ClientSession, local_api: LocalBotApi
) -> None:
    api = f"{local_api.base_url}{local_api.token}"
    status, me = await answer(await http.get(f"{api}/getme"))  # method names ignore case
    assert (status, me["ok"], me["result"]["is_bot"]) == (200, True, True)
    keyboard = json.dumps({"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})
    form = {"chat_id": str(ANNA), "text": "<b>form</b>", "parse_mode": "HTML"}
    status, sent = await answer(
        await http.post(f"{api}/sendMessage", data=form | {"reply_markup": keyboard})
    )
    assert (status, sent["result"]["text"], sent["result"]["message_id"]) == (200, "form", 1)
    assert isinstance(sent["result"]["date"], int)
    status, sent = await answer(
        await http.post(
            f"{api}/sendMessage",
            json={"chat_id": ANNA, "text": "json", "reply_markup": {"remove_keyboard": True}},
        )
    )
    assert (status, sent["result"]["message_id"]) == (200, 2)


async def test_errors_have_telegrams_shape(
    http: aiohttp.ClientSession, local_api: LocalBotApi
) -> None:
    api = f"{local_api.base_url}{local_api.token}"
    expected = {
        f"{api}/sendMessage?chat_id={ANNA}&text=x&reply_markup=%7B%7D": (
            400,
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        f"{api}/sendMessage?chat_id={ANNA}&text=%20": (400, "Bad Request: message text is empty"),
        f"{api}/sendMessage?text=x": (400, "Bad Request: chat_id is empty"),
        f"{api}/noSuchMethod": (404, "Not Found"),
        f"{local_api.base_url}42:wrong/getMe": (401, "Unauthorized"),
        f"{local_api.base_url}malformed/getMe": (404, "Not Found"),
    }
    for url, (code, description) in expected.items():
        status, body = await answer(await http.get(url))
        assert (status, body) == (
            code,
            {"ok": False, "error_code": code, "description": description},
        )
    status, _ = await answer(await http.get(f"{local_api.base_file_url}{local_api.token}/x/y"))
    assert status == 404


async def test_the_server_runs_standalone() -> None:
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "localapi",
        "--port",
        "0",
        "--no-limits",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        bot = telegram.Bot(DEFAULT_TOKEN, base_url=f"{url}/bot")
        async with ControlClient(url) as control, bot:
            anna = await control.user(ANNA, "Anna")
            await anna.say("/start")
            (update,) = await bot.get_updates()
            assert update.message is not None
            await update.message.reply_text("Witaj")
            assert (await anna.next_message()).text == "Witaj"
    finally:
        server.terminate()
        await server.wait()
