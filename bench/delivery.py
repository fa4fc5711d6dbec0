"""Benchmark 3: reminders delivered through the local Bot API enforcing Telegram's limits.

The outbox holds the real reminders of the national deadline day (the peak tick of bench/tick.py:
the T-0 reminders of UCHWALA, and the T-1 ones of the day before), N of them to people on
Telegram; the real `advisorybot run` process sends them with its production rate limit
(TELEGRAM_RATE_LIMIT's default) to the local Bot API with Telegram's flood limits on. Measured:
the achieved rate from the first message to the last against the 30/s limit, and the 429s the
server gave. All 11,000 take about six minutes, so the default N is smaller and the time for
11,000 is extrapolated from the achieved rate; `--full` measures the full size.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import and_, select, update

from bench.databases import SQLITE, Databases, services_for
from bench.generate import Scale
from bench.inbound import nothing_to_send
from bench.processes import Advisorybot
from bench.results import Goal, Result
from bench.telegram_world import Sent, TelegramWorld
from bench.tick import START, STATE_AT, peak_moments
from localapi import Limits
from reminders.rules import all_rules
from reminders.tick import run_tick
from storage.models import Channel, OutboxMessage, OutboxState, Person

TELEGRAM_RATE = 30.0  # messages per second, Telegram's overall limit for bots
FULL_SIZE = 11_000
DEFAULT_SIZE = 1_500
QUICK_SIZE = 40
NEXT_MESSAGE_SECONDS = 10.0  # a pause longer than this ends the run (the tick may pause it)


async def run(databases: Databases, scale: Scale, *, size: int) -> list[Result]:
    url, generated = await databases.seeded(SQLITE, scale, start=START, now=STATE_AT)
    now = dt.datetime.now(dt.UTC)
    await nothing_to_send(url, now)  # what the bot's own tick would find due today is done
    queued = await _reminders(url, size)
    workdir = databases.root / "delivery"
    workdir.mkdir()
    async with TelegramWorld(Limits(enabled=True)) as world:
        world.add_people(generated.members + generated.advisers)
        sent = world.watch()
        bot = Advisorybot.start(workdir, world.api.url, world.api.token, url, rate_limit=None)
        try:
            times = await _arrivals(sent, queued)
        finally:
            await bot.stop()
        counters = world.counters()
    return _results(times, refused=int(counters["too_many_requests"]))


def _results(times: list[float], *, refused: int) -> list[Result]:
    """The rate from the first arrival to the last against Telegram's limit; the 429s."""
    rate = (len(times) - 1) / (times[-1] - times[0])
    details = {
        "messages": len(times),
        "seconds": times[-1] - times[0],
        f"seconds_for_{FULL_SIZE}": FULL_SIZE / rate,
    }
    return [
        Result(
            "delivery.rate",
            rate,
            "1/s",
            TELEGRAM_RATE,
            "telegram_limit",
            Goal(0.98, at_most=False, on_ratio=True),  # issue 23 (issue 9: 95%)
            details=details,
        ),
        Result("delivery.429", refused, "count", goal=Goal(0)),
    ]


async def _reminders(url: str, size: int) -> int:
    """The peak's reminders to people on Telegram: `size` of them left pending, the rest sent."""
    services = services_for(url)
    try:
        for moment in peak_moments(services.settings)[:2]:
            await run_tick(services, all_rules(services.settings), moment, limit=None)
        async with services.sessionmaker.begin() as session:
            on_telegram = and_(
                Person.telegram_chat_id.is_not(None), Person.telegram_unreachable_at.is_(None)
            )
            keep = (
                select(OutboxMessage.id)
                .join(Person, Person.id == OutboxMessage.person_id)
                .where(
                    OutboxMessage.state == OutboxState.PENDING,
                    OutboxMessage.channel == Channel.TELEGRAM,
                    on_telegram,
                )
                .order_by(OutboxMessage.id)
                .limit(size)
            )
            kept = list(await session.scalars(keep))
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.id.not_in(kept))
                .values(state=OutboxState.SENT)
            )
            # Due now, whatever the hour, and no longer the rules' (the bot's own tick would
            # withdraw what it does not plan today): the run measures sending alone.
            due = dt.datetime.now(dt.UTC)
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(kept))
                .values(not_before=due, next_attempt_at=due, planned_by=None, stale_at=None)
            )
    finally:
        await services.close()
    return len(kept)


async def _arrivals(sent: asyncio.Queue[Sent], count: int) -> list[float]:
    """When each of `count` messages reached the server (perf_counter seconds)."""
    times = [(await asyncio.wait_for(sent.get(), timeout=60)).seen]  # the bot starts first
    while len(times) < count:
        times.append((await asyncio.wait_for(sent.get(), NEXT_MESSAGE_SECONDS)).seen)
    return times
