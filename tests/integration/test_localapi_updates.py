"""Updates reach the bot as Telegram delivers them: getUpdates with offsets and long polls,
webhook pushes with the secret header, and a whole PTB Application in both modes."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.intake import serve_webhook
from localapi import ControlClient, LocalBotApi, Person
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control
ptb_bot = localapi.ptb_bot

ANNA = 1001
SECRET = "s3cret-token_1"


@pytest.fixture
async def anna(control: ControlClient) -> Person:
    return await control.user(ANNA, "Anna", started=True)


async def test_offset_confirms_updates_for_good(ptb_bot: telegram.Bot, anna: Person) -> None:
    for text in ("one", "two", "three"):
        await anna.say(text)
    first = await ptb_bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await ptb_bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in again if u.message] == ["three"]
    await anna.say("four")
    last = await ptb_bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["four"]
    assert await ptb_bot.get_updates(offset=last[0].update_id + 1) == ()
    assert await ptb_bot.get_updates() == ()


async def test_a_waiting_long_poll_wakes_when_an_update_arrives(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    poll = asyncio.create_task(ptb_bot.get_updates(timeout=60))
    await control.until_polling()
    await anna.say("hello")
    updates = await asyncio.wait_for(poll, 30)
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert (
        await ptb_bot.get_updates(
            offset=updates[0].update_id + 1, timeout=dt.timedelta(milliseconds=50)
        )
        == ()
    )


async def test_a_second_poll_terminates_the_first_with_409(
    ptb_bot: telegram.Bot, local_api: LocalBotApi, control: ControlClient
) -> None:
    older = asyncio.create_task(ptb_bot.get_updates(timeout=60))
    await control.until_polling()
    second_instance = telegram.Bot(local_api.token, base_url=local_api.base_url)
    async with second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older


async def test_allowed_updates_filter_what_is_queued(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    sent = await ptb_bot.send_message(
        ANNA,
        "?",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("b", callback_data="b")]]
        ),
    )
    assert await ptb_bot.get_updates(allowed_updates=["callback_query"]) == ()
    await anna.say("ignored")
    await control.press(ANNA, sent.message_id, "b")
    (update,) = await ptb_bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "b"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[str | None, dict[str, object]]]]]:
    """A webhook receiver that fails its first request, then records (secret, update)."""
    received: list[tuple[str | None, dict[str, object]]] = []
    attempts = []

    async def hook(request: web.Request) -> web.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/hook", received
    await runner.cleanup()


async def test_webhook_pushes_in_order_with_the_secret_and_retries(
    ptb_bot: telegram.Bot,
    control: ControlClient,
    anna: Person,
    receiver: tuple[str, list[tuple[str | None, dict[str, object]]]],
) -> None:
    url, received = receiver
    await anna.say("before the webhook")
    assert await ptb_bot.set_webhook(url, secret_token=SECRET, drop_pending_updates=True)
    with pytest.raises(Conflict, match="webhook is active"):
        await ptb_bot.get_updates()
    for text in ("one", "two", "three"):
        await anna.say(text)
    assert (await control.until_delivered())["updates_confirmed"] == 3
    updates = [telegram.Update.de_json(update, ptb_bot) for _, update in received]
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    assert {secret for secret, _ in received} == {SECRET}
    info = await ptb_bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (url, 0)
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert await ptb_bot.delete_webhook()
    assert (await ptb_bot.get_webhook_info()).url == ""


async def test_webhook_pushes_a_chat_in_order_and_chats_at_once(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    """As Telegram's Bot API server: Anna's second update waits for the answer to her first;
    Bob's goes meanwhile, over another connection."""
    bob = await control.user(ANNA + 1, "Bob", started=True)
    texts: list[str] = []
    bob_seen = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        text = (await request.json())["message"]["text"]
        texts.append(text)
        if text == "anna 1":
            await bob_seen.wait()  # answered only once Bob's update came in
        if text == "bob":
            bob_seen.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port := free_port()).start()
    try:
        await anna.say("anna 1")
        await anna.say("anna 2")
        await bob.say("bob")
        assert await ptb_bot.set_webhook(f"http://127.0.0.1:{port}/hook")
        assert (await control.until_delivered())["updates_confirmed"] == 3
    finally:
        await runner.cleanup()
    assert texts == ["anna 1", "bob", "anna 2"]


async def echo(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(f"<b>echo</b>: {update.effective_message.text}")


async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("welcome")


def application(api: LocalBotApi) -> Application:  # type: ignore[type-arg]
    built = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .rate_limiter(AIORateLimiter())
        .build()
    )
    built.add_handler(CommandHandler("start", start))
    built.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return built


async def converse(control: ControlClient, person: Person) -> None:
    await person.say("/start")
    assert (await person.next_message()).text == "welcome"
    await person.say("Dzień dobry")
    reply = await person.next_message()
    assert (reply.text, reply.raw_text) == ("echo: Dzień dobry", "<b>echo</b>: Dzień dobry")


async def test_a_ptb_application_polls_and_replies(
    local_api: LocalBotApi, control: ControlClient, anna: Person
) -> None:
    app = application(local_api)
    async with app:
        await app.updater.start_polling(timeout=30)  # type: ignore[union-attr]
        await app.start()
        await converse(control, anna)
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
    counters = await control.counters()
    assert (counters["updates_pending"], counters["updates_confirmed"]) == (0, 2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_ptb_application_receives_webhook_pushes(
    local_api: LocalBotApi, control: ControlClient, anna: Person
) -> None:
    """Through the bot's own webhook endpoint (bot/intake.py, aiohttp): PTB's needs tornado,
    which the bot does not install."""
    app = application(local_api)
    port, stop = free_port(), asyncio.Event()
    async with app:
        await app.start()
        endpoint = asyncio.create_task(
            serve_webhook(
                app,
                stop,
                webhook_url=f"http://127.0.0.1:{port}/telegram",
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                secret=SECRET,
            )
        )
        await converse(control, anna)
        stop.set()
        await endpoint
        await app.stop()
    assert local_api.core.updates.webhook is not None
