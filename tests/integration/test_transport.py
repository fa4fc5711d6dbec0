"""The bot's transport (outbox/transport.py) over real sockets: PTB's real Bot on aiohttp against
the local Bot API, and against servers that fail in the ways a network does.

What matters beyond a working request is what an error says: a request that never left is
sent again as it is; one that may have arrived is marked as a possible repeat (outbox/policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import telegram
from telegram.error import NetworkError, TimedOut

from localapi import ControlClient, LocalBotApi, Person
from outbox.policy import RetryAt, Uncertain, classify, may_have_arrived
from outbox.transport import AiohttpRequest, never_left
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control

ANNA = 1001
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
TOKEN = "123456:SECRET-token-of-the-bot"
Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def transport(connections: int = 2, read: float = 5.0) -> AiohttpRequest:
    return AiohttpRequest(connections=connections, read_timeout=read)


async def bare_bot(base_url: str, request: AiohttpRequest, token: str = TOKEN) -> telegram.Bot:
    """A Bot whose transport is ready, without the getMe of `Bot.initialize` (the servers
    below fail every request)."""
    await request.initialize()
    return telegram.Bot(token, base_url=base_url, request=request)


async def failed_send(
    base_url: str, request: AiohttpRequest, token: str = TOKEN, text: str = "x"
) -> NetworkError:
    """The error of one sendMessage through `request` (closed afterwards)."""
    bot = await bare_bot(base_url, request, token)
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(ANNA, text)
    finally:
        await request.shutdown()
    return caught.value


@contextlib.asynccontextmanager
async def raw_server(serve: Serve) -> AsyncIterator[str]:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 1)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def verdict(error: Exception) -> RetryAt | Uncertain:
    found = classify(error, attempts=1, now=NOW, jitter=0.0)
    assert isinstance(found, RetryAt | Uncertain)
    return found


@pytest.fixture
async def anna(control: ControlClient) -> Person:
    return await control.user(ANNA, "Anna", started=True)


async def test_messages_buttons_and_files_go_through(
    local_api: LocalBotApi, control: ControlClient, anna: Person
) -> None:
    request = transport()
    bot = telegram.Bot(local_api.token, base_url=local_api.base_url, request=request)
    async with bot:
        sent = await bot.send_message(
            ANNA,
            "<b>Zadanie</b> ZW1: termin minął",
            parse_mode="HTML",
            reply_markup=telegram.InlineKeyboardMarkup(
                [[telegram.InlineKeyboardButton("Wyślij", callback_data="q:1:send")]]
            ),
        )
        content = "Sprawozdanie miesięczne — październik\n".encode() * 2000
        document = await bot.send_document(ANNA, content, filename="raport października.txt")
    assert sent.text == "Zadanie ZW1: termin minął"
    assert document.document is not None
    assert document.document.file_name == "raport października.txt"
    assert await control.file_content(document.document.file_id) == content
    received = await control.received(ANNA)
    assert received[0].buttons == [("Wyślij", "q:1:send")]


async def test_a_refused_connection_never_left() -> None:
    error = await failed_send(f"http://127.0.0.1:{free_port()}/bot", transport())
    assert never_left(error) and not may_have_arrived(error)
    assert isinstance(verdict(error), RetryAt)
    assert TOKEN not in str(error) and "SECRET" not in verdict(error).error


async def test_no_free_connection_in_time_never_left() -> None:
    """One connection, held by a request the server never answers: the next one waits for the
    pool, gives up, and was not sent."""
    arrived: list[bytes] = []
    first_in = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived.append(await read_request(reader))
        first_in.set()
        await asyncio.sleep(30)

    async with raw_server(silent) as base:
        request = transport(connections=1)
        bot = await bare_bot(f"{base}/bot", request)
        try:
            held = asyncio.create_task(bot.send_message(ANNA, "first"))
            await asyncio.wait_for(first_in.wait(), 5)
            with pytest.raises(TimedOut) as caught:
                await bot.send_message(ANNA, "second", pool_timeout=0.1, connect_timeout=0.1)
            held.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await held
        finally:
            await request.shutdown()
    assert len(arrived) == 1 and never_left(caught.value)
    assert isinstance(verdict(caught.value), RetryAt)


async def test_no_answer_in_time_may_have_arrived(
    local_api: LocalBotApi, control: ControlClient, anna: Person
) -> None:
    """Telegram took the message and answered too late: it must not be sent as new."""
    await control.fault("slow", seconds=0.5)
    error = await failed_send(
        local_api.base_url, transport(read=0.1), local_api.token, "delivered, answered late"
    )
    assert isinstance(error, TimedOut)
    assert may_have_arrived(error) and not never_left(error)
    assert isinstance(verdict(error), Uncertain)
    assert [m.text for m in await control.received(ANNA)] == ["delivered, answered late"]


async def test_a_connection_cut_after_the_request_may_have_arrived() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()

    async with raw_server(cut) as base:
        error = await failed_send(f"{base}/bot", transport())
    assert may_have_arrived(error)
    assert isinstance(verdict(error), Uncertain)
    assert TOKEN not in str(error)


async def test_the_transport_can_be_started_again_after_shutdown(
    local_api: LocalBotApi,
) -> None:
    """PTB shuts a Bot's requests down and may initialize them again (the bot restarts its
    polling after a lost connection to the database, bot/app.py)."""
    request = transport()
    bot = telegram.Bot(local_api.token, base_url=local_api.base_url, request=request)
    async with bot:
        first = await bot.get_me()
    async with bot:
        assert (await bot.get_me()).id == first.id
