"""What each Telegram error does to an outbox row: the pure retry policy."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from outbox.policy import (
    BACKOFF_CAP,
    GIVE_UP_AFTER,
    GIVE_UP_AT_ATTEMPT,
    GiveUp,
    RetryAt,
    Unreachable,
    backoff_delay,
    classify,
)

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def seconds(attempts: int, jitter: float = 0.0) -> float:
    return backoff_delay(attempts, jitter).total_seconds()


def test_backoff_doubles_from_five_seconds_and_stops_at_fifteen_minutes() -> None:
    assert [seconds(n) for n in range(1, 11)] == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    assert seconds(10_000) == BACKOFF_CAP.total_seconds()


def test_jitter_only_shortens_a_wait_by_up_to_a_fifth() -> None:
    for attempts in (1, 4, 9, 50):
        waits = [seconds(attempts, jitter) for jitter in (0.0, 0.5, 0.999)]
        assert waits == sorted(waits, reverse=True)
        assert waits[0] == seconds(attempts)
        assert waits[-1] > 0.8 * seconds(attempts)


def test_giving_up_comes_after_three_days_of_tries_even_with_the_shortest_waits() -> None:
    def shortest_time_before(attempt: int) -> dt.timedelta:
        return sum((backoff_delay(n, jitter=1.0) for n in range(1, attempt)), dt.timedelta())

    assert shortest_time_before(GIVE_UP_AT_ATTEMPT) >= GIVE_UP_AFTER
    assert shortest_time_before(GIVE_UP_AT_ATTEMPT - 1) < GIVE_UP_AFTER


@pytest.mark.parametrize("timedelta_periods", ["true", "false"])
def test_retry_after_is_obeyed_exactly_and_does_not_count(
    timedelta_periods: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", timedelta_periods)
    legacy = timedelta_periods == "false"
    with pytest.warns(PTBDeprecationWarning) if legacy else contextlib.nullcontext():
        verdict = classify(RetryAfter(37), attempts=GIVE_UP_AT_ATTEMPT, now=NOW, jitter=0.5)

    assert verdict == RetryAt(NOW + dt.timedelta(seconds=37), "retry_after:37", counts=False)


@pytest.mark.parametrize(
    "error",
    [NetworkError("Bad Gateway"), TimedOut(), NetworkError("aiohttp.ClientConnectorError")],
)
def test_network_trouble_backs_off_until_the_give_up_attempt(error: NetworkError) -> None:
    reason = f"{type(error).__name__}: {error.message}"

    assert classify(error, attempts=3, now=NOW, jitter=0.0) == RetryAt(
        NOW + dt.timedelta(seconds=20), reason
    )
    assert classify(error, attempts=GIVE_UP_AT_ATTEMPT - 1, now=NOW, jitter=0.0) == RetryAt(
        NOW + BACKOFF_CAP, reason
    )
    assert classify(error, attempts=GIVE_UP_AT_ATTEMPT, now=NOW, jitter=0.0) == GiveUp(
        f"gave_up: {reason}"
    )


def test_a_blocked_bot_means_unreachable_and_a_bad_request_fails_at_once() -> None:
    blocked = Forbidden("Forbidden: bot was blocked by the user")
    missing = BadRequest("Bad Request: chat not found")

    assert classify(blocked, attempts=1, now=NOW, jitter=0.0) == Unreachable("forbidden")
    assert classify(missing, attempts=1, now=NOW, jitter=0.0) == GiveUp("Chat not found")


def test_a_payload_the_bot_cannot_call_fails_at_once() -> None:
    verdict = classify(KeyError("sendSticker"), attempts=1, now=NOW, jitter=0.0)

    assert verdict == GiveUp("bad_payload: KeyError: 'sendSticker'")
