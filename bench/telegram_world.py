"""The local Bot API inside the benchmark process, and people who use it.

The load is played by calling the server's own user actions (localapi/users.py) rather than
through its control API over HTTP: the driver must cost next to nothing beside the server, or
it, not the bot, would be measured. What the bot sends is read from the server's event log by one
task and handed to whoever waits for that chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telegram import User

from bench.generate import TelegramUser
from localapi import Core, Limits, LocalBotApi, Options
from localapi import users as actions

EVENT_WAIT_SECONDS = 60.0
SENT_KINDS = frozenset({"message"})


@dataclass(frozen=True)
class Sent:
    """A message the bot sent, and when this process saw it (perf_counter seconds)."""

    chat_id: int
    message_id: int
    text: str
    buttons: tuple[str, ...]  # callback data of its inline buttons
    seen: float


class TelegramWorld:
    """A running local Bot API with people on it; `next_message(chat)` waits for the bot."""

    def __init__(self, limits: Limits) -> None:
        self.api = LocalBotApi(Core(Options(limits=limits)))
        self._inbox: dict[int, asyncio.Queue[Sent]] = defaultdict(asyncio.Queue)
        self._watchers: list[asyncio.Queue[Sent]] = []
        self._reader: asyncio.Task[None] | None = None

    @property
    def core(self) -> Core:
        return self.api.core

    async def __aenter__(self) -> TelegramWorld:
        await self.api.start()
        self._reader = asyncio.create_task(self._read_events())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self.api.stop()

    def add_people(self, people: Iterable[TelegramUser]) -> None:
        """People who have started the bot (the bot may write to them)."""
        for person in people:
            user = User(
                person.user_id, person.first_name, is_bot=False, language_code=person.language
            )
            self.core.world.ensure_user(user).started = True

    def say(self, user_id: int, text: str) -> None:
        actions.send_text(self.core, user_id, text)

    def press(self, message: Sent, data: str) -> None:
        actions.press_button(self.core, message.chat_id, message.message_id, data)

    async def next_message(self, chat_id: int) -> Sent:
        return await asyncio.wait_for(self._inbox[chat_id].get(), EVENT_WAIT_SECONDS)

    def watch(self) -> asyncio.Queue[Sent]:
        """Every message the bot sends from now on, in order (besides the per-chat inboxes)."""
        queue: asyncio.Queue[Sent] = asyncio.Queue()
        self._watchers.append(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[Sent]) -> None:
        self._watchers.remove(queue)

    def counters(self) -> dict[str, Any]:
        return self.core.counters_view()

    async def _read_events(self) -> None:
        events, cursor = self.core.world.events, 0
        while True:
            event = await events.wait(cursor, None, set(SENT_KINDS), EVENT_WAIT_SECONDS)
            if event is None:
                continue
            cursor = event["seq"]
            sent = _sent(event, time.perf_counter())
            self._inbox[sent.chat_id].put_nowait(sent)
            for queue in self._watchers:
                queue.put_nowait(sent)


def _sent(event: dict[str, Any], seen: float) -> Sent:
    message = event["message"]["message"]
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = tuple(str(b["callback_data"]) for row in rows for b in row if "callback_data" in b)
    text = message.get("text") or message.get("caption") or ""
    return Sent(event["chat_id"], message["message_id"], text, buttons, seen)
