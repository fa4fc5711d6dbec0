"""When a cohort ends, as retention counts from it: the last day of its calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Jst, ProgrammeStep, TaskProgress
from storage.monitoring import latest_day, monitoring_of


@dataclass(frozen=True)
class CohortEnd:
    """A cohort and the last day of its calendar: its last step's end or deadline (the last
    monthly report is due after the programme's last phase ends), a later extension a JST was
    given, or the last deadline of a JST's own monitoring (its reports, the good-practice
    description and dissemination, later for a JST whose resolution came late)."""

    cohort_id: int
    name: str
    end: dt.date


async def cohort_ends(session: AsyncSession) -> list[CohortEnd]:
    """Every cohort that has a calendar, earliest end first (one without steps never ends)."""
    names = {
        cohort_id: name
        for cohort_id, name in await session.execute(select(Cohort.id, Cohort.name))
    }
    latest: dict[int, dt.date] = {}
    steps = select(
        ProgrammeStep.cohort_id, func.max(ProgrammeStep.ends_on), func.max(ProgrammeStep.due_on)
    ).group_by(ProgrammeStep.cohort_id)
    for cohort_id, ends_on, due_on in await session.execute(steps):
        latest[cohort_id] = max(day for day in (ends_on, due_on) if day is not None)
    extensions = (
        select(Jst.cohort_id, func.max(TaskProgress.extended_until))
        .join(TaskProgress, TaskProgress.jst_id == Jst.id)
        .group_by(Jst.cohort_id)
    )
    for cohort_id, extended in await session.execute(extensions):
        if extended is not None and cohort_id in latest:
            latest[cohort_id] = max(latest[cohort_id], extended)
    jsts = dict((await session.execute(select(Jst.id, Jst.cohort_id))).tuples().all())
    for jst_id, monitoring in (await monitoring_of(session, jsts)).items():
        day, cohort_id = latest_day(monitoring), jsts[jst_id]
        if day is not None and cohort_id in latest:
            latest[cohort_id] = max(latest[cohort_id], day)
    ends = [CohortEnd(cohort_id, names[cohort_id], end) for cohort_id, end in latest.items()]
    return sorted(ends, key=lambda item: (item.end, item.name))
