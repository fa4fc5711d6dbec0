"""The local Bot API's state and settings in one object, shared by bot methods and control."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, User

from core.clock import Clock, SystemClock
from localapi.errors import JSONDict
from localapi.faults import Counters, Faults
from localapi.files import FileStore
from localapi.rules import Limits, RateLimiter
from localapi.state import ChatRecord, StoredMessage, World
from localapi.updates import UpdateQueue, WebhookTiming

DEFAULT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # shaped like BotFather's
TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


@dataclass
class Options:
    """What the server pretends to be and how strict it is."""

    token: str = DEFAULT_TOKEN
    username: str = "local_test_bot"
    first_name: str = "Local Test Bot"
    limits: Limits = field(default_factory=Limits)
    webhook: WebhookTiming = field(default_factory=WebhookTiming)
    callback_answer_window: float = 15.0

    def __post_init__(self) -> None:
        if not TOKEN.fullmatch(self.token):
            raise ValueError("token")

    @property
    def bot_id(self) -> int:
        return int(self.token.partition(":")[0])


class Core:
    """Users, chats, files, the update queue, limits, faults and counters."""

    def __init__(
        self,
        options: Options | None = None,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or Options()
        self.clock = clock or SystemClock()
        self.monotonic = monotonic
        self.world = World()
        self.files = FileStore()
        self.updates = UpdateQueue(self.clock.now, self.options.webhook)
        self.limiter = RateLimiter(self.options.limits, monotonic)
        self.faults = Faults()
        self.counters = Counters()
        self._query_count = 0

    @property
    def bot_user(self) -> User:
        return User(
            self.options.bot_id,
            self.options.first_name,
            is_bot=True,
            username=self.options.username,
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )

    def date(self) -> dt.datetime:
        """Now, in whole seconds as Telegram dates are."""
        return self.clock.now().replace(microsecond=0)

    def new_query_id(self) -> str:
        self._query_count += 1
        return f"{self.options.bot_id}{self._query_count:08d}"

    def add_message(
        self, chat: ChatRecord, sender: User, *, from_bot: bool, **fields: Any
    ) -> StoredMessage:
        """Stores a new message in the chat with the next message id and the current date."""
        message_id = chat.next_id()
        full = {
            "message_id": message_id,
            "date": self.date(),
            "chat": chat.chat,
            "from_user": sender,
        }
        full.update({name: value for name, value in fields.items() if value is not None})
        stored = StoredMessage(full, from_bot)
        chat.messages[message_id] = stored
        return stored

    def reply_target(self, chat: ChatRecord, message_id: int | None) -> Message | None:
        """The message replied to, as Telegram embeds it (without its own reply)."""
        if message_id is None:
            return None
        fields = dict(chat.stored(message_id, "message to be replied not found").fields)
        fields.pop("reply_to_message", None)
        return Message(**fields)

    def counters_view(self) -> JSONDict:
        return self.counters.snapshot(
            {
                "rate_limited": self.limiter.refused,
                "rate_limited_by": dict(self.limiter.refused_by),
                "busiest_second": self.limiter.busiest_second,
                "updates_pending": self.updates.pending,
                "updates_confirmed": self.updates.confirmed,
                "polls_waiting": self.updates.polls_waiting,
            }
        )

    async def reset(self) -> None:
        """Forgets everything but the options: a clean Telegram for the next test."""
        await self.updates.reset()
        self.world.clear()
        self.files.clear()
        self.limiter.reset()
        self.faults.clear()
        self.counters.clear()

    async def close(self) -> None:
        await self.updates.close()
