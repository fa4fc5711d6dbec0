"""Cohorts: a programme template started on a date, and its computed calendar."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record
from storage.models import Cohort, ProgrammeStep
from storage.programme import ProgrammeTemplate, load_template, template_from_dict
from storage.programme_calendar import compute_calendar
from storage.programme_errors import TemplateInvalid

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 100


class CohortRefused(Exception):
    """A cohort cannot be added; `reason` names the message template's macro."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(f"{reason} {params}")
        self.reason = reason
        self.params = params


async def find_cohort(session: AsyncSession, name: str) -> Cohort | None:
    """The cohort called `name`, or None."""
    return await session.scalar(select(Cohort).where(Cohort.name == name))


async def add_cohort(
    session: AsyncSession,
    name: str,
    start: dt.date,
    template_path: Path,
    *,
    now: dt.datetime,
    actor: str,
) -> Cohort:
    """Store a cohort and its whole calendar; refuse a bad or taken name, or a bad template."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise CohortRefused("bad_name", cohort=name, limit=NAME_MAX_LENGTH)
    if await find_cohort(session, name) is not None:
        raise CohortRefused("exists", cohort=name)
    template = load_template(template_path)
    cohort = Cohort(
        name=name,
        start_date=start,
        template_code=template.code,
        template=template.model_dump(mode="json"),
        created_at=now,
    )
    session.add(cohort)
    await session.flush()
    session.add_all(
        ProgrammeStep(cohort_id=cohort.id, **asdict(step))
        for step in compute_calendar(template, start)
    )
    await session.flush()
    record(
        session,
        now,
        actor=actor,
        action="cohort.add",
        entity="cohort",
        entity_id=cohort.id,
        name=name,
        start=start.isoformat(),
        template=template.code,
    )
    return cohort


async def cohort_steps(session: AsyncSession, cohort_id: int) -> list[ProgrammeStep]:
    """The cohort's calendar in order."""
    rows = await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.cohort_id == cohort_id)
        .order_by(ProgrammeStep.position)
    )
    return list(rows)


async def list_cohorts(session: AsyncSession) -> list[Cohort]:
    """All cohorts, earliest start first."""
    rows = await session.scalars(select(Cohort).order_by(Cohort.start_date, Cohort.name))
    return list(rows)


async def cohort_templates(
    session: AsyncSession, cohort_ids: Collection[int] | None = None
) -> dict[int, ProgrammeTemplate]:
    """Each cohort's template (of `cohort_ids` only, if given); one that no longer validates is
    left out, not the whole tick."""
    query = select(Cohort)
    if cohort_ids is not None:
        query = query.where(Cohort.id.in_(cohort_ids))
    templates = {}
    for cohort in await session.scalars(query):
        try:
            templates[cohort.id] = template_from_dict(cohort.template)
        except TemplateInvalid:
            log.warning("cohort %s has an invalid template: no task reminders", cohort.name)
    return templates
