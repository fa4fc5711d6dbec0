"""`advisorybot retention preview`: what the schedule will remove, and from which day.

Counts only, by day, kind and cohort: never a name, an address or a text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from core.services import Services
from reminders.retention import OUTBOX, ROLE_WORDS, Schedule
from storage.retention.cohorts import cohort_ends
from storage.retention.messages import TARGETS, cohort_texts, texts_kept
from storage.retention.outbox import payloads_kept
from storage.retention.people import people_tied
from storage.retention.traces import TRACES, traces_kept

# The kinds in the order the preview lists them: what people wrote, what the bot sent, traces,
# the people themselves.
KINDS = (*(target.name for target in TARGETS), OUTBOX, *(trace.name for trace in TRACES))
KINDS += tuple(ROLE_WORDS.values())


@dataclass(frozen=True)
class Going:
    """How many rows of a kind go from a day (today: at the next pass); `cohort` None: rows
    tied to no cohort; `detail`: an outbox row's kind."""

    on: dt.date
    what: str
    cohort: str | None
    detail: str | None
    count: int


async def retention_preview(services: Services, now: dt.datetime) -> list[Going]:
    """Everything the schedule will remove, by the day it is due, earliest first."""
    schedule = Schedule.of(services.settings)
    zone = services.settings.zone
    today = now.astimezone(zone).date()
    found: Counter[tuple[dt.date, str, str | None, str | None]] = Counter()

    def add(
        on: dt.date, what: str, cohort: str | None, detail: str | None = None, rows: int = 1
    ) -> None:
        found[max(on, today), what, cohort, detail] += rows  # due already: the next pass

    def local_day(moment: dt.datetime, days: int) -> dt.date:
        return (moment + dt.timedelta(days=days)).astimezone(zone).date()

    async with services.sessionmaker() as session:
        ends = {end.cohort_id: end for end in await cohort_ends(session)}
        names = {cohort_id: end.name for cohort_id, end in ends.items()}
        async for finished, kind, cohort_id in payloads_kept(session):
            cohort = names.get(cohort_id) if cohort_id is not None else None
            add(local_day(finished, schedule.outbox_days), OUTBOX, cohort, kind)
        for trace in TRACES:
            for since in await traces_kept(session, trace):
                add(local_day(since, schedule.trace_days(trace)), trace.name, None)
        for end in ends.values():
            kept = await texts_kept(session, await cohort_texts(session, end.cohort_id))
            for what, rows in kept.items():
                add(schedule.texts_go_on(end.end), what, end.name, rows=rows)
        for tied in await people_tied(session):
            on = schedule.person_goes_on(tied, ends)
            if on is not None:
                last = max(tied.cohort_ids, key=lambda c: (ends[c].end, ends[c].name))
                add(on, ROLE_WORDS[tied.role], names[last])
    return [Going(*key, rows) for key, rows in sorted(found.items(), key=_listed)]


def _listed(item: tuple[tuple[dt.date, str, str | None, str | None], int]) -> tuple[object, ...]:
    """By day; a day's cohorts by name (rows of no cohort last); then in the order of KINDS."""
    (on, what, cohort, detail), _ = item
    return (on, cohort is None, cohort or "", KINDS.index(what), detail or "")
