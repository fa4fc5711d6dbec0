"""One process that ticks, so its memory is the tick's own (the generator's does not count).

    python -m bench.tick_worker moments URL ISO [ISO ...]   # one tick at each moment, in order
    python -m bench.tick_worker walk URL FIRST_DAY LAST_DAY  # one tick a day at 09:00 local

Prints one JSON line: seconds and counts per tick, the bare read of the rules' tables (the
baseline), and the peak RSS of this process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from typing import Any

from sqlalchemy import select

from bench.databases import services_for
from bench.measure import memory_mb, report
from bot.memory import tune_gc
from core.clock import FixedClock
from core.services import Services
from reminders.rules import all_rules
from reminders.tick import PASS_LIMIT, run_tick, work_calendar
from storage.models import (
    AdviserAssignment,
    Cohort,
    Jst,
    MonthlyReport,
    Person,
    ProgrammeStep,
    Question,
    TaskProgress,
)

WALK_HOUR = 9  # the ladder's hour: every rule has its steps of the day due by then
STATE_TABLES = (
    Cohort,
    ProgrammeStep,
    Jst,
    Person,
    AdviserAssignment,
    TaskProgress,
    MonthlyReport,
    Question,
)


async def read_state(services: Services) -> float:
    """Seconds to read every row of the tables the rules read, without ORM objects: the floor
    under any tick (it cannot plan from less)."""
    started = time.perf_counter()
    async with services.sessionmaker() as session:
        for model in STATE_TABLES:
            (await session.execute(select(model.__table__))).all()
    return time.perf_counter() - started


async def tick(services: Services, moment: dt.datetime, *, daily: bool = False) -> dict[str, Any]:
    """One pass as the bot's minute tick makes it; `daily`: the walk's one tick a day takes all
    that is due at once, as a day of minute passes would have."""
    services.clock = FixedClock(moment)
    started = time.perf_counter()
    stats = await run_tick(
        services, all_rules(services.settings), moment, limit=None if daily else PASS_LIMIT
    )
    seconds = time.perf_counter() - started
    return {
        "at": moment,
        "seconds": seconds,
        "due": stats.due,
        "enqueued": stats.enqueued,
        "left": stats.left,
    }


async def moments(url: str, isos: list[str]) -> None:
    services = services_for(url)
    try:
        read = await read_state(services)
        ticks = [await tick(services, dt.datetime.fromisoformat(iso)) for iso in isos]
    finally:
        await services.close()
    report(read_seconds=read, ticks=ticks, peak_mb=memory_mb(field="VmHWM"))


async def walk(url: str, first: dt.date, last: dt.date) -> None:
    services = services_for(url)
    calendar = work_calendar(services)
    slowest: dict[str, Any] = {"seconds": 0.0}
    days = enqueued = 0
    started = time.perf_counter()
    try:
        day = first
        while day <= last:
            done = await tick(services, calendar.at(day, WALK_HOUR), daily=True)
            days += 1
            enqueued += done["enqueued"]
            slowest = max(slowest, done, key=lambda found: float(found["seconds"]))
            day += dt.timedelta(days=1)
    finally:
        await services.close()
    report(
        seconds=time.perf_counter() - started,
        days=days,
        enqueued=enqueued,
        slowest=slowest,
        peak_mb=memory_mb(field="VmHWM"),
    )


def main(argv: list[str]) -> None:
    tune_gc()  # as `advisorybot` does at start
    mode, url, *rest = argv
    if mode == "moments":
        asyncio.run(moments(url, rest))
    elif mode == "walk":
        first, last = (dt.date.fromisoformat(day) for day in rest)
        asyncio.run(walk(url, first, last))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
