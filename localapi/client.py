"""An async Python client of the control API, for tests, the sandbox and benchmarks.

async with ControlClient(api.url) as telegram:
    anna = await telegram.user(1001, "Anna")
    await anna.say("/start")
    reply = await telegram.next_message(anna.user_id)
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup, Message

from localapi.errors import JSONDict


class ControlError(Exception):
    """The control API refused a request (bad test input), with Telegram-style wording."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(status, description)
        self.status = status
        self.description = description


class NothingReceived(TimeoutError):
    """Waited for the bot to do something in a chat and it did not."""


@dataclass(frozen=True)
class ChatMessage:
    """A message in a chat: the Bot API Message plus what the bot sent before parsing.

    From `next_message`/`next_edit` it is the message as it was then; from `messages` and
    `received`, as it is now (with `edits` holding the earlier versions). `silent`: the bot
    sent it with disable_notification."""

    message: Message
    from_bot: bool
    raw_text: str | None
    parse_mode: str | None
    keyboard: JSONDict | None
    edits: tuple[JSONDict, ...]
    silent: bool

    @classmethod
    def from_view(cls, view: JSONDict) -> ChatMessage:
        return cls(
            Message.de_json(view["message"], None),
            view["from_bot"],
            view["raw_text"],
            view["parse_mode"],
            view["keyboard"],
            tuple(view["edits"]),
            view["silent"],
        )

    @property
    def message_id(self) -> int:
        return self.message.message_id

    @property
    def text(self) -> str:
        """The text (or caption) as a person sees it, after entity parsing."""
        return self.message.text or self.message.caption or ""

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as (text, callback_data), else reply-keyboard buttons as (text, None)."""
        markup = self.message.reply_markup
        if isinstance(markup, InlineKeyboardMarkup):
            return [
                (button.text, _as_text(button.callback_data))
                for row in markup.inline_keyboard
                for button in row
            ]
        rows = (self.keyboard or {}).get("keyboard", [])
        return [(_button_text(button), None) for row in rows for button in row]

    def callback_data(self, button_text: str) -> str:
        for text, data in self.buttons:
            if text == button_text and data is not None:
                return data
        raise KeyError(button_text)


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    chat_id: int
    data: JSONDict
    message: ChatMessage | None


class ControlClient:
    """Plays users and reads chats; `next_*` waits on the server, keeping a cursor per chat."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._cursors: dict[tuple[int, tuple[str, ...]], int] = {}

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def set_limits(self, **limits: Any) -> JSONDict:
        """E.g. `set_limits(enabled=False)` for benchmarks, or smaller windows for tests."""
        result: JSONDict = await self._call("POST", "/limits", limits)
        return result

    async def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "pl",
        started: bool = False,
    ) -> Person:
        body = {"id": user_id, "first_name": first_name, "last_name": last_name}
        body |= {"username": username, "language_code": language_code, "started": started}
        await self._call("POST", "/users", body)
        return Person(self, user_id)

    async def group(self, chat_id: int, title: str, members: list[int]) -> None:
        await self._call("POST", "/groups", {"id": chat_id, "title": title, "members": members})

    async def block(self, user_id: int, blocked: bool = True) -> None:
        await self._call("POST", f"/users/{user_id}/block", {"blocked": blocked})

    async def say(self, user_id: int, text: str, **options: Any) -> ChatMessage:
        """Sends text as the user; options: chat_id, reply_to (message id), entities."""
        view = await self._call("POST", f"/users/{user_id}/messages", {"text": text, **options})
        return ChatMessage.from_view(view)

    async def send_file(
        self, user_id: int, kind: str, content: bytes, **details: Any
    ) -> ChatMessage:
        """kind: document | photo | sticker | voice; details: chat_id, caption, file_name,
        mime_type, emoji, duration, reply_to."""
        body = {"kind": kind, "content": base64.b64encode(content).decode(), **details}
        return ChatMessage.from_view(await self._call("POST", f"/users/{user_id}/files", body))

    async def press(self, user_id: int, message_id: int, data: str, **options: Any) -> str:
        """Presses a button (options: chat_id, forged=True for data not on the message)."""
        body = {"message_id": message_id, "data": data, **options}
        result = await self._call("POST", f"/users/{user_id}/presses", body)
        return str(result["callback_query_id"])

    async def edit(self, user_id: int, message_id: int, text: str, **options: Any) -> ChatMessage:
        body = {"message_id": message_id, "text": text, **options}
        return ChatMessage.from_view(await self._call("POST", f"/users/{user_id}/edits", body))

    async def messages(self, chat_id: int) -> list[ChatMessage]:
        views = await self._call("GET", f"/chats/{chat_id}/messages")
        return [ChatMessage.from_view(view) for view in views]

    async def received(self, chat_id: int) -> list[ChatMessage]:
        """Everything the bot sent to the chat, in order, in its current (edited) form."""
        return [message for message in await self.messages(chat_id) if message.from_bot]

    async def next_event(self, chat_id: int, kinds: tuple[str, ...], within: float = 5.0) -> Event:
        """The next event of these kinds in the chat after the previous one this client saw."""
        key = (chat_id, kinds)
        query = {"chat_id": chat_id, "kinds": ",".join(kinds), "timeout": within}
        query["after"] = self._cursors.get(key, 0)
        event = (await self._call("GET", "/events", params=query))["event"]
        if event is None:
            raise NothingReceived(chat_id, kinds)
        self._cursors[key] = event["seq"]
        return _event(event)

    async def events_since(
        self, after: int, kinds: tuple[str, ...] = ("message",), within: float = 0.0
    ) -> list[Event]:
        """Every event of these kinds in any chat after sequence number `after` (waiting up to
        `within` s for the first); pass the last one's `seq` next time to follow the bot."""
        query = {"after": after, "kinds": ",".join(kinds), "timeout": within}
        found: list[JSONDict] = await self._call("GET", "/events/since", params=query)
        return [_event(event) for event in found]

    async def next_message(self, chat_id: int, within: float = 5.0) -> ChatMessage:
        event = await self.next_event(chat_id, ("message",), within)
        assert event.message is not None
        return event.message

    async def next_edit(self, chat_id: int, within: float = 5.0) -> ChatMessage:
        event = await self.next_event(chat_id, ("edit",), within)
        assert event.message is not None
        return event.message

    async def next_callback_answer(self, chat_id: int, within: float = 5.0) -> JSONDict:
        """The bot's answerCallbackQuery for a press in this chat: text, show_alert, url."""
        return (await self.next_event(chat_id, ("callback_answer",), within)).data

    async def until_delivered(self, within: float = 30.0) -> JSONDict:
        """Waits until the bot has confirmed every queued update; returns the counters."""
        return await self._until("drained", within)

    async def until_polling(self, within: float = 30.0) -> JSONDict:
        """Waits until the bot holds a getUpdates long poll (it has started polling)."""
        return await self._until("polling", within)

    async def _until(self, state: str, within: float) -> JSONDict:
        query = {"until": state, "timeout": within}
        result: JSONDict = await self._call("GET", "/updates/wait", params=query)
        if not result["reached"]:
            raise NothingReceived(state, result)
        return result

    async def log(self, kinds: tuple[str, ...], chat_id: int | None = None) -> list[JSONDict]:
        query: dict[str, Any] = {"kinds": ",".join(kinds)}
        if chat_id is not None:
            query["chat_id"] = chat_id
        events: list[JSONDict] = await self._call("GET", "/log", params=query)
        return events

    async def fault(self, kind: str, **spec: Any) -> JSONDict:
        """Arms a fault (see localapi.faults): count, method, chat_id, retry_after,
        seconds, deliver."""
        fault: JSONDict = await self._call("POST", "/faults", {"kind": kind, **spec})
        return fault

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    async def counters(self) -> JSONDict:
        counters: JSONDict = await self._call("GET", "/counters")
        return counters

    async def commands(self) -> list[JSONDict]:
        """Every command list set by setMyCommands, with its scope and language_code."""
        commands: list[JSONDict] = await self._call("GET", "/commands")
        return commands

    async def file_content(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.url}/control/files/{file_id}") as response:
            if response.status != 200:
                raise ControlError(response.status, await response.text())
            return await response.read()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _call(
        self,
        method: str,
        path: str,
        body: JSONDict | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        query = {name: str(value) for name, value in (params or {}).items()}
        async with self._http().request(
            method, f"{self.url}/control{path}", json=body, params=query
        ) as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise ControlError(answer.get("error_code", response.status), answer["description"])
        return answer["result"]


class Person:
    """One user, for tests that read like conversations: `await anna.say("/start")`."""

    def __init__(self, client: ControlClient, user_id: int) -> None:
        self.client = client
        self.user_id = user_id

    async def say(self, text: str, **options: Any) -> ChatMessage:
        return await self.client.say(self.user_id, text, **options)

    async def send_file(self, kind: str, content: bytes, **details: Any) -> ChatMessage:
        return await self.client.send_file(self.user_id, kind, content, **details)

    async def press(self, message: ChatMessage, button_text: str) -> str:
        data = message.callback_data(button_text)
        chat_id = message.message.chat.id
        return await self.client.press(self.user_id, message.message_id, data, chat_id=chat_id)

    async def block(self, blocked: bool = True) -> None:
        await self.client.block(self.user_id, blocked)

    async def next_message(self, within: float = 5.0) -> ChatMessage:
        """The bot's next message in this person's private chat."""
        return await self.client.next_message(self.user_id, within)


def _event(event: JSONDict) -> Event:
    view = event.get("message")
    message = ChatMessage.from_view(view) if view else None
    return Event(event["seq"], event["kind"], event["chat_id"], event, message)


def _as_text(data: object) -> str | None:
    return None if data is None else str(data)


def _button_text(button: object) -> str:
    return str(button["text"]) if isinstance(button, dict) else str(button)
