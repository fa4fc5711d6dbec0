"""The council's resolution adopting the plan: recorded with its number, the day adopted and its
proof (the document, a link to it in the BIP, or both), which submits its task for review.

It adopts the plan the JST handed in (the template's task with `plan = true`): that task must
have been handed in, and the resolution is dated on or after the first day it was (a plan
returned for fixes was handed in all the same), not in the future, not before the programme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort, Jst, TaskEvent, TaskProgress
from storage.programme import template_from_dict
from storage.tasks.rows import (
    Origin,
    TaskRefused,
    check_member,
    check_submittable,
    locked_progress,
    mark_submitted,
    record_change,
    replayed_change,
)
from storage.tasks.transitions import Action, check_pieces
from storage.tasks.views import Evidence, TaskChange, resolution_code, stored_pieces

RESOLUTION_NUMBER_LIMIT = 100
PROOF_KINDS = ("document", "photo", "link")  # the resolution's file, or its address in the BIP


@dataclass(frozen=True)
class Adoption:
    """What a JST's resolution is checked against: the programme's start, the plan's task and
    the local day it was first handed in (no plan task in the template: None)."""

    start: dt.date
    plan_code: str | None
    plan_on: dt.date | None

    def check(self, adopted_on: dt.date, today: dt.date) -> None:
        """Adopted on a day that can be: not in the future, not before the plan or the start."""
        if adopted_on > today:
            raise TaskRefused("resolution_in_future", date=adopted_on)
        if self.plan_on is not None and adopted_on < self.plan_on:
            plan = {"plan_on": self.plan_on, "code": self.plan_code}
            raise TaskRefused("resolution_before_plan", date=adopted_on, **plan)
        if adopted_on < self.start:
            raise TaskRefused("resolution_too_early", start=self.start)


async def adoption(session: AsyncSession, jst_id: int, zone: ZoneInfo) -> Adoption:
    """The JST's resolution as it may be recorded now; refused when there is no resolution
    task, it is submitted or accepted already, or the plan was never handed in."""
    jst = await session.get_one(Jst, jst_id)
    cohort = await session.get_one(Cohort, jst.cohort_id)
    template = template_from_dict(cohort.template)
    resolution = template.resolution_task()
    if resolution is None:
        raise TaskRefused("no_resolution_task")
    progress = await session.scalar(
        select(TaskProgress).where(
            TaskProgress.jst_id == jst_id, TaskProgress.step_code == resolution.code
        )
    )
    if progress is not None:
        await check_submittable(session, progress)
    plan_task = template.plan_task()
    if plan_task is None:
        return Adoption(cohort.start_date, None, None)
    plan = plan_task.code
    handed_in = await session.scalar(
        select(func.min(TaskEvent.at)).where(
            TaskEvent.jst_id == jst_id,
            TaskEvent.step_code == plan,
            TaskEvent.action == Action.SUBMITTED.value,
        )
    )
    if handed_in is None:
        raise TaskRefused("plan_not_submitted", code=plan)
    return Adoption(cohort.start_date, plan, handed_in.astimezone(zone).date())


def check_number(number: str) -> str:
    """The number with its spaces folded; refused if blank or too long."""
    number = " ".join(number.split())
    if not number or len(number) > RESOLUTION_NUMBER_LIMIT:
        raise TaskRefused("bad_resolution_number", limit=RESOLUTION_NUMBER_LIMIT)
    return number


def check_proof(pieces: Sequence[Evidence]) -> None:
    """The resolution's document (a file) or its link, or both; nothing else."""
    if not pieces:
        raise TaskRefused("no_proof")
    if any(piece.kind not in PROOF_KINDS for piece in pieces):
        raise TaskRefused("not_proof")
    check_pieces(pieces)


def proof_link(pieces: Sequence[Evidence]) -> str | None:
    """The first link among the proof (stored on the task's row, for the exports)."""
    return next((piece.text for piece in pieces if piece.kind == "link"), None)


async def record_resolution(
    session: AsyncSession,
    *,
    jst_id: int,
    person_id: int,
    number: str,
    adopted_on: dt.date,
    proof: Sequence[Evidence],
    today: dt.date,
    now: dt.datetime,
    zone: ZoneInfo,
    source: str,
) -> TaskChange:
    """The council adopted the plan: record the resolution and submit its task for review."""
    await check_member(session, person_id, jst_id)
    number = check_number(number)
    check_proof(proof)
    code = await resolution_code(session, await session.get_one(Jst, jst_id))
    if code is None:
        raise TaskRefused("no_resolution_task")
    progress = await locked_progress(session, jst_id, code, now)
    if replayed := await replayed_change(session, progress, source):
        return replayed
    (await adoption(session, jst_id, zone)).check(adopted_on, today)
    mark_submitted(progress, person_id, now)
    progress.evidence = "; ".join(piece.summary for piece in proof if piece.summary) or None
    progress.resolution_number = number
    progress.resolution_date = adopted_on
    progress.resolution_link = proof_link(proof)
    return await record_change(
        session,
        progress,
        Action.RESOLUTION,
        Origin(person_id, now, source),
        note=number,
        resolution_number=number,
        resolution_date=adopted_on.isoformat(),
        evidence=stored_pieces(proof),
    )
