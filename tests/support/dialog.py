"""Tests that read like conversations (zulip_bots' `verify_dialog`), with the real bot over the
local Bot API: each step is who acts, what they do, and what the bot then tells them.

    await dialog(
        (anna, "/status", "Etap"),              # Anna sends /status; her next message has "Etap"
        (anna, press("Wyślij"), "zapisane"),    # a button of the newest message she got
        (jan, receives, ("Pytanie nr", "Anna")),  # Jan does nothing; his next message has both
        (jan, reply("Tak."), "Anna"),           # a reply to the last message Jan got
        (anna, press("OK", on=old), alert("nieaktualny")),  # the answer to that press
        (anna, forge("lang:de"), answered("nieaktualny")),  # data no button of hers has
    )

"The next message" is the next one this test has not read yet in that person's chat, however
long ago it came. `dialog` returns the messages its steps read, in order (a step that expects
the answer to a press reads none), for what a test checks beyond the text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from localapi import ChatMessage, ControlClient, NothingReceived, Person
from tests.support.sandbox_chat import newest_event

WAIT = 10.0  # seconds a step waits for the bot: a guard against hangs, not a measure


class Speaker(Person):
    """A user of the local Telegram, with a name for the transcript and the bot's messages
    they have read (what `press` and `reply` act on by default)."""

    def __init__(self, client: ControlClient, user_id: int, name: str) -> None:
        super().__init__(client, user_id)
        self.name = name
        self.read: list[ChatMessage] = []

    async def next_message(self, within: float = WAIT) -> ChatMessage:
        message = await super().next_message(within)
        self.read.append(message)
        return message

    def newest_with(self, label: str) -> ChatMessage:
        for message in reversed(self.read):
            if any(text == label for text, _ in message.buttons):
                return message
        raise AssertionError(f"{self.name} got no message with a button {label!r}")


@dataclass(frozen=True)
class Press:
    label: str
    on: ChatMessage | None = None


@dataclass(frozen=True)
class Forge:
    data: str
    on: ChatMessage | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    to: ChatMessage | None = None


@dataclass(frozen=True)
class Upload:
    kind: str  # document | photo | sticker | voice
    content: bytes
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edit:
    message: ChatMessage
    text: str


@dataclass(frozen=True)
class Receive:
    """No action: the person only reads what the bot sent them."""


@dataclass(frozen=True)
class Answer:
    """What the bot answers to a press: one of `texts` in it (shown as an alert if `alert`), or
    nothing shown at all when `texts` is empty."""

    texts: tuple[str, ...]
    alert: bool = False


def press(label: str, on: ChatMessage | None = None) -> Press:
    """Press the button with this label: on `on`, else on the newest message the person read
    that has it."""
    return Press(label, on)


def forge(data: str, on: ChatMessage | None = None) -> Forge:
    """A press with callback data of the test's making, on `on`, else on the last message
    the person read (as a modified client could send it)."""
    return Forge(data, on)


def reply(text: str, to: ChatMessage | None = None) -> Reply:
    """A reply to `to`, else to the last message the person read."""
    return Reply(text, to)


def upload(kind: str, content: bytes, **details: Any) -> Upload:
    """A file: caption, file_name, mime_type, emoji, duration (localapi's send_file)."""
    return Upload(kind, content, details)


def edit(message: ChatMessage, text: str) -> Edit:
    """The person edits a message of their own."""
    return Edit(message, text)


def alert(text: str) -> Answer:
    return Answer((text,), alert=True)


def answered(*texts: str) -> Answer:
    """An answer to a press that says one of these (as an alert or not)."""
    return Answer(texts)


receives = Receive()
quietly = Answer(())  # the press is answered without a word

Action = str | Press | Forge | Reply | Upload | Edit | Receive
# The next message has this text, or all of these; None: a message, whatever it says.
Expect = str | tuple[str, ...] | Answer | None
Step = tuple[Speaker, Action, Expect]


async def dialog(*steps: Step, within: float = WAIT) -> list[ChatMessage]:
    """Play the steps in order; each waits for what it expects, up to `within` seconds."""
    read: list[ChatMessage] = []
    for number, (speaker, action, expected) in enumerate(steps, start=1):
        where = f"step {number}: {speaker.name} {_shown(action)}"
        if isinstance(expected, Answer):
            await speaker.client.until_delivered()  # earlier presses are answered by now
            mark = await newest_event(speaker.client)
            chat = await _act(speaker, action)
            found = await _answer_after(speaker.client, chat, mark, within)
            assert found is not None, f"{where}: the press was not answered"
            shown = found.get("text") or ""
            if not expected.texts:
                assert not shown, f"{where}: expected a quiet answer, got {shown!r}"
            else:
                assert any(text in shown for text in expected.texts), (where, expected, found)
                assert found.get("show_alert") or not expected.alert, (where, "no alert", found)
            continue
        await _act(speaker, action)
        try:
            message = await speaker.next_message(within)
        except NothingReceived:
            raise AssertionError(f"{where}: nothing came (expected {expected!r})") from None
        wanted = (expected,) if isinstance(expected, str) else expected or ()
        missing = [text for text in wanted if text not in message.text]
        assert not missing, f"{where}: expected {missing!r} in\n{message.text}"
        read.append(message)
    return read


async def _act(speaker: Speaker, action: Action) -> int:
    """Do it; returns the chat it happened in."""
    match action:
        case str():
            await speaker.say(action)
        case Press(label=label, on=on):
            message = on or speaker.newest_with(label)
            await speaker.press(message, label)
            return message.message.chat.id
        case Forge(data=data, on=on):
            assert on is not None or speaker.read, f"{speaker.name} has nothing to press on"
            message = on or speaker.read[-1]
            chat = message.message.chat.id
            await speaker.client.press(
                speaker.user_id, message.message_id, data, chat_id=chat, forged=True
            )
            return chat
        case Reply(text=text, to=to):
            assert to is not None or speaker.read, f"{speaker.name} has nothing to reply to"
            await speaker.say(text, reply_to=(to or speaker.read[-1]).message_id)
        case Upload(kind=kind, content=content, details=details):
            await speaker.send_file(kind, content, **details)
        case Edit(message=message, text=text):
            await speaker.client.edit(speaker.user_id, message.message_id, text)
        case Receive():
            pass
    return speaker.user_id


async def _answer_after(
    client: ControlClient, chat: int, mark: int, within: float
) -> dict[str, Any] | None:
    """The first answer to a press in this chat after sequence number `mark`."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        for event in await client.events_since(mark, ("callback_answer",), within=0.2):
            if event.chat_id == chat:
                return event.data
            mark = event.seq
    return None


def _shown(action: Action) -> str:
    match action:
        case str():
            return f"says {action[:60]!r}"
        case Press(label=label):
            return f"presses {label!r}"
        case Forge(data=data):
            return f"presses a forged {data!r}"
        case Reply(text=text):
            return f"replies {text[:60]!r}"
        case Upload(kind=kind):
            return f"sends a {kind}"
        case Edit(text=text):
            return f"edits a message to {text[:60]!r}"
        case Receive():
            return "reads"
