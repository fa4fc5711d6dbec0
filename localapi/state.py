"""Everything the local Bot API remembers: users, chats, their messages, and a log of events.

The event log is what the control API waits on: every message the bot sends, every edit, every
answered callback query and chat action becomes an event with an increasing sequence number.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from telegram import Chat, Message, User

from localapi.errors import BLOCKED, JSONDict, bad_request, forbidden


@dataclass
class UserRecord:
    """A person; `started` once they wrote to the bot, `blocked` while they block it."""

    user: User
    blocked: bool = False
    started: bool = False


@dataclass
class StoredMessage:
    """One message in a chat: the fields of its current version and what the bot sent.

    `silent`: sent with disable_notification (the recipient's phone makes no sound); Telegram
    shows this only on the recipient's device, not in the Message object."""

    fields: dict[str, Any]
    from_bot: bool
    raw_text: str | None = None
    parse_mode: str | None = None
    keyboard: JSONDict | None = None
    edits: list[JSONDict] = field(default_factory=list)
    silent: bool = False

    @property
    def message(self) -> Message:
        return Message(**self.fields)

    def view(self) -> JSONDict:
        """What a test reads: the Bot API message plus the raw text, any reply keyboard and
        whether it came without a sound."""
        return {
            "message": self.message.to_dict(),
            "from_bot": self.from_bot,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "keyboard": self.keyboard,
            "edits": list(self.edits),
            "silent": self.silent,
        }


@dataclass
class ChatRecord:
    """A private chat or a group; message ids increase per chat as in Telegram."""

    chat: Chat
    instance: str
    members: set[int] = field(default_factory=set)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_id: int = 0

    @property
    def is_group(self) -> bool:
        return self.chat.type != Chat.PRIVATE

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def stored(self, message_id: int, missing: str) -> StoredMessage:
        found = self.messages.get(message_id)
        if found is None:
            raise bad_request(missing)
        return found


@dataclass
class PendingQuery:
    chat_id: int
    message_id: int
    created: float
    answered: bool = False


class EventLog:
    """Ordered events with waiting: a waiter wakes as soon as a matching event is added.

    Message and edit events carry the message as it was at that moment (`message`: a view).
    """

    def __init__(self) -> None:
        self.events: list[JSONDict] = []
        self._seq = 0
        self._first_seq = 1
        self._changed = asyncio.Event()

    def add(self, kind: str, chat_id: int, **data: Any) -> None:
        self._seq += 1
        self.events.append({"seq": self._seq, "kind": kind, "chat_id": chat_id, **data})
        self._changed.set()
        self._changed = asyncio.Event()

    def find(self, after: int, chat_id: int | None, kinds: set[str]) -> JSONDict | None:
        for index in range(max(0, after + 1 - self._first_seq), len(self.events)):
            event = self.events[index]
            in_chat = chat_id is None or event["chat_id"] == chat_id
            if event["seq"] > after and event["kind"] in kinds and in_chat:
                return event
        return None

    async def wait(
        self, after: int, chat_id: int | None, kinds: set[str], seconds: float
    ) -> JSONDict | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (found := self.find(after, chat_id, kinds)) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return None
        return found

    def clear(self) -> None:
        """Forgets events but keeps numbering, so cursors held by clients stay meaningful."""
        self.events.clear()
        self._first_seq = self._seq + 1


@dataclass
class World:
    """Users, chats, callback queries and commands; bot-side look-ups refuse like Telegram."""

    users: dict[int, UserRecord] = field(default_factory=dict)
    chats: dict[int, ChatRecord] = field(default_factory=dict)
    queries: dict[str, PendingQuery] = field(default_factory=dict)
    commands: dict[str, JSONDict] = field(default_factory=dict)
    events: EventLog = field(default_factory=EventLog)

    def ensure_user(self, user: User) -> UserRecord:
        record = self.users.get(user.id)
        if record is None:
            record = self.users[user.id] = UserRecord(user)
        else:
            record.user = user
        if user.id not in self.chats:
            private = Chat(
                user.id,
                Chat.PRIVATE,
                username=user.username,
                first_name=user.first_name,
                last_name=user.last_name,
            )
            self.chats[user.id] = ChatRecord(private, secrets.token_hex(8), {user.id})
        return record

    def user(self, user_id: int) -> UserRecord:
        record = self.users.get(user_id)
        if record is None:
            raise bad_request("user not found")
        return record

    def add_group(self, chat_id: int, title: str, members: list[int]) -> ChatRecord:
        for member in members:
            self.user(member)
        group = ChatRecord(Chat(chat_id, Chat.GROUP, title=title), secrets.token_hex(8))
        group.members.update(members)
        self.chats[chat_id] = group
        return group

    def chat(self, chat_id: int) -> ChatRecord:
        record = self.chats.get(chat_id)
        if record is None:
            raise bad_request("chat not found")
        return record

    def reachable_chat(self, chat_id: int) -> ChatRecord:
        """A chat the bot may post to: private chats need a started, unblocking user."""
        record = self.chat(chat_id)
        if not record.is_group:
            person = self.users[chat_id]
            if person.blocked:
                raise forbidden(BLOCKED)
            if not person.started:
                raise forbidden("bot can't initiate conversation with a user")
        return record

    def clear(self) -> None:
        self.users.clear()
        self.chats.clear()
        self.queries.clear()
        self.commands.clear()
        self.events.clear()
