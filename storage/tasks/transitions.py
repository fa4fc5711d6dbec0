"""A JST's tasks: submitted by any member, accepted or returned by the adviser, extended.

pending --submit--> submitted --accept--> accepted (final)
                    submitted --return--> returned (review_round + 1) --submit--> submitted
No TaskProgress row means pending; rows are created on the first change. Every change writes a
TaskEvent (the team's history) and an audit entry in the caller's transaction. A change made
again with the same `source` (a re-delivered update, the same form) returns the first change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Jst, ProgrammeStep, TaskProgress
from storage.models import TaskState as State
from storage.monitoring import Monitoring, monitoring_of
from storage.programme import template_from_dict
from storage.tasks.rows import (
    Origin,
    TaskRefused,
    advises,
    check_member,
    check_submittable,
    locked_progress,
    mark_submitted,
    record_change,
    replayed_change,
    task_step,
)
from storage.tasks.views import (
    Evidence,
    TaskChange,
    resolution_code,
    stored_pieces,
    task_history,
)

__all__ = ["Action", "Evidence", "TaskChange", "TaskRefused", "task_history"]
TEXT_LIMIT = 3500  # evidence and remarks travel in one Telegram message (4096) with a header
EVIDENCE_LIMIT = 10  # pieces of evidence in one submission: several sheets, not an archive


class Action(StrEnum):
    """TaskEvent.action values."""

    SUBMITTED = "submitted"
    RESOLUTION = "resolution"  # the resolution recorded; the task is submitted with it
    RETURNED = "returned"
    ACCEPTED = "accepted"
    EXTENDED = "extended"


FOR_REVIEW = (Action.SUBMITTED, Action.RESOLUTION)  # the changes an adviser is asked to review


async def submit_task(
    session: AsyncSession,
    *,
    jst_id: int,
    code: str,
    person_id: int,
    evidence: Sequence[Evidence],
    now: dt.datetime,
    source: str,
) -> TaskChange:
    """A member hands in a task (first time, or again after a return) with its evidence: every
    piece sent, in order."""
    await check_member(session, person_id, jst_id)
    step = await task_step(session, jst_id, code)
    if step.code == await resolution_code(session, await session.get_one(Jst, jst_id)):
        raise TaskRefused("use_resolution", code=step.code)
    check_pieces(evidence)
    progress = await locked_progress(session, jst_id, step.code, now)
    if replayed := await replayed_change(session, progress, source):
        return replayed
    await check_submittable(session, progress)
    mark_submitted(progress, person_id, now)
    summary = "; ".join(piece.summary for piece in evidence if piece.summary) or None
    progress.evidence = summary
    return await record_change(
        session,
        progress,
        Action.SUBMITTED,
        Origin(person_id, now, source),
        note=summary,
        evidence=stored_pieces(evidence),
    )


def check_evidence(evidence: Evidence) -> None:
    """A file, or a text that is neither blank nor longer than one message can carry."""
    if not evidence.complete:
        raise TaskRefused("empty_evidence")
    if len(evidence.text or "") > TEXT_LIMIT:
        raise TaskRefused("too_long", limit=TEXT_LIMIT)


def check_pieces(pieces: Sequence[Evidence]) -> None:
    """At least one piece and at most EVIDENCE_LIMIT, each of them complete."""
    if not pieces:
        raise TaskRefused("empty_evidence")
    if len(pieces) > EVIDENCE_LIMIT:
        raise TaskRefused("too_many", limit=EVIDENCE_LIMIT)
    for piece in pieces:
        check_evidence(piece)


async def check_reviewable(
    session: AsyncSession, *, progress_id: int, review_round: int, adviser_id: int, today: dt.date
) -> TaskProgress:
    """The submission this adviser may review now (that round); refused as stale otherwise."""
    progress = await session.scalar(
        select(TaskProgress)
        .where(TaskProgress.id == progress_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if progress is None or not await advises(session, adviser_id, progress.jst_id, today):
        raise TaskRefused("stale")
    if progress.state != State.SUBMITTED or progress.review_round != review_round:
        raise TaskRefused("stale")
    return progress


async def review_task(
    session: AsyncSession,
    *,
    progress_id: int,
    review_round: int,
    adviser_id: int,
    accept: bool,
    remarks: str | None,
    today: dt.date,
    now: dt.datetime,
    source: str,
) -> TaskChange:
    """The adviser accepts a submission, or returns it with remarks and a date to fix it by.

    The team has the programme's [review] fix_days (calendar days) from the return.
    """
    progress = await session.get(TaskProgress, progress_id)
    if progress is not None and (replayed := await replayed_change(session, progress, source)):
        return replayed
    progress = await check_reviewable(
        session,
        progress_id=progress_id,
        review_round=review_round,
        adviser_id=adviser_id,
        today=today,
    )
    progress.updated_at = now
    origin = Origin(adviser_id, now, source)
    if accept:
        progress.state = State.ACCEPTED
        progress.accepted_at = now
        return await record_change(session, progress, Action.ACCEPTED, origin)
    return await _return(session, progress, checked_remarks(remarks), origin, today)


def checked_remarks(remarks: str | None) -> str:
    """What the team is to fix: not blank, and short enough for one message."""
    remarks = (remarks or "").strip()
    if not remarks:
        raise TaskRefused("empty_remarks")
    if len(remarks) > TEXT_LIMIT:
        raise TaskRefused("too_long", limit=TEXT_LIMIT)
    return remarks


async def _return(
    session: AsyncSession, progress: TaskProgress, remarks: str, origin: Origin, today: dt.date
) -> TaskChange:
    """Send the submission back for the next round, to be fixed within the review's fix_days."""
    progress.state = State.RETURNED
    progress.reviewed_at = origin.now
    progress.reviewed_by_id = origin.person_id
    progress.review_remarks = remarks
    progress.review_round += 1
    jst = await session.get_one(Jst, progress.jst_id)
    review = template_from_dict((await session.get_one(Cohort, jst.cohort_id)).template).review
    fix_by = review.fix_by(today)
    return await record_change(
        session,
        progress,
        Action.RETURNED,
        origin,
        note=remarks,
        remarks=remarks,
        until=fix_by.isoformat(),
    )


async def extend_deadline(
    session: AsyncSession,
    *,
    teryt: str,
    code: str,
    until: dt.date,
    adviser_id: int | None,
    today: dt.date,
    now: dt.datetime,
    source: str | None,
    actor_id: int | None = None,
) -> TaskChange:
    """A new deadline for one JST's task (the operator's, or an adviser's for their JST);
    `actor_id`: who made it when that is not the adviser (a coordinator on the web view, whose
    scope the caller checked), else the adviser, else the operator."""
    jst = await _extendable_jst(session, teryt, adviser_id, today)
    step = await task_step(session, jst.id, code)
    monitoring = (await monitoring_of(session, [jst.id])).get(jst.id)
    _check_new_deadline(step, monitoring, until, today)
    progress = await locked_progress(session, jst.id, step.code, now)
    if replayed := await replayed_change(session, progress, source):
        return replayed
    if progress.state == State.ACCEPTED:
        raise TaskRefused("already_accepted", code=step.code)
    if progress.extended_until == until:
        raise TaskRefused("unchanged", code=step.code, until=until)
    previous = progress.extended_until
    progress.extended_until = until
    progress.updated_at = now
    return await record_change(
        session,
        progress,
        Action.EXTENDED,
        Origin(adviser_id if actor_id is None else actor_id, now, source),
        until=until.isoformat(),
        previous=previous.isoformat() if previous else None,
    )


async def _extendable_jst(
    session: AsyncSession, teryt: str, adviser_id: int | None, today: dt.date
) -> Jst:
    """The JST by TERYT: any for the operator (None), only one they advise for an adviser."""
    jst = await session.scalar(select(Jst).where(Jst.teryt == teryt.strip()))
    if adviser_id is not None and (
        jst is None or not await advises(session, adviser_id, jst.id, today)
    ):
        raise TaskRefused("not_your_jst", teryt=teryt)
    if jst is None:
        raise TaskRefused("unknown_jst", teryt=teryt)
    return jst


def _check_new_deadline(
    step: ProgrammeStep, monitoring: Monitoring | None, until: dt.date, today: dt.date
) -> None:
    """A new deadline is not in the past and later than the JST's own (the programme's, or
    the one counted from its monitoring; the planned one while that waits)."""
    assert step.due_on is not None, "a task step has a due date"
    due = (monitoring.task_due(step.code, step.due_on) if monitoring else None) or step.due_on
    if until < today:
        raise TaskRefused("date_in_past", date=until)
    if until <= due:
        raise TaskRefused("not_later", code=step.code, due=due)
