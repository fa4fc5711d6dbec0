"""Benchmark 2: the tick at national scale, on SQLite and PostgreSQL.

The timeline: a cohort started on 6 January 2025, its state generated as of 28 July 2026 (four
tasks behind every JST, reports coming in), then the deadline of the council resolution
(UCHWALA) on Wednesday 5 August 2026: at 09:00 every JST that has not adopted its plan yet gets
its T-0 reminder, ~10,000 messages in one tick. Measured in a fresh process each:
- peak: that tick (after the tick of the day before, as the bot would have run it);
- typical: the tick a minute later, when everything due is queued already (most ticks);
- the peak RSS of that process;
- walk: one tick a day at 09:00 over the whole 27 months (enqueued counted, nothing sent).
Baselines in the same run: reading every row of the tables the rules read (no tick can plan from
less), and for memory and the walk the same work on the pilot's 50 JSTs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from bench.databases import Databases
from bench.generate import PILOT, Scale
from bench.measure import run_worker
from bench.results import Goal, Result
from bot.settings import Settings, load_settings
from reminders.calendar import WorkCalendar
from storage.programme import default_template_path, load_template
from storage.programme_calendar import programme_end

START = dt.date(2025, 1, 6)
STATE_AT = dt.datetime(2026, 7, 28, 12, tzinfo=dt.UTC)
PEAK_DAY = dt.date(2026, 8, 5)  # UCHWALA is due for every JST
PEAK_GOAL = Goal(1.0)
RSS_GOAL = Goal(300)
QUICK_WALK_DAYS = 20


def peak_moments(settings: Settings) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """The tick of the day before, the peak, and a minute later."""
    peak = WorkCalendar(settings.zone, settings.quiet_hours).at(PEAK_DAY, 9)
    return peak - dt.timedelta(days=1), peak, peak + dt.timedelta(minutes=1)


async def run(databases: Databases, scale: Scale, *, walk: Scale, quick: bool) -> list[Result]:
    """The peak and typical ticks at `scale`, the walk at `walk` (national for the issue's full
    run: ~850 ticks); the pilot's numbers as baselines (quick: the same scale's)."""
    settings = load_settings(_env_file=None)
    last = programme_end(load_template(default_template_path()), START)
    if quick:
        last = START + dt.timedelta(days=QUICK_WALK_DAYS - 1)
    results: list[Result] = []
    for kind in databases.kinds:
        found = await _moments(databases, kind, scale, settings)
        pilot = found if quick else await _moments(databases, kind, PILOT, settings)
        walked = await _walk(databases, kind, walk, last)
        pilot_walk = walked if quick else await _walk(databases, kind, PILOT, last)
        peak, typical = found["ticks"][1], found["ticks"][2]
        read = found["read_seconds"]
        results += [
            Result(f"tick.peak.{kind}", peak["seconds"], "s", read, "read_state", PEAK_GOAL,
                   details=_counts(peak)),
            Result(f"tick.typical.{kind}", typical["seconds"], "s", read, "read_state",
                   details=_counts(typical)),
            Result(f"tick.peak_rss.{kind}", found["peak_mb"], "MB", pilot["peak_mb"],
                   "pilot_peak_rss", RSS_GOAL),
            Result(f"tick.walk_{walk.jsts}_jsts.{kind}", walked["seconds"], "s",
                   pilot_walk["seconds"], "pilot_walk", details=_walked(walked)),
            Result(f"tick.walk_rss_{walk.jsts}_jsts.{kind}", walked["peak_mb"], "MB",
                   pilot_walk["peak_mb"], "pilot_walk_rss", RSS_GOAL),
        ]  # fmt: skip
    return results


async def _moments(
    databases: Databases, kind: str, scale: Scale, settings: Settings
) -> dict[str, Any]:
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    isos = [moment.isoformat() for moment in peak_moments(settings)]
    return await asyncio.to_thread(run_worker, "bench.tick_worker", "moments", url, *isos)


async def _walk(databases: Databases, kind: str, scale: Scale, last: dt.date) -> dict[str, Any]:
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    return await asyncio.to_thread(
        run_worker, "bench.tick_worker", "walk", url, START.isoformat(), last.isoformat()
    )


def _counts(tick: dict[str, Any]) -> dict[str, Any]:
    return {"due": tick["due"], "enqueued": tick["enqueued"], "at": tick["at"]}


def _walked(walk: dict[str, Any]) -> dict[str, Any]:
    return {"days": walk["days"], "enqueued": walk["enqueued"], "slowest": walk["slowest"]}
