"""Prometheus metrics of `advisorybot run` (docs/monitoring.md names each one and its meaning).

The hot paths only add to a counter or a histogram; what the database holds (the outbox's
depth and age, the people who joined) is read when /metrics is scraped (bot/ops_http.py).
Labels take values from small fixed sets (kinds, channels, states, exception class names),
never ids or texts. The default registry is used: its process collector (CPU, memory, open
files, read from /proc at scrape time), platform and garbage-collector collectors cost
nothing between scrapes and answer an operator's first questions, so they are kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, Protocol, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from core.logging_setup import CURRENT_UPDATE
from storage.models import Channel, OutboxMessage, Role
from storage.ops_stats import WAITING_STATES, outbox_groups, people_joined

P = ParamSpec("P")
T = TypeVar("T")

UPDATES = Counter("advisorybot_updates", "Updates handled, by kind", ["kind"])
UPDATE_SECONDS = Histogram(
    "advisorybot_update_handling_seconds",
    "From an update taken in to its handlers done (a reply sent at once is inside)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SENDS = Counter(
    "advisorybot_sends", "Outbox send attempts, by channel and outcome", ["channel", "outcome"]
)
SEND_FAILURES = Counter(
    "advisorybot_send_failures",
    "Failed outbox send attempts, by channel and error",
    ["channel", "reason"],
)
REPLY_DELAY = Histogram(
    "advisorybot_reply_delay_seconds",
    "A message caused by a person: from its outbox row queued to sent",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
TICK_SECONDS = Histogram(
    "advisorybot_tick_seconds",
    "One pass of the periodic tick",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
TICK_ROWS = Counter(
    "advisorybot_tick_rows", "Outbox rows the tick changed, by what it did", ["result"]
)
TICK_LEFT = Gauge(
    "advisorybot_tick_left", "Due messages the last tick left for the next (over its limit)"
)
OUTBOX_DEPTH = Gauge(
    "advisorybot_outbox_depth", "Outbox rows not yet done", ["channel", "state", "origin"]
)
OUTBOX_AGE = Gauge(
    "advisorybot_outbox_oldest_age_seconds",
    "Since the earliest moment the oldest row not yet done could go",
    ["channel", "state", "origin"],
)
PEOPLE_JOINED = Gauge(
    "advisorybot_people_joined", "People who joined (not erased), by role", ["role"]
)
DATABASE_UP = Gauge(
    "advisorybot_database_up", "1 when the database answered the last /readyz or /metrics read"
)

# outbox/policy.py's verdicts, as the `outcome` label names them.
OUTCOMES = {
    "RetryAt": "retry",
    "Uncertain": "uncertain",
    "GiveUp": "failed",
    "Unreachable": "unreachable",
}
ORIGINS = {False: "people", True: "planned"}


class TickCounts(Protocol):
    """What a tick's pass did (reminders.tick.TickStats)."""

    enqueued: int
    withdrawn: int
    revived: int
    left: int


def update_kind(update: Update) -> str:
    """The update's field that is set: message, callback_query, edited_message, ..."""
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None)), "other")


async def handled(work: Awaitable[T], update: Update) -> T:
    """Await an update's handling: counted by kind, timed, its id on the log lines meanwhile."""
    token = CURRENT_UPDATE.set(update.update_id)
    started = time.perf_counter()
    try:
        return await work
    finally:
        UPDATE_SECONDS.observe(time.perf_counter() - started)
        UPDATES.labels(update_kind(update)).inc()
        CURRENT_UPDATE.reset(token)


def sent(row: OutboxMessage, now: dt.datetime) -> None:
    """A row delivered; a message caused by a person times its way from queue to chat."""
    SENDS.labels(row.channel.value, "sent").inc()
    if row.planned_by is None:
        REPLY_DELAY.labels(row.channel.value).observe(
            max((now - row.created_at).total_seconds(), 0)
        )


def not_sent(row: OutboxMessage, verdict: object, error: object) -> None:
    """A failed attempt: what becomes of the row (outbox/policy.py's verdict) and the error."""
    name = type(verdict).__name__
    SENDS.labels(row.channel.value, OUTCOMES.get(name, name.lower())).inc()
    SEND_FAILURES.labels(row.channel.value, type(error).__name__).inc()


def timed_tick(
    job: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """The tick job, timed (prometheus_client's own timer does not await a coroutine)."""

    @functools.wraps(job)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> T:
        with TICK_SECONDS.time():
            return await job(*args, **kwargs)

    return timed


def tick_rows(stats: TickCounts) -> None:
    TICK_ROWS.labels("enqueued").inc(stats.enqueued)
    TICK_ROWS.labels("withdrawn").inc(stats.withdrawn)
    TICK_ROWS.labels("revived").inc(stats.revived)
    TICK_LEFT.set(stats.left)


async def read_database(reader: async_sessionmaker[AsyncSession], now: dt.datetime) -> None:
    """Set the gauges of what the database holds; a group with no rows reads 0."""
    async with reader() as session:
        groups = await outbox_groups(session)
        joined = await people_joined(session)
    for channel in Channel:
        for state in WAITING_STATES:
            for origin in ORIGINS.values():
                OUTBOX_DEPTH.labels(channel.value, state.value, origin).set(0)
                OUTBOX_AGE.labels(channel.value, state.value, origin).set(0)
    for group in groups:
        labels = (group.channel.value, group.state.value, ORIGINS[group.planned])
        OUTBOX_DEPTH.labels(*labels).set(group.rows)
        OUTBOX_AGE.labels(*labels).set(max((now - group.oldest).total_seconds(), 0))
    for role in Role:
        PEOPLE_JOINED.labels(role.value).set(joined.get(role, 0))
