"""Taking updates in: an update is confirmed to Telegram only after it has been handled.

PTB's Updater confirms a batch (the next getUpdates offset) while earlier updates still wait in
its queue, so a crash can lose them. Here the offset moves past an update only once
`process_update` has returned; after a crash Telegram sends the unconfirmed ones again, and the
handlers are idempotent (dedupe keys derived from the update id). The webhook answers 200 only
after handling, so Telegram retries what a crash interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from core import metrics
from handlers.context import BotApplication
from outbox.policy import retry_after_delay
from storage.chat_turns import ChatTurns

if TYPE_CHECKING:  # aiohttp serves the webhook only: polling does not load it
    from aiohttp import web

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_TIMEOUT_SECONDS = 25
ERROR_PAUSE_SECONDS = 5.0
CANCEL_AGAIN_SECONDS = 0.1
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Stopped(Exception):
    """The stop event was set while waiting."""


async def until_stopped(awaitable: Awaitable[T], stop: asyncio.Event) -> T:
    """Await `awaitable` unless `stop` is set first (then it is cancelled)."""
    task = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not task.done():
        await _cancelled(task)
        raise Stopped
    return task.result()


async def _cancelled(task: asyncio.Future[T]) -> None:
    """Cancel `task` until it ends: a cancellation that an inner `asyncio.wait_for` swallowed
    (Python 3.11 does when what it waits for completes at the same moment) is made again, so
    a stop never waits for the task's own time-outs. What it raised meanwhile is logged."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_AGAIN_SECONDS)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("stopped; the work it interrupted ended with %s", type(error).__name__)


async def pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def poll(application: BotApplication, stop: asyncio.Event) -> None:
    """Long polling, in order, confirming each update only after handling it."""
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    while not stop.is_set():
        try:
            updates = await until_stopped(
                bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT_SECONDS,
                    read_timeout=POLL_TIMEOUT_SECONDS + 10,
                    allowed_updates=Update.ALL_TYPES,
                ),
                stop,
            )
        except Stopped:
            break
        except RetryAfter as error:
            await pause(retry_after_delay(error).total_seconds(), stop)
            continue
        except (InvalidToken, Conflict):
            raise
        except NetworkError as error:
            log.warning("getUpdates failed (%s); retrying", type(error).__name__)
            await pause(ERROR_PAUSE_SECONDS, stop)
            continue
        for update in updates:
            await metrics.handled(application.process_update(update), update)
            offset = update.update_id + 1
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.get_updates(offset=offset, timeout=0)  # confirm what was handled


async def serve_webhook(
    application: BotApplication,
    stop: asyncio.Event,
    *,
    webhook_url: str,
    listen: str,
    port: int,
    url_path: str,
    secret: str,
    turns: ChatTurns | None = None,
) -> None:
    """A webhook endpoint that checks Telegram's secret header on every request; with `turns`
    (several instances on PostgreSQL) an update waits for its chat's turn."""
    from aiohttp import web  # noqa: PLC0415 - see the TYPE_CHECKING import

    lock = asyncio.Lock()
    turns = turns or ChatTurns(None)

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        async with lock, turns.of(_chat_of(update)):  # in order here, a chat's turn across
            await metrics.handled(application.process_update(update), update)  # instances
        return web.Response()

    server = web.Application()
    server.router.add_post(f"/{url_path}", receive)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    try:
        await application.bot.set_webhook(
            webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        await stop.wait()
    finally:
        await runner.cleanup()


def _chat_of(update: Update) -> int | None:
    """The chat an update belongs to (a button pressed in no chat: its sender's)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None if update.effective_user is None else update.effective_user.id
