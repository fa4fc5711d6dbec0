"""The sandbox's terminal: the operator plays people; the bot's messages appear as they come.

prompt_toolkit reads lines (`prompt_async` under `patch_stdout`, so messages printed meanwhile
appear above the prompt); `commands.parse` turns a line into a command and `Terminal.handle`
carries it out through the local Telegram's control API, as that person's phone would.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.patch_stdout import patch_stdout

from core.clock import OffsetClock
from core.settings import Settings
from localapi import ChatMessage, ControlError, Limits
from localapi.client import Event
from sandbox.commands import (
    Command,
    Help,
    Inbox,
    People,
    PlayAs,
    Press,
    Quit,
    Refused,
    Reply,
    Say,
    SendFile,
    SetTime,
    Shift,
    ShowTime,
    parse,
    target_time,
)
from sandbox.people import JoinFailed, Playable, join, person_by_chat, playable_people
from sandbox.runtime import LOG_FILE, MAIL_DIRECTORY, Sandbox, load_clock, save_clock

TERMINAL = "sandbox/terminal.txt.j2"
FOLLOW_SECONDS = 25.0
SHOWN_EVENTS = ("message", "callback_answer")


class Terminal:
    """One operator's session: whom they play, and what each command does."""

    def __init__(self, sandbox: Sandbox, clock: OffsetClock, out: Callable[[str], None]) -> None:
        self.sandbox = sandbox
        self.running = sandbox.running
        self.clock = clock
        self.out = out
        self.templates = self.running.services.templates
        self.language = self.running.services.settings.operator_language
        self.playing: Playable | None = None
        self._names: dict[int, str] = {}

    def line(self, macro: str, /, **values: Any) -> None:
        self.out(self.templates.macro(self.language, TERMINAL, macro, **values))

    def page(self, name: str, /, **context: Any) -> None:
        self.out(self.templates.render(self.language, f"sandbox/{name}", **context))

    def prompt(self) -> str:
        name = self.playing.full_name if self.playing else None
        return self.templates.macro(self.language, TERMINAL, "prompt", name=name) + " "

    async def handle(self, command: Command) -> bool:
        """Carry out one command; False when the operator quits."""
        try:
            return await self._dispatch(command)
        except ControlError as error:
            self.line("telegram_refused", description=error.description)
        except JoinFailed:
            assert isinstance(command, PlayAs)
            self.line("join_failed", name=command.email)
        return True

    async def _dispatch(self, command: Command) -> bool:
        match command:
            case Quit():
                return False
            case Help():
                self.page("help.txt.j2")
            case People():
                async with self.running.services.sessionmaker() as session:
                    people = await playable_people(session)
                self.page("people.txt.j2", people=people, playing=self._email())
            case Inbox(number=None):
                self.page("inbox.txt.j2", mails=self.running.mailbox.mails())
            case Inbox(number=int(number)):
                self._mail(number)
            case ShowTime():
                self.line("time_now", now=self.clock.now())
            case Shift() | SetTime():
                await self._move_time(command)
            case PlayAs(email=email):
                await self._play(email)
            case Refused(macro=macro, values=values):
                self.line(macro, **values)
            case _:
                await self._act(command)
        return True

    def _email(self) -> str | None:
        return self.playing.email if self.playing else None

    def _mail(self, number: int) -> None:
        mail = self.running.mailbox.mail(number)
        if mail is None:
            self.line("no_such_mail", number=number, count=len(self.running.mailbox.mails()))
        else:
            self.page("mail.txt.j2", mail=mail)

    async def _move_time(self, command: Shift | SetTime) -> None:
        now = self.clock.now()
        target = target_time(command, now, self.running.services.settings.zone)
        if target <= now:
            self.line("time_backwards", now=now)
            return
        self.clock.set(target)
        save_clock(self.sandbox.directory, self.clock)
        done = await self.sandbox.tick()
        self.line(
            "time_moved",
            now=self.clock.now(),
            enqueued=done.enqueued,
            waiting=done.waiting,
            next_at=done.next_at,
        )

    async def _play(self, email: str) -> None:
        person = await self._person(email)
        if person is None:
            self.line("unknown_person", email=email)
            return
        if not person.active:
            self.line("joining", name=person.full_name)
            running = self.running
            await join(running.services, running.control, running.mailbox, person)
            person = await self._person(email)
            assert person is not None
        self.playing = person
        self.line("playing", name=person.full_name, role_name=person.role.value, jsts=person.jsts)

    async def _person(self, email: str) -> Playable | None:
        async with self.running.services.sessionmaker() as session:
            found = await playable_people(session, email)
        return found[0] if found else None

    async def _act(self, command: Command) -> None:
        """What the person played does in their chat: write, reply, press, send a file."""
        if self.playing is None:
            self.line("nobody_played")
            return
        control, user_id, name = self.running.control, self.playing.user_id, self.playing.full_name
        match command:
            case Say(text=text):
                await control.say(user_id, text)
            case Reply(text=text):
                received = await control.received(user_id)
                if not received:
                    self.line("nothing_to_reply", name=name)
                    return
                await control.say(user_id, text, reply_to=received[-1].message_id)
            case Press(number=number):
                await self._press(user_id, name, number)
            case SendFile(path=path, caption=caption):
                await self._send_file(user_id, path, caption)

    async def _press(self, user_id: int, name: str, number: int) -> None:
        control = self.running.control
        with_buttons = [m for m in await control.received(user_id) if m.buttons]
        if not with_buttons:
            self.line("no_buttons", name=name)
            return
        message = with_buttons[-1]
        if number > len(message.buttons):
            self.line("no_such_button", number=number, count=len(message.buttons))
            return
        label, data = message.buttons[number - 1]
        if data is None:  # a reply-keyboard button sends its label
            await control.say(user_id, label)
        else:
            await control.press(user_id, message.message_id, data, chat_id=user_id)

    async def _send_file(self, user_id: int, path: str, caption: str | None) -> None:
        try:
            content = await asyncio.to_thread(_read, path)
        except OSError:
            self.line("file_missing", path=path)
            return
        name = Path(path).name
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        await self.running.control.send_file(
            user_id, "document", content, file_name=name, mime_type=mime, caption=caption
        )

    async def follow(self) -> None:
        """Print everything the bot sends, to anyone, as it arrives."""
        seq = 0
        while True:
            events = await self.running.control.events_since(seq, SHOWN_EVENTS, FOLLOW_SECONDS)
            for event in events:
                seq = event.seq
                await self._show(event)

    async def _show(self, event: Event) -> None:
        name = await self._name(event.chat_id)
        if event.message is not None:
            self._show_message(name, event.message)
        elif event.data.get("text"):
            self.line("alert", name=name, text=event.data["text"])

    def _show_message(self, name: str, message: ChatMessage) -> None:
        labels = [label for label, _ in message.buttons]
        self.line(
            "message",
            name=name,
            at=message.message.date,
            text=message.text,
            buttons=labels,
            silent=message.silent,
        )

    async def _name(self, chat_id: int) -> str:
        if chat_id not in self._names:
            async with self.running.services.sessionmaker() as session:
                name = await person_by_chat(session, chat_id)
            if name is None:
                return str(chat_id)
            self._names[chat_id] = name
        return self._names[chat_id]

    async def run(self) -> None:
        """Read and carry out lines until /quit, end of input, or the bot stopping."""
        session: PromptSession[str] = PromptSession()
        with patch_stdout():
            follower = asyncio.create_task(self.follow(), name="sandbox-follow")
            try:
                while (line := await self._read(session)) is not None:
                    command = parse(line)
                    if command is not None and not await self.handle(command):
                        break
            finally:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower

    async def _read(self, session: PromptSession[str]) -> str | None:
        """The next line, or None on Ctrl-D / Ctrl-C or when the bot has stopped."""
        reading = asyncio.ensure_future(session.prompt_async(self.prompt(), handle_sigint=False))
        bot = self.running.bot
        await asyncio.wait({reading, bot}, return_when=asyncio.FIRST_COMPLETED)
        if not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            self.line("bot_stopped", log=str(self.sandbox.directory / LOG_FILE))
            return None
        try:
            return reading.result()
        except (EOFError, KeyboardInterrupt):
            return None


def _read(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


async def play(settings: Settings, directory: Path, *, database: str, own_database: bool) -> None:
    """The interactive sandbox: Telegram's limits on, the clock where the operator left it."""
    clock = load_clock(directory)
    async with Sandbox(
        settings, directory, clock, limits=Limits(), own_database=own_database
    ) as sandbox:
        terminal = Terminal(sandbox, clock, print)
        async with sandbox.running.services.sessionmaker() as session:
            people = len(await playable_people(session))
        terminal.line(
            "banner",
            database=database,
            mail=str(directory / MAIL_DIRECTORY),
            now=clock.now(),
            cohort=sandbox.plan.cohort.name if sandbox.running.created_demo else None,
            people=people,
            web=sandbox.running.services.settings.web_base,
        )
        await terminal.run()
        terminal.line("goodbye", directory=str(directory))
