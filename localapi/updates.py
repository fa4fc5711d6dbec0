"""The update queue: getUpdates with Telegram's offset and long-poll rules, or webhook pushes.

An update stays queued until confirmed: by a later getUpdates whose offset is above its id,
or by a 2xx answer from the webhook. Webhook pushes go as Telegram's Bot API server sends them
(tdlib/telegram-bot-api, WebhookActor): a queue per chat, the next update of a chat only after
the previous one was answered 2xx (a failed push is retried with exponential backoff, and holds
its chat's later updates back), updates of different chats at once over up to
`max_connections` connections. So a receiver never sees a chat's updates out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import TelegramObject, WebhookInfo

from localapi.errors import JSONDict, conflict

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: dt.datetime | None = None
    last_error_message: str | None = None


@dataclass
class WebhookTiming:
    """Backoff between failed pushes and the time a receiver gets to answer (seconds)."""

    first_retry: float = 0.1
    max_retry: float = 5.0
    answer_timeout: float = 10.0


class UpdateQueue:
    """Pending updates, one long poll at a time, and the webhook pusher."""

    def __init__(self, now: Callable[[], dt.datetime], timing: WebhookTiming) -> None:
        self._now = now
        self._timing = timing
        self._pending: list[tuple[int, JSONDict]] = []
        self._next_id = 1
        self._changed = asyncio.Event()
        self._poll = 0
        self.allowed: list[str] = []
        self.confirmed = 0
        self.polls_waiting = 0
        self.webhook: Webhook | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def push(self, kind: str, payload: TelegramObject) -> int | None:
        """Queues an update unless allowed_updates excludes its type; returns its id."""
        wanted = kind in self.allowed if self.allowed else kind not in OPT_IN_TYPES
        if not wanted:
            return None
        update_id = self._next_id
        self._next_id += 1
        self._pending.append((update_id, {"update_id": update_id, kind: payload.to_dict()}))
        self._wake()
        return update_id

    async def get_updates(
        self, offset: int, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[JSONDict]:
        """Confirms updates below `offset`, then returns pending ones, waiting if none."""
        if self.webhook is not None:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        if allowed is not None:
            self.allowed = allowed
        self._confirm(offset)
        self._poll += 1
        mine = self._poll
        self._wake()
        self.polls_waiting += 1
        try:
            return await self._wait_for_updates(mine, max(1, min(limit, 100)), poll_seconds)
        finally:
            self.polls_waiting -= 1

    async def _wait_for_updates(
        self, mine: int, limit: int, poll_seconds: float
    ) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll_seconds
        while True:
            if self._poll != mine:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            if self._pending:
                return [update for _, update in self._pending[:limit]]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return []

    def is_drained(self) -> bool:
        return not self._pending

    def is_polled(self) -> bool:
        return self.polls_waiting > 0

    async def wait_until(self, condition: Callable[[], bool], seconds: float) -> bool:
        """Waits until the queue's state satisfies `condition`; False if not within `seconds`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    def _confirm(self, offset: int) -> None:
        before = len(self._pending)
        if offset < 0:
            del self._pending[:offset]
        elif offset > 0:
            self._pending = [entry for entry in self._pending if entry[0] >= offset]
        self.confirmed += before - len(self._pending)

    def drop_pending(self) -> None:
        self._pending.clear()
        self._wake()

    async def reset(self) -> None:
        await self.delete_webhook()
        self._pending.clear()
        self.allowed = []
        self.confirmed = 0

    async def set_webhook(self, webhook: Webhook, allowed: list[str] | None) -> None:
        """A new webhook, or the same one again: then, as Telegram ("Webhook is already set"),
        the pushes go on undisturbed (an update on its way is not sent a second time)."""
        if self._same(webhook) and (allowed is None or allowed == self.allowed):
            return
        await self.delete_webhook()
        if allowed is not None:
            self.allowed = allowed
        self.webhook = webhook
        self._poll += 1
        self._wake()
        self._pusher = asyncio.create_task(self._push_forever(webhook))

    def _same(self, webhook: Webhook) -> bool:
        hook = self.webhook
        return hook is not None and (hook.url, hook.secret_token, hook.max_connections) == (
            webhook.url,
            webhook.secret_token,
            webhook.max_connections,
        )

    async def delete_webhook(self) -> None:
        self.webhook = None
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None

    def webhook_info(self) -> WebhookInfo:
        hook = self.webhook
        if hook is None:
            return WebhookInfo("", False, self.pending)
        return WebhookInfo(
            hook.url,
            False,
            self.pending,
            last_error_date=hook.last_error_date,
            last_error_message=hook.last_error_message,
            max_connections=hook.max_connections,
            allowed_updates=self.allowed,
        )

    async def close(self) -> None:
        await self.delete_webhook()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _push_forever(self, hook: Webhook) -> None:
        """Start a push for the oldest update whose chat has none on its way, while a
        connection is free."""
        connections = asyncio.Semaphore(hook.max_connections)
        busy: set[tuple[str, int]] = set()  # chats with an update on its way
        pushes: set[asyncio.Task[None]] = set()
        try:
            while True:
                await connections.acquire()
                found = next(
                    (entry for entry in self._pending if _chat_of(entry[1]) not in busy), None
                )
                if found is None:
                    connections.release()
                    await self._changed.wait()
                    continue
                chat = _chat_of(found[1])
                busy.add(chat)
                push = asyncio.create_task(self._push(hook, *found))
                pushes.add(push)
                push.add_done_callback(
                    functools.partial(self._pushed, pushes, busy, chat, connections)
                )
        finally:
            for push in pushes:
                push.cancel()

    def _pushed(
        self,
        pushes: set[asyncio.Task[None]],
        busy: set[tuple[str, int]],
        chat: tuple[str, int],
        connections: asyncio.Semaphore,
        push: asyncio.Task[None],
    ) -> None:
        pushes.discard(push)
        busy.discard(chat)
        connections.release()
        self._wake()

    async def _push(self, hook: Webhook, update_id: int, update: JSONDict) -> None:
        """One update until a 2xx answer; then it is confirmed."""
        delay = self._timing.first_retry
        while (failure := await self._post(hook, update)) is not None:
            hook.last_error_date = self._now().replace(microsecond=0)
            hook.last_error_message = failure
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._timing.max_retry)
        before = len(self._pending)
        self._pending = [entry for entry in self._pending if entry[0] != update_id]
        self.confirmed += before - len(self._pending)

    async def _post(self, hook: Webhook, update: JSONDict) -> str | None:
        """POSTs one update; None on a 2xx answer, otherwise Telegram's wording of the failure."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers: dict[str, Any] = {}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        timeout = aiohttp.ClientTimeout(total=self._timing.answer_timeout)
        try:
            async with self._session.post(
                hook.url, json=update, headers=headers, timeout=timeout
            ) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as error:
            return f"Connection failed: {type(error).__name__}"


def _chat_of(update: JSONDict) -> tuple[str, int]:
    """The queue an update waits in: its chat's (the sender's, for a button in no chat); an
    update of no chat has a queue of its own."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat is not None:
                return ("chat", int(chat["id"]))
            if "from" in value:
                return ("chat", int(value["from"]["id"]))
    return ("update", int(update["update_id"]))
