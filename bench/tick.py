"""Benchmark 2: the tick at national scale, on SQLite and PostgreSQL.

The timeline: a cohort started on 6 January 2025, its state generated as of 28 July 2026 (four
tasks behind every JST, reports coming in). Measured in a fresh process each, every pass as the
bot's minute tick makes it (at most `reminders.tick.PASS_LIMIT` new rows a pass):
- deadline: Wednesday 5 August 2026, the council resolution (UCHWALA) due for every JST: at
  09:00 about 10,000 T-0 reminders in one pass (after the passes of the day before, as the bot
  would have made them);
- peak: Monday 1 March 2027, the heaviest day of the national walk (the state still that of
  July: nobody has answered since): the February report request to all 11,000 members and
  14,000 missing-report alerts, ~25,700 new rows; the slowest of the passes that take them;
- typical: the pass a minute after the last of those, when everything due is queued already
  (most ticks of a day);
- the peak RSS of that process;
- walk: one tick a day at 09:00 over the whole 27 months, each taking all that is due at once
  (enqueued counted, nothing sent).
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
from core.calendar import WorkCalendar
from core.settings import Settings, load_settings
from storage.programme import default_template_path, load_template
from storage.programme_calendar import programme_end

START = dt.date(2025, 1, 6)
STATE_AT = dt.datetime(2026, 7, 28, 12, tzinfo=dt.UTC)
DEADLINE_DAY = dt.date(2026, 8, 5)  # UCHWALA is due for every JST
PEAK_DAY, PEAK_DAY_BEFORE = dt.date(2027, 3, 1), dt.date(2027, 2, 26)  # Monday; Friday before
PASSES = 3  # the minute passes of a day measured, and of the day before made first
GOAL = Goal(1.0)
PEAK_GOAL = Goal(0.5)  # issue 23: the heaviest day's slowest pass
RSS_GOAL = Goal(300)
QUICK_WALK_DAYS = 20


def peak_moments(settings: Settings) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """The deadline's tick of the day before, the deadline's, and a minute later."""
    deadline = _calendar(settings).at(DEADLINE_DAY, 9)
    return deadline - dt.timedelta(days=1), deadline, deadline + dt.timedelta(minutes=1)


def _calendar(settings: Settings) -> WorkCalendar:
    return WorkCalendar(settings.zone, settings.quiet_hours)


def _passes(start: dt.datetime, count: int = PASSES) -> list[dt.datetime]:
    return [start + dt.timedelta(minutes=minute) for minute in range(count)]


def _timeline(settings: Settings) -> list[dt.datetime]:
    """In order: the day before the deadline, the deadline; the day before the peak, the peak's
    passes, then the typical pass after them."""
    calendar = _calendar(settings)
    day_before, deadline, _ = peak_moments(settings)
    return [
        *_passes(day_before),
        deadline,
        *_passes(calendar.at(PEAK_DAY_BEFORE, 9)),
        *_passes(calendar.at(PEAK_DAY, 9), PASSES + 1),
    ]


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
        results += _tick_results(kind, found, pilot)
        results += _walk_results(f"{walk.jsts}_jsts.{kind}", walked, pilot_walk)
    return results


def _tick_results(kind: str, found: dict[str, Any], pilot: dict[str, Any]) -> list[Result]:
    """The deadline's pass, the slowest of the peak's and the typical one, against reading the
    state; the process's peak RSS against the pilot's."""
    ticks = found["ticks"]
    deadline, peak_passes, typical = ticks[PASSES], ticks[-PASSES - 1 : -1], ticks[-1]
    days_last = [ticks[PASSES - 1], deadline, ticks[2 * PASSES], typical]
    assert not typical["enqueued"] and not any(t["left"] for t in days_last), "caught up"
    peak = max(peak_passes, key=lambda t: float(t["seconds"]))
    read = found["read_seconds"]
    passes = {"passes": [_counts(t) for t in peak_passes]}
    return [
        _against_read(f"tick.deadline.{kind}", deadline, read, GOAL, _counts(deadline)),
        _against_read(f"tick.peak.{kind}", peak, read, PEAK_GOAL, passes),
        _against_read(f"tick.typical.{kind}", typical, read, None, _counts(typical)),
        Result(
            f"tick.peak_rss.{kind}",
            found["peak_mb"],
            "MB",
            pilot["peak_mb"],
            "pilot_peak_rss",
            RSS_GOAL,
        ),
    ]


def _against_read(
    name: str, tick: dict[str, Any], read: float, goal: Goal | None, details: dict[str, Any]
) -> Result:
    """A pass's seconds against reading every row the rules read (no tick plans from less)."""
    return Result(name, tick["seconds"], "s", read, "read_state", goal, details=details)


def _walk_results(name: str, walked: dict[str, Any], pilot: dict[str, Any]) -> list[Result]:
    """The walk's seconds and peak RSS against the pilot's walk."""
    return [
        Result(
            f"tick.walk_{name}",
            walked["seconds"],
            "s",
            pilot["seconds"],
            "pilot_walk",
            details=_walked(walked),
        ),
        Result(
            f"tick.walk_rss_{name}",
            walked["peak_mb"],
            "MB",
            pilot["peak_mb"],
            "pilot_walk_rss",
            RSS_GOAL,
        ),
    ]


async def _moments(
    databases: Databases, kind: str, scale: Scale, settings: Settings
) -> dict[str, Any]:
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    isos = [moment.isoformat() for moment in _timeline(settings)]
    return await asyncio.to_thread(run_worker, "bench.tick_worker", "moments", url, *isos)


async def _walk(databases: Databases, kind: str, scale: Scale, last: dt.date) -> dict[str, Any]:
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    return await asyncio.to_thread(
        run_worker, "bench.tick_worker", "walk", url, START.isoformat(), last.isoformat()
    )


def _counts(tick: dict[str, Any]) -> dict[str, Any]:
    return {key: tick[key] for key in ("at", "seconds", "due", "enqueued", "left")}


def _walked(walk: dict[str, Any]) -> dict[str, Any]:
    return {"days": walk["days"], "enqueued": walk["enqueued"], "slowest": walk["slowest"]}
