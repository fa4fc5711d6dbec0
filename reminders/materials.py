"""The materials' review loop in time: reminders to the experts and to the coordinator, and the
coordinators' e-mail alert when a review is overdue (as a task's ladder escalates).

- A version waiting for review (due on `Material.due_on`: first_review_days, after a fix
  rereview_days, to the next working day): every expert at 09:00 on the last working day before
  the deadline and on the day itself, and on the day after it (overdue, with the working days
  passed); that day every coordinator gets an e-mail alert.
- A returned material (due on the fix date, fix_days): the coordinator who handed it in, at the
  same three moments.
- Accepted: nothing more. Each step is superseded by the next one (reminders.deadlines.series:
  after downtime only the latest goes out); the last one is stale the template's
  task_overdue_alert_days later. Steps that fell before the version or the return are skipped.

Keys: material:{material}:{round}:{step}:{person}, step review-1, review-0, review+1,
review-alert, fix-1, fix-0, fix+1; a fix and a return change the round or the step names, so
each deadline has a ladder of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from reminders.deadlines import LADDER_HOUR, Step, series
from reminders.schedule import Due
from storage.cohorts import cohort_templates
from storage.materials.views import experts
from storage.models import Channel, Cohort, Delivery, Material, MaterialState
from storage.rosters import coordinator_ids

ONE_DAY = dt.timedelta(days=1)
REVIEW = "material_review"  # to the experts
FIX = "material_fix"  # to the coordinator
ALERT = "material_review_alert"  # e-mail to every coordinator


@dataclass(frozen=True)
class MaterialFacts:
    """A material in its loop, as the reminders read it."""

    id: int
    title: str
    kind: str
    cohort: str
    state: MaterialState
    review_round: int
    due_on: dt.date
    since: dt.datetime  # the version handed in, or the return
    submitted_by: int
    stale_days: int  # how long the last step stays worth sending


@dataclass(frozen=True)
class MaterialsNow:
    now: dt.datetime
    materials: tuple[MaterialFacts, ...]
    experts: tuple[int, ...]
    coordinators: tuple[int, ...]


class MaterialRule:
    """Every material in review or being fixed."""

    name = "materials"

    async def load(self, session: AsyncSession, now: dt.datetime) -> MaterialsNow:
        templates = await cohort_templates(session)
        rows = await session.execute(
            select(Material, Cohort.name)
            .join(Cohort, Cohort.id == Material.cohort_id)
            .where(Material.state != MaterialState.ACCEPTED)
            .order_by(Material.id)
        )
        materials = tuple(
            MaterialFacts(
                id=material.id,
                title=material.title,
                kind=material.kind,
                cohort=cohort,
                state=material.state,
                review_round=material.review_round,
                due_on=material.due_on,
                since=_since(material),
                submitted_by=material.submitted_by_id,
                stale_days=templates[material.cohort_id].reminders.task_overdue_alert_days,
            )
            for material, cohort in rows
            if material.cohort_id in templates
        )
        found = tuple(expert.id for expert in await experts(session))
        return MaterialsNow(now, materials, found, await coordinator_ids(session))

    def plan(
        self, state: MaterialsNow, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        return [
            due for material in state.materials for due in _plan(state, calendar, material, until)
        ]


def _since(material: Material) -> dt.datetime:
    if material.state is MaterialState.RETURNED and material.reviewed_at is not None:
        return material.reviewed_at
    return material.submitted_at


def _plan(
    state: MaterialsNow, calendar: WorkCalendar, material: MaterialFacts, until: dt.datetime | None
) -> list[Due]:
    """The material's steps still worth sending at `now` (and due by `until`)."""
    due, reviewing = material.due_on, material.state is MaterialState.SUBMITTED
    prefix = "review" if reviewing else "fix"
    moments = (
        (f"{prefix}-1", calendar.at(calendar.working_day_before(due), LADDER_HOUR)),
        (f"{prefix}-0", calendar.at(due, LADDER_HOUR)),
        (f"{prefix}+1", calendar.at(due + ONE_DAY, LADDER_HOUR)),
    )
    steps = series(calendar, moments, last_for=material.stale_days * ONE_DAY, since=material.since)
    schedule = []
    for step in steps:
        moment = step.delivery(calendar, state.now)
        if moment is None or (until is not None and step.at > until):
            continue
        day = calendar.local_date(moment)
        values = _values(material, days=(due - day).days)
        values["working_days"] = calendar.working_days_between(due, day)
        people = state.experts if reviewing else (material.submitted_by,)
        template = REVIEW if reviewing else FIX
        schedule += [_due(material, step, person, template, values) for person in people]
        if reviewing and step.name.endswith("+1"):
            alert = Step("review-alert", step.at, step.until, None)
            json_values = values | {"due_on": due.isoformat()}  # rendered when the e-mail goes
            schedule += [
                _due(material, alert, coordinator, ALERT, json_values, email=True)
                for coordinator in state.coordinators
            ]
    return schedule


def _values(material: MaterialFacts, **extra: Any) -> dict[str, Any]:
    return {
        "title": material.title,
        "kind": material.kind,
        "cohort": material.cohort,
        "review_round": material.review_round,
        "due_on": material.due_on,
        **extra,
    }


def _due(
    material: MaterialFacts,
    step: Step,
    person_id: int,
    template: str,
    values: dict[str, Any],
    *,
    email: bool = False,
) -> Due:
    """A Telegram reminder (at most once), or an e-mail alert that may not be lost."""
    return Due(
        key=f"material:{material.id}:{material.review_round}:{step.name}:{person_id}",
        person_id=person_id,
        template=template,
        at=step.at,
        values=values,
        until=step.until,
        channel=Channel.EMAIL if email else Channel.TELEGRAM,
        delivery=Delivery.AT_LEAST_ONCE if email else Delivery.AT_MOST_ONCE,
    )
