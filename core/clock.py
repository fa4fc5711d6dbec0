"""The one clock: always timezone-aware UTC. Tests and `--now` use a FixedClock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that shows what it is told, moved forward explicitly."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta

    def set(self, at: dt.datetime) -> None:
        self._at = at.astimezone(dt.UTC)


class OffsetClock:
    """The wall clock moved by an offset: the sandbox's time, which its operator moves forward."""

    def __init__(self, offset: dt.timedelta = dt.timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def shift(self, delta: dt.timedelta) -> None:
        self.offset += delta

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self.offset = at - dt.datetime.now(dt.UTC)
