"""Training rounds as plain view data: each training phase of a cohort (Z1..Z4 of its
template) with its event once dated (`training_events`), for /zjazdy, /status, the reminder
rule, the calendar file and `cohort show`; storage/rounds.py changes them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Jst, ProgrammeStep, TrainingEvent
from storage.programme import TRAINING


@dataclass(frozen=True)
class RoundView:
    """A training round of a cohort as plain data: its phase, and its event if dated."""

    cohort_id: int
    code: str
    number: int  # I, II, … as the template orders its training phases
    title_pl: str
    title_en: str
    phase_starts_on: dt.date
    phase_ends_on: dt.date
    event_id: int | None = None
    held_on: dt.date | None = None  # None: not dated yet, or cleared
    start_time: str | None = None  # "10:00", local
    end_time: str | None = None
    mode: str | None = None  # "on_site" or "online"
    place: str | None = None
    link: str | None = None
    bring: str | None = None
    previous_on: dt.date | None = None
    set_at: dt.datetime | None = None
    changed_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None

    @property
    def dated(self) -> bool:
        return self.held_on is not None


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _view(step: ProgrammeStep, number: int, event: TrainingEvent | None) -> RoundView:
    view = RoundView(
        step.cohort_id,
        step.code,
        number,
        step.title_pl,
        step.title_en,
        step.starts_on,
        step.ends_on,
    )
    if event is None:
        return view
    cancelled = event.cancelled_at is not None
    return replace(
        view,
        event_id=event.id,
        held_on=None if cancelled else event.held_on,
        start_time=_hhmm(event.start_time),
        end_time=_hhmm(event.end_time),
        mode=event.mode.value,
        place=event.place,
        link=event.link,
        bring=event.bring,
        previous_on=event.held_on if cancelled else event.previous_on,
        set_at=event.set_at,
        changed_at=event.changed_at,
        cancelled_at=event.cancelled_at,
    )


async def rounds_by_cohort(
    session: AsyncSession, cohort_ids: Collection[int]
) -> dict[int, list[RoundView]]:
    """Each cohort's training rounds in order, dated or not."""
    events = {
        (event.cohort_id, event.phase_code): event
        for event in await session.scalars(
            select(TrainingEvent).where(TrainingEvent.cohort_id.in_(cohort_ids))
        )
    }
    rounds: dict[int, list[RoundView]] = defaultdict(list)
    for step in await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.cohort_id.in_(cohort_ids), ProgrammeStep.kind == TRAINING)
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
    ):
        found = rounds[step.cohort_id]
        found.append(_view(step, len(found) + 1, events.get((step.cohort_id, step.code))))
    return rounds


async def cohort_rounds(session: AsyncSession, cohort_id: int) -> list[RoundView]:
    """A cohort's training rounds in order."""
    return (await rounds_by_cohort(session, [cohort_id])).get(cohort_id, [])


async def jst_rounds(session: AsyncSession, jst_id: int) -> list[RoundView]:
    """The training rounds of a JST's cohort."""
    jst = await session.get_one(Jst, jst_id)
    return await cohort_rounds(session, jst.cohort_id)


def next_round(rounds: Sequence[RoundView], today: dt.date) -> RoundView | None:
    """The first dated round on or after `today`."""
    return next((r for r in rounds if r.held_on is not None and r.held_on >= today), None)
