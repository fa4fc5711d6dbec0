"""What the operator types in the sandbox's terminal, parsed into commands (pure, no I/O).

The sandbox's own commands: /as, /time, /inbox, /people, /file, /help, /quit; `#N` presses
button N; `> text` replies to the last message. Anything else goes to the bot as the person
played, commands included (`//help` sends the bot `/help`, which /help would otherwise take).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_HOUR = dt.time(9, 0)  # a bare date means its working morning
UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
SHIFT = re.compile(r"^\+((?:\d+[wdhm])+)$")
SHIFT_PART = re.compile(r"(\d+)([wdhm])")
MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}))?$")
BUTTON = re.compile(r"^#(\d+)$")
MAX_SHIFT = dt.timedelta(days=3660)


@dataclass(frozen=True)
class PlayAs:
    email: str


@dataclass(frozen=True)
class Say:
    """Text (or a bot command) sent to the bot as the person played."""

    text: str


@dataclass(frozen=True)
class Reply:
    """Text sent as a Telegram reply to the last message the person received."""

    text: str


@dataclass(frozen=True)
class Press:
    number: int


@dataclass(frozen=True)
class SendFile:
    path: str
    caption: str | None


@dataclass(frozen=True)
class ShowTime:
    pass


@dataclass(frozen=True)
class Shift:
    delta: dt.timedelta


@dataclass(frozen=True)
class SetTime:
    """A local day and wall-clock time."""

    day: dt.date
    time: dt.time


@dataclass(frozen=True)
class Inbox:
    number: int | None


@dataclass(frozen=True)
class People:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Refused:
    """A line the terminal cannot take: the macro of sandbox/terminal.txt.j2 that says why."""

    macro: str
    values: dict[str, Any] = field(default_factory=dict)


Command = (
    PlayAs
    | Say
    | Reply
    | Press
    | SendFile
    | ShowTime
    | Shift
    | SetTime
    | Inbox
    | People
    | Help
    | Quit
    | Refused
)


def parse(line: str) -> Command | None:
    """The command a line asks for; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("//"):
        return Say(text[1:])
    if button := BUTTON.match(text):
        return Press(int(button[1])) if int(button[1]) > 0 else Refused("usage_press")
    if text.startswith(">"):
        reply = text[1:].strip()
        return Reply(reply) if reply else Refused("usage_reply")
    name, _, rest = text.partition(" ")
    rest = rest.strip()
    match name.lower():
        case "/as":
            return PlayAs(rest) if rest and " " not in rest else Refused("usage_as")
        case "/time":
            return parse_time(rest)
        case "/inbox":
            return _inbox(rest)
        case "/file":
            path, _, caption = rest.partition(" ")
            return SendFile(path, caption.strip() or None) if path else Refused("usage_file")
        case "/people":
            return People()
        case "/help":
            return Help()
        case "/quit" | "/exit":
            return Quit()
    return Say(text)


def parse_time(value: str) -> Command:
    """`+7d`, `+3h`, `+1w2d`, `+30m`; `2027-03-01` (09:00 local) or `2027-03-01T14:30`."""
    if not value:
        return ShowTime()
    refused = Refused("bad_time", {"value": value})
    if shift := SHIFT.match(value):
        amounts: dict[str, int] = {}
        for number, unit in SHIFT_PART.findall(shift[1]):
            amounts[UNITS[unit]] = amounts.get(UNITS[unit], 0) + int(number)
        try:
            delta = dt.timedelta(**amounts)
        except OverflowError:
            return refused
        return Shift(delta) if dt.timedelta(0) < delta <= MAX_SHIFT else refused
    if moment := MOMENT.match(value):
        try:
            day = dt.date.fromisoformat(moment[1])
            time = dt.time.fromisoformat(moment[2].zfill(5)) if moment[2] else DEFAULT_HOUR
        except ValueError:
            return refused
        return SetTime(day, time)
    return refused


def _inbox(rest: str) -> Command:
    if not rest:
        return Inbox(None)
    return Inbox(int(rest)) if rest.isdigit() and int(rest) > 0 else Refused("usage_inbox")


def target_time(command: Shift | SetTime, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Where the clock goes, in UTC: now plus the shift, or the local moment."""
    if isinstance(command, Shift):
        return now + command.delta
    return dt.datetime.combine(command.day, command.time, tzinfo=zone).astimezone(dt.UTC)
