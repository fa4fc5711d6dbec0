"""The files a JST handed in for a task, for those who may see them again: a member of the
JST, or an adviser of it today (files copied into a chat scroll away), or a coordinator (the
web view's JST page)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Role, TaskEvent, TaskProgress
from storage.people import OVERSEERS, visible_jsts
from storage.tasks.transitions import FOR_REVIEW
from storage.tasks.views import Evidence, task_changes


async def submission_files(
    session: AsyncSession, progress_id: int, *, person_id: int, today: dt.date
) -> list[Evidence] | None:
    """The file pieces of the JST's latest hand-in of the task (`TaskProgress.id`), in the order
    sent; None for someone who may not see them, as for no such task."""
    progress = await session.get(TaskProgress, progress_id)
    if progress is None:
        return None
    person = await session.get_one(Person, person_id)
    member = person.role is Role.MEMBER and person.jst_id == progress.jst_id
    overseer = person.role in OVERSEERS and progress.jst_id in await visible_jsts(
        session, person, today
    )
    if not (member or overseer) or person.erased_at is not None:
        return None
    event = await session.scalar(
        select(TaskEvent)
        .where(
            TaskEvent.jst_id == progress.jst_id,
            TaskEvent.step_code == progress.step_code,
            TaskEvent.action.in_([action.value for action in FOR_REVIEW]),
        )
        .order_by(TaskEvent.at.desc(), TaskEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return []
    [change] = await task_changes(session, [event])
    return [piece for piece in change.evidence if piece.is_file]


async def progress_of(session: AsyncSession, jst_id: int, code: str) -> int | None:
    """The id of the JST's row of a task (by its code), if it has one."""
    return await session.scalar(
        select(TaskProgress.id).where(
            TaskProgress.jst_id == jst_id, TaskProgress.step_code == code.upper()
        )
    )
