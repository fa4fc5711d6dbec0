"""The rows behind task changes: found, created lazily, locked, and the change recorded.

Shared by the transitions in storage/tasks/transitions.py; each helper refuses with TaskRefused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.db import skipping_insert
from storage.models import Jst, Person, ProgrammeStep, Role, TaskEvent, TaskProgress
from storage.models import TaskState as State
from storage.tasks.views import STEP_TASK, TaskChange, assignment_of, task_changes


@dataclass(frozen=True)
class Origin:
    """Who makes a change (None: the operator), when, and from which update or form."""

    person_id: int | None
    now: dt.datetime
    source: str | None


class TaskRefused(Exception):
    """A change the state machine or the rules refuse; `reason` names the message."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


async def check_member(session: AsyncSession, person_id: int, jst_id: int) -> None:
    person = await session.get(Person, person_id)
    if person is None or person.role != Role.MEMBER or person.jst_id != jst_id:
        raise TaskRefused("not_your_team")


async def advises(session: AsyncSession, adviser_id: int, jst_id: int, today: dt.date) -> bool:
    """The JST's main adviser, or the substitute on duty today."""
    assignment = await assignment_of(session, jst_id)
    return assignment is not None and adviser_id in (
        assignment.adviser_id,
        assignment.adviser_on_duty(today),
    )


async def task_step(session: AsyncSession, jst_id: int, code: str) -> ProgrammeStep:
    """The task `code` of the JST's cohort (any letter case), or a refusal listing the codes."""
    jst = await session.get_one(Jst, jst_id)
    tasks = list(
        await session.scalars(
            select(ProgrammeStep)
            .where(ProgrammeStep.cohort_id == jst.cohort_id, ProgrammeStep.kind == STEP_TASK)
            .order_by(ProgrammeStep.position)
        )
    )
    found = next((s for s in tasks if s.code == code.strip().upper()), None)
    if found is None:
        raise TaskRefused("unknown_task", code=code, codes=[s.code for s in tasks])
    return found


async def locked_progress(
    session: AsyncSession, jst_id: int, code: str, now: dt.datetime
) -> TaskProgress:
    """The task's row, created pending if missing, locked for this transaction."""
    await session.execute(
        skipping_insert(session.get_bind().dialect.name, TaskProgress)
        .values(jst_id=jst_id, step_code=code, state=State.PENDING, review_round=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=[TaskProgress.jst_id, TaskProgress.step_code])
    )
    rows = await session.scalars(
        select(TaskProgress)
        .where(TaskProgress.jst_id == jst_id, TaskProgress.step_code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return rows.one()


async def check_submittable(session: AsyncSession, progress: TaskProgress) -> None:
    if progress.state == State.ACCEPTED:
        raise TaskRefused("already_accepted", code=progress.step_code)
    if progress.state == State.SUBMITTED:
        by = await session.get(Person, progress.submitted_by_id or 0)
        raise TaskRefused(
            "already_submitted",
            code=progress.step_code,
            by=by.full_name if by else None,
            at=progress.submitted_at,
        )


def mark_submitted(progress: TaskProgress, person_id: int, now: dt.datetime) -> None:
    progress.state = State.SUBMITTED
    progress.submitted_at = now
    progress.submitted_by_id = person_id
    progress.updated_at = now


async def replayed_change(
    session: AsyncSession, progress: TaskProgress, source: str | None
) -> TaskChange | None:
    """The change this source already made to the task, if any."""
    if source is None:
        return None
    events = await session.scalars(
        select(TaskEvent).where(
            TaskEvent.jst_id == progress.jst_id, TaskEvent.step_code == progress.step_code
        )
    )
    earlier = [e for e in events if e.details.get("source") == source]
    return (await task_changes(session, earlier[:1]))[0] if earlier else None


async def record_change(
    session: AsyncSession,
    progress: TaskProgress,
    action: str,
    origin: Origin,
    *,
    note: str | None = None,
    **details: Any,
) -> TaskChange:
    """Record the change in the history and the audit log; return it as view data."""
    event = _event(progress, action, origin, note, details)
    session.add(event)
    await session.flush()
    audit.record(
        session,
        origin.now,
        actor=f"person:{origin.person_id}" if origin.person_id else "operator",
        action=f"task.{action}",
        entity="task_progress",
        entity_id=progress.id,
        code=progress.step_code,
        round=progress.review_round,
    )
    return (await task_changes(session, [event]))[0]


def _event(
    progress: TaskProgress, action: str, origin: Origin, note: str | None, details: dict[str, Any]
) -> TaskEvent:
    """The history row; its details name the source (for replays), the row and the round."""
    context = {"source": origin.source, "progress_id": progress.id, "round": progress.review_round}
    return TaskEvent(
        jst_id=progress.jst_id,
        step_code=progress.step_code,
        action=action,
        person_id=origin.person_id,
        note=note,
        details=details | context,
        at=origin.now,
    )
