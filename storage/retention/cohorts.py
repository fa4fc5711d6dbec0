"""When a cohort ends, as retention counts from it: the last day of its calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cohorts import cohort_templates
from storage.models import Cohort, Jst, ProgrammeStep, TaskProgress
from storage.monitoring import latest_day, monitoring_of
from storage.programme_calendar import REPORT


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
    """Every cohort that has a calendar, earliest end first (one without steps never ends).
    The months and tasks its calendar plans after a resolution count as each JST has them
    (storage/monitoring.py): none for a JST that never adopted the plan."""
    names = {
        cohort_id: name
        for cohort_id, name in await session.execute(select(Cohort.id, Cohort.name))
    }
    own = await _own_steps(session)
    latest: dict[int, dt.date] = {}
    for cohort_id, code, kind, ends_on, due_on in await session.execute(
        select(
            ProgrammeStep.cohort_id,
            ProgrammeStep.code,
            ProgrammeStep.kind,
            ProgrammeStep.ends_on,
            ProgrammeStep.due_on,
        )
    ):
        if (kind == REPORT and cohort_id in own) or code in own.get(cohort_id, ()):
            continue
        day = max(d for d in (ends_on, due_on) if d is not None)
        latest[cohort_id] = max(latest.get(cohort_id, day), day)
    extensions = (
        select(Jst.cohort_id, func.max(TaskProgress.extended_until))
        .join(TaskProgress, TaskProgress.jst_id == Jst.id)
        .group_by(Jst.cohort_id)
    )
    for cohort_id, extended in await session.execute(extensions):
        if extended is not None and cohort_id in latest:
            latest[cohort_id] = max(latest[cohort_id], extended)
    jsts = {
        jst_id: cohort_id
        for jst_id, cohort_id in await session.execute(select(Jst.id, Jst.cohort_id))
    }
    for jst_id, monitoring in (await monitoring_of(session, jsts)).items():
        last, cohort_id = latest_day(monitoring), jsts[jst_id]
        if last is not None and cohort_id in latest:
            latest[cohort_id] = max(latest[cohort_id], last)
    ends = [CohortEnd(cohort_id, names[cohort_id], end) for cohort_id, end in latest.items()]
    return sorted(ends, key=lambda item: (item.end, item.name))


async def _own_steps(session: AsyncSession) -> dict[int, frozenset[str]]:
    """Cohorts whose monitoring starts with each JST's resolution, with the tasks dated after
    it: their planned steps (and reports) are not the cohort's, but its JSTs'."""
    return {
        cohort_id: frozenset(task.code for task in template.task if task.due_after is not None)
        for cohort_id, template in (await cohort_templates(session)).items()
        if template.monitoring.starts == "resolution"
    }
