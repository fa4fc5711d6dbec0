"""The sandbox terminal's lines become commands; /time targets; the movable clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.clock import OffsetClock
from sandbox.commands import (
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

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", None),
        ("   ", None),
        ("/as anna@example.pl", PlayAs("anna@example.pl")),
        ("  /AS  anna@example.pl ", PlayAs("anna@example.pl")),
        ("/as", Refused("usage_as")),
        ("/as anna@example.pl ewa@example.pl", Refused("usage_as")),
        ("Jak wypełnić arkusz?", Say("Jak wypełnić arkusz?")),
        ("/status", Say("/status")),
        ("/odpowiedz 3 Tak, PDF wystarczy.", Say("/odpowiedz 3 Tak, PDF wystarczy.")),
        ("//help", Say("/help")),
        ("/help", Help()),
        ("/people", People()),
        ("/quit", Quit()),
        ("/exit", Quit()),
        ("#2", Press(2)),
        ("#0", Refused("usage_press")),
        ("#x", Say("#x")),
        ("> Proszę użyć arkusza A.", Reply("Proszę użyć arkusza A.")),
        (">", Refused("usage_reply")),
        ("/inbox", Inbox(None)),
        ("/inbox 12", Inbox(12)),
        ("/inbox 0", Refused("usage_inbox")),
        ("/inbox ostatni", Refused("usage_inbox")),
        ("/file ~/dowod.pdf", SendFile("~/dowod.pdf", None)),
        ("/file dowod.pdf Protokół z debaty", SendFile("dowod.pdf", "Protokół z debaty")),
        ("/file", Refused("usage_file")),
        ("/time", ShowTime()),
    ],
)
def test_a_line_becomes_a_command(line: str, command: object) -> None:
    assert parse(line) == command


@pytest.mark.parametrize(
    ("value", "delta"),
    [
        ("+7d", dt.timedelta(days=7)),
        ("+3h", dt.timedelta(hours=3)),
        ("+30m", dt.timedelta(minutes=30)),
        ("+2w", dt.timedelta(weeks=2)),
        ("+1w2d", dt.timedelta(days=9)),
        ("+1d1d", dt.timedelta(days=2)),
    ],
)
def test_time_shifts(value: str, delta: dt.timedelta) -> None:
    command = parse(f"/time {value}")
    assert command == Shift(delta)
    assert isinstance(command, Shift)
    assert target_time(command, NOW, WARSAW) == NOW + delta


@pytest.mark.parametrize(
    "value", ["+0d", "+7", "7d", "-1d", "+1y", "+99999d", "+9999999999d", "jutro"]
)
def test_a_bad_time_is_refused_with_the_value(value: str) -> None:
    assert parse(f"/time {value}") == Refused("bad_time", {"value": value})


@pytest.mark.parametrize("value", ["2027-02-30", "2027-03-01T25:00", "2027-3-1"])
def test_an_impossible_moment_is_refused(value: str) -> None:
    assert parse(f"/time {value}") == Refused("bad_time", {"value": value})


def test_a_date_means_nine_in_the_morning_local_time_across_daylight_saving() -> None:
    winter = parse("/time 2027-03-01")
    summer = parse("/time 2027-07-01T14:30")
    assert winter == SetTime(dt.date(2027, 3, 1), dt.time(9, 0))
    assert isinstance(winter, SetTime) and isinstance(summer, SetTime)
    assert target_time(winter, NOW, WARSAW) == dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert target_time(summer, NOW, WARSAW) == dt.datetime(2027, 7, 1, 12, 30, tzinfo=dt.UTC)
    assert parse("/time 2027-03-01 7:05") == SetTime(dt.date(2027, 3, 1), dt.time(7, 5))


def test_the_offset_clock_moves_with_the_wall_clock_and_by_the_operator() -> None:
    clock = OffsetClock()
    before = dt.datetime.now(dt.UTC)
    assert before <= clock.now() <= dt.datetime.now(dt.UTC)
    clock.shift(dt.timedelta(days=7))
    assert clock.now() - dt.datetime.now(dt.UTC) > dt.timedelta(days=6, hours=23)
    target = dt.datetime(2030, 1, 1, 9, 0, tzinfo=WARSAW)
    clock.set(target)
    assert dt.timedelta(0) <= clock.now() - target < dt.timedelta(minutes=1)
    assert clock.now().tzinfo is not None
    with pytest.raises(ValueError, match="aware"):
        clock.set(dt.datetime(2030, 1, 1, 9, 0))  # noqa: DTZ001 (the refused case)
