"""What a failed Telegram send means for its outbox row: pure rules, tested without I/O.

RetryAfter → retry exactly when Telegram says, without counting the attempt (a 429 storm delays
messages but never makes one give up); NetworkError/TimedOut → exponential backoff with jitter,
giving up once the row has been tried for three days; Forbidden → the person is unreachable on
Telegram; BadRequest → failed for good with Telegram's reason.

A timeout is not a failed delivery: once the request has gone out (the connection was made), a
read timeout or a broken connection leaves the outcome unknown, and Telegram may have delivered
the message (`Uncertain`). Only failures before the request left (no connection, a full pool)
are certain not to have reached it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from outbox.transport import from_transport, never_left

BACKOFF_BASE = dt.timedelta(seconds=5)
BACKOFF_FACTOR = 2
BACKOFF_CAP = dt.timedelta(minutes=15)
JITTER_SHARE = 0.2  # a delay is shortened by up to this share, so retries spread out
GIVE_UP_AFTER = dt.timedelta(days=3)


@dataclass(frozen=True)
class RetryAt:
    """Try again at `at`; `counts` says whether the attempt counts towards giving up."""

    at: dt.datetime
    error: str
    counts: bool = True


@dataclass(frozen=True)
class Uncertain:
    """The request went out and no answer came: it may have arrived. A retry would be a
    repeat (outbox.queue.mark_uncertain)."""

    at: dt.datetime
    error: str


@dataclass(frozen=True)
class GiveUp:
    """Failed for good: retrying cannot help."""

    error: str


@dataclass(frozen=True)
class Unreachable:
    """The person blocked the bot (or the chat is gone for the bot): no Telegram any more."""

    error: str


Verdict = RetryAt | Uncertain | GiveUp | Unreachable


def may_have_arrived(error: Exception) -> bool:
    """A failure of the connection after the request went out (outbox/transport.py)."""
    return from_transport(error) and not never_left(error)


def backoff_delay(attempts: int, jitter: float) -> dt.timedelta:
    """The wait after the `attempts`-th failed try; `jitter` in [0, 1) shortens it by ≤ 20 %."""
    if attempts < 1:
        raise ValueError("attempts counts tries, starting at 1")
    growth: int = BACKOFF_FACTOR ** min(attempts - 1, 32)
    full = min(BACKOFF_CAP, BACKOFF_BASE * growth)
    return full * (1 - JITTER_SHARE * jitter)


def _give_up_attempt() -> int:
    """The first try that comes at least GIVE_UP_AFTER after the first one, whatever the jitter.

    Counted in tries rather than wall time, so days the bot was down do not count as trying.
    """
    attempts, waited = 1, dt.timedelta()
    while waited < GIVE_UP_AFTER:
        waited += backoff_delay(attempts, jitter=1.0)
        attempts += 1
    return attempts


GIVE_UP_AT_ATTEMPT = _give_up_attempt()


def retry_after_delay(error: RetryAfter) -> dt.timedelta:
    """Telegram's wait as a timedelta (PTB gives seconds unless PTB_TIMEDELTA is set)."""
    value = error.retry_after
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)


def classify(error: Exception, *, attempts: int, now: dt.datetime, jitter: float) -> Verdict:
    """Turn an error from sending the `attempts`-th try into what happens to the row."""
    if isinstance(error, RetryAfter):
        wait = retry_after_delay(error)
        return RetryAt(now + wait, f"retry_after:{wait.total_seconds():g}", counts=False)
    if isinstance(error, Forbidden):
        return Unreachable("forbidden")
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: check it first
        return GiveUp(error.message)
    if isinstance(error, TelegramError):
        reason = f"{type(error).__name__}: {error.message}"
        if attempts >= GIVE_UP_AT_ATTEMPT:
            return GiveUp(f"gave_up: {reason}")
        at = now + backoff_delay(attempts, jitter)
        if may_have_arrived(error):
            return Uncertain(at, f"uncertain: {type(error.__cause__).__name__}")
        return RetryAt(at, reason)
    return GiveUp(f"bad_payload: {type(error).__name__}: {error}")
